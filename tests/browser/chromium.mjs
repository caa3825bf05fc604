// What the browser test drivers share: Debian's Chromium launched through playwright-core, and the command-line
// frame (arguments, one JSON verdict line on stdout, exit code 0 ok / 1 failed / 2 bad arguments).
import { createRequire } from 'node:module';

// playwright-core lives in web/node_modules; resolve it from there so the scripts work from any cwd.
const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
];

export function launchChromium() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 30000 });
}

// Runs `run(options, result)` and prints `result` as one JSON line; `finish(result)` may tidy it first.
export async function runCli(name, parseArgs, run, result, finish = () => {}) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${name}: ${err.message}`);
    process.exit(2);
  }
  try {
    await run(options, result);
  } catch (err) {
    result.ok = false;
    result.error = String(err.message || err).split('\n')[0];
    console.error(`${name}: ${result.error}`);
  }
  finish(result);
  console.log(JSON.stringify(result));
  process.exit(result.ok ? 0 : 1);
}
