// Builds web/dist/ (what `lunora serve` serves) from web/public/ plus hls.js from node_modules.
// Plain Node on purpose: no bundler, nothing to install beyond `npm ci`.
import { copyFileSync, cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = dirname(fileURLToPath(import.meta.url));
const dist = join(web, 'dist');
const hlsDist = join(web, 'node_modules', 'hls.js', 'dist');

// hls.min.js is the player; hls.worker.js lets it transmux off the main thread without a blob: worker (CSP).
const vendored = ['hls.min.js', 'hls.worker.js'];

const missing = vendored.filter((file) => !existsSync(join(hlsDist, file)));
if (missing.length > 0) {
  console.error(`build.mjs: ${join(hlsDist, missing[0])} is missing: run npm ci in web/`);
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });
cpSync(join(web, 'public'), dist, { recursive: true });
for (const file of vendored) {
  copyFileSync(join(hlsDist, file), join(dist, 'assets', file));
}
console.log(`build.mjs: wrote ${dist}`);
