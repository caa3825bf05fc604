// Opens a Lunora watch page in headless Chromium and reports, as one JSON line on stdout, whether it played.
//
//   node tests/browser/play_watch.mjs --url URL [--seconds 5] [--timeout 60] [--screenshot PATH]
//   node tests/browser/play_watch.mjs --url URL --expect-text "Waiting for the stream" [--timeout 60]
//
// Play mode: ok when the video's currentTime advanced by --seconds of playback and hls.js reported no fatal error.
// Text mode: ok when the text is visible on the page. Exit code 0 only when ok; 2 on bad arguments.
import { launchChromium, runCli } from './chromium.mjs';

const POLL_MS = 250;
const MAX_CONSOLE_ERRORS = 20; // a restart loop logs one failed request every few seconds: keep the line readable

function parseArgs(argv) {
  const options = { url: null, seconds: 5, timeout: 60, screenshot: null, expectText: null };
  const names = { '--url': 'url', '--seconds': 'seconds', '--timeout': 'timeout', '--screenshot': 'screenshot',
    '--expect-text': 'expectText' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || argv[i + 1] === undefined) throw new Error(`unexpected argument ${argv[i]}`);
    options[key] = argv[i + 1];
  }
  options.seconds = Number(options.seconds);
  options.timeout = Number(options.timeout);
  if (!options.url) throw new Error('--url is required');
  if (!(options.seconds >= 0) || !(options.timeout > 0)) throw new Error('--seconds and --timeout must be numbers');
  return options;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The page's own view of itself (web/public/assets/watch.js exposes window.lunoraPlayer).
function snapshot(page) {
  return page.evaluate(() => {
    const video = document.querySelector('video');
    const player = window.lunoraPlayer;
    return {
      currentTime: video ? video.currentTime : 0,
      state: player ? player.state : null,
      fatalErrors: player ? player.fatalErrors : [],
      restarts: player ? player.restarts : 0,
      latency: player ? player.latency() : null,
    };
  });
}

// Polls until --seconds of playback have been seen. Counts only forward steps no larger than the wall-clock time
// between two polls, so the seek to the live edge at start (or after a restart) is not taken for playback.
async function waitForPlayback(page, options, deadline, result) {
  let last = null;
  let lastAt = 0;
  while (Date.now() < deadline) {
    const now = Date.now();
    const snap = await snapshot(page);
    if (snap.currentTime > 0) {
      const step = last === null ? 0 : snap.currentTime - last;
      if (step > 0 && step <= (now - lastAt) / 1000 + 0.5) result.advanced_s += step;
      last = snap.currentTime;
      lastAt = now;
    }
    if (result.advanced_s >= options.seconds) return;
    await sleep(POLL_MS);
  }
}

async function run(options, result) {
  const deadline = Date.now() + options.timeout * 1000;
  const browser = await launchChromium();
  // Closed on every path, also when a signal arrives mid-run.
  const closeOnSignal = () => browser.close().finally(() => process.exit(1));
  process.once('SIGINT', closeOnSignal);
  process.once('SIGTERM', closeOnSignal);
  try {
    const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
    const logError = (text) => result.console_errors.length < MAX_CONSOLE_ERRORS && result.console_errors.push(text);
    page.on('console', (msg) => msg.type() === 'error' && logError(msg.text()));
    page.on('pageerror', (err) => logError(String(err)));
    await page.goto(options.url, { waitUntil: 'domcontentloaded', timeout: options.timeout * 1000 });

    if (options.expectText) {
      const remaining = Math.max(1, deadline - Date.now());
      result.ok = await page.getByText(options.expectText).first()
        .waitFor({ state: 'visible', timeout: remaining }).then(() => true, () => false);
    } else {
      await waitForPlayback(page, options, deadline, result);
    }

    const snap = await snapshot(page);
    Object.assign(result, { current_time: snap.currentTime, fatal_errors: snap.fatalErrors, state: snap.state,
      restarts: snap.restarts, live_edge_distance_s: snap.latency });
    if (!options.expectText) result.ok = result.advanced_s >= options.seconds && snap.fatalErrors.length === 0;
    if (options.screenshot) await page.screenshot({ path: options.screenshot });
  } finally {
    await browser.close();
  }
}

runCli('play_watch.mjs', parseArgs, run,
  { ok: false, advanced_s: 0, current_time: 0, fatal_errors: [], state: null, restarts: 0,
    live_edge_distance_s: null, console_errors: [] },
  (result) => { result.advanced_s = Math.round(result.advanced_s * 1000) / 1000; });
