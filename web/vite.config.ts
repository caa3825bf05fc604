// Builds web/dist/, what `lunora serve` serves: the GUI (index.html + hashed files in dist/assets/), the player
// page copied as is from public/ (watch.html, assets/watch.js, ...), and hls.js for that player page.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

// The player page (public/watch.html) loads hls.js as a classic script, and its worker from a same-origin file
// because the CSP refuses blob: workers; both must sit flat in dist/assets/ (the server serves no sub-folders).
function hlsForWatchPage(): Plugin {
  const require = createRequire(import.meta.url);
  const hlsDist = join(dirname(require.resolve('hls.js/package.json')), 'dist');
  return {
    name: 'lunora-hls-for-watch-page',
    apply: 'build',
    generateBundle() {
      for (const file of ['hls.min.js', 'hls.worker.js']) {
        this.emitFile({ type: 'asset', fileName: `assets/${file}`, source: readFileSync(join(hlsDist, file)) });
      }
    },
  };
}

// `npm run dev` serves the GUI from source and passes the API, HLS and the player page to a running Lunora.
const lunora = process.env.LUNORA_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [hlsForWatchPage()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // Everything in one flat folder: the server answers /assets/<file> only.
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: lunora, changeOrigin: false },
      '/hls': lunora,
      '/watch': lunora,
      '/assets/hls': lunora, // hls.min.js and hls.worker.js exist only in a build
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
