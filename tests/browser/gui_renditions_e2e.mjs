// Drives the web GUI's renditions (issue 9) in headless Chromium against a real `lunora serve` whose channel `main`
// has an encoder publishing, and prints one JSON line: every step with its result.
//
//   node tests/browser/gui_renditions_e2e.mjs --url BASE --token ADMIN_TOKEN --rtmp-url rtmp://HOST:PORT/APP \
//        --stream-key KEY [--screenshots DIR]
//
// Steps: log in; on the channel page add a rendition from the Twitch suggestion under a name of its own (a width
// the server refuses first: its message shows under the width field); add a Twitch destination at --rtmp-url that
// uses it (its card names the rendition, no warning); add a second rendition at 8000 kbps with typed values and
// switch the destination to it (the card warns with 6000 and 8000); start the destination and see the rendition
// run (fps, speed, CPU, preset, audio, how many it feeds), then stop it; lower the rendition to 5000 kbps (the
// warning goes); delete it while the destination uses it (the dialog names the destination; confirmed, the
// destination says passthrough); delete the first, now unused, rendition (a plain question).
// Exit 0 only when every step passed; 1 on the first failure (its message on stderr); 2 on bad arguments.
import { runCli } from './chromium.mjs';
import { card, logIn, parseFlags, screenshot, waitForBadge, withGuiPage } from './gui_steps.mjs';

const FIRST = 'tw-main'; // from the Twitch suggestion, under a name of its own
const SECOND = 'hot-8000'; // typed in, above Twitch's 6000 kbps
const DESTINATION = 'Twitch main';
const PASSTHROUGH = 'Passthrough (the input as it comes)';
const STREAMING_TIMEOUT_MS = 30000;

function parseArgs(argv) {
  const options = parseFlags(argv, {
    values: { '--url': 'url', '--token': 'token', '--rtmp-url': 'rtmpUrl', '--stream-key': 'streamKey',
      '--screenshots': 'screenshots' },
    defaults: { screenshots: null },
    required: ['--url', '--token', '--rtmp-url', '--stream-key'],
  });
  options.url = options.url.replace(/\/$/, '');
  return options;
}

const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

// Expected: the server refuses an odd width (422) and the delete of a rendition in use (409) before the question;
// the preview's player probes its playlist while HLS starts (503).
function consoleErrorLine(msg) {
  const url = msg.location()?.url ?? '';
  if (/\b(409|422)\b/.test(msg.text()) && url.includes('/renditions')) return null;
  if (/\b503\b/.test(msg.text()) && url.includes('/hls/')) return null;
  return `${msg.text()} (${url})`;
}

async function run(options, result) {
  await withGuiPage(options, result, consoleErrorLine, async (page, steps) => {
    const pages = page.getByRole('navigation', { name: 'Pages' });
    const renditions = page.getByRole('region', { name: 'Renditions' });
    const rendition = (name) => renditions.getByRole('article', { name, exact: true });
    const form = renditions.locator('form.rendition-form');
    const destination = card(page, DESTINATION);
    const field = (scope, name) => scope.locator(`[data-field="${name}"]`);
    const toPage = async (name, heading) => {
      await pages.getByRole('link', { name }).click();
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    };
    const editDestination = async (choose) => {
      await toPage('Destinations', 'Destinations');
      await destination.getByRole('button', { name: 'Edit', exact: true }).click();
      await page.getByRole('heading', { name: `Edit ${DESTINATION}`, level: 1 }).waitFor();
      await page.getByLabel('Rendition').selectOption(choose); // by value: the rendition's name
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'Destinations', level: 1 }).waitFor();
    };

    await steps.run('login', async () => {
      await page.goto(`${options.url}/`, { waitUntil: 'domcontentloaded' });
      await logIn(page, options.token);
      await renditions.waitFor();
      return { empty: await text(field(renditions, 'no-renditions')) };
    });

    await steps.run('add_from_suggestion', async () => {
      await renditions.getByRole('button', { name: 'Add rendition' }).click();
      const start = form.getByLabel('Start from');
      await start.locator('option[value="twitch"]').waitFor({ state: 'attached' }); // the server's suggestions
      const suggestion = await start.locator('option[value="twitch"]').textContent();
      await start.selectOption('twitch');
      const prefilled = {
        name: await form.getByLabel('Name').inputValue(),
        width: await form.getByLabel('Width').inputValue(),
        video: await form.getByLabel('Video bitrate (kbps)').inputValue(),
      };
      await form.getByLabel('Name').fill(FIRST);
      await form.getByLabel('Width').fill('1921');
      await form.getByRole('button', { name: 'Add rendition' }).click();
      const widthError = await text(form.locator('#rendition-width-error'));
      const invalid = await form.getByLabel('Width').getAttribute('aria-invalid');
      await form.getByLabel('Width').fill('1920');
      await form.getByRole('button', { name: 'Add rendition' }).click();
      await rendition(FIRST).waitFor();
      await form.waitFor({ state: 'detached' });
      const made = rendition(FIRST);
      return { suggestion, prefilled, width_error: widthError, width_invalid: invalid,
        picture: await text(field(made, 'picture')), bitrate: await text(field(made, 'bitrate')),
        state: await text(made.locator('.badge')) };
    });

    await steps.run('add_destination', async () => {
      await toPage('Destinations', 'Destinations');
      await page.getByRole('button', { name: 'Add destination' }).click();
      await page.getByRole('heading', { name: 'Add destination', level: 1 }).waitFor();
      await page.getByLabel('Platform').selectOption('twitch');
      await page.getByLabel('Name').fill(DESTINATION);
      await page.getByLabel('Server URL').fill(options.rtmpUrl);
      await page.getByLabel(/^Stream key/).fill(options.streamKey);
      const choices = await page.getByLabel('Rendition').locator('option').allTextContents();
      await page.getByLabel('Rendition').selectOption(FIRST);
      const sends = await text(page.locator('[data-field="sends"]'));
      await page.getByRole('button', { name: 'Save' }).click();
      await waitForBadge(destination, 'Ready', 15000);
      return { choices, sends, rendition: await text(field(destination, 'rendition')),
        warnings: await field(destination, 'warnings').count() };
    });

    await steps.run('second_rendition', async () => {
      await toPage('Channel', 'main');
      await renditions.getByRole('button', { name: 'Add rendition' }).click();
      const values = { Name: SECOND, Width: '1280', Height: '720', 'Frame rate (fps)': '30',
        'Keyframe interval (s)': '2', 'Video bitrate (kbps)': '8000', 'Audio bitrate (kbps)': '128' };
      for (const [label, value] of Object.entries(values)) await form.getByLabel(label, { exact: true }).fill(value);
      await form.getByRole('button', { name: 'Add rendition' }).click();
      await rendition(SECOND).waitFor();
      await editDestination(SECOND);
      await field(destination, 'rendition').filter({ hasText: SECOND }).waitFor();
      const warnings = field(destination, 'warnings');
      await warnings.getByText(/8000/).waitFor();
      await screenshot(page, options, 'rendition_warning');
      return { rendition: await text(field(destination, 'rendition')),
        warnings: await warnings.locator('li').allTextContents(),
        warnings_label: await warnings.getAttribute('aria-label') };
    });

    await steps.run('running', async () => {
      await destination.getByRole('button', { name: 'Start', exact: true }).click();
      await waitForBadge(destination, 'Streaming', STREAMING_TIMEOUT_MS);
      await toPage('Channel', 'main');
      const r = rendition(SECOND);
      await waitForBadge(r, 'Running', 15000);
      // The live counters reach the card: an output frame rate above zero.
      await field(r, 'fps').filter({ hasText: /out$/ }).filter({ hasNotText: / 0 out$/ }).waitFor({ timeout: 20000 });
      await screenshot(page, options, 'rendition_running');
      const shown = {};
      for (const name of ['fps', 'speed', 'cpu', 'preset', 'audio', 'outputs', 'used-by']) {
        shown[name] = await text(field(r, name));
      }
      const channelErrors = await page.locator('[data-field="channel-error"]').count();
      await toPage('Destinations', 'Destinations');
      await destination.getByRole('button', { name: 'Stop', exact: true }).click();
      await waitForBadge(destination, 'Ready', 20000);
      return { ...shown, channel_errors: channelErrors };
    });

    await steps.run('edit_rendition', async () => {
      await toPage('Channel', 'main');
      await rendition(SECOND).getByRole('button', { name: 'Edit', exact: true }).click();
      await form.getByRole('heading', { name: `Edit ${SECOND}` }).waitFor();
      const names = await form.getByLabel('Name', { exact: true }).count(); // a name never changes
      await form.getByLabel('Video bitrate (kbps)').fill('5000');
      await form.getByRole('button', { name: 'Save rendition' }).click();
      await field(rendition(SECOND), 'bitrate').filter({ hasText: /^5000 kbps video/ }).waitFor();
      await toPage('Destinations', 'Destinations');
      // The server sends no event for the destination: the page reads its warnings again on its own.
      await field(destination, 'warnings').waitFor({ state: 'detached', timeout: 10000 });
      return { name_fields: names, rendition: await text(field(destination, 'rendition')) };
    });

    await steps.run('delete_in_use', async () => {
      await toPage('Channel', 'main');
      await rendition(SECOND).getByRole('button', { name: 'Delete', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: `Delete rendition “${SECOND}”?` });
      await dialog.waitFor();
      const inUse = await text(dialog.locator('[data-field="in-use"]'));
      const message = await text(dialog.locator('.server-message'));
      await screenshot(page, options, 'rendition_in_use');
      await dialog.getByRole('button', { name: 'Delete and use passthrough' }).click();
      await dialog.waitFor({ state: 'detached' });
      await rendition(SECOND).waitFor({ state: 'detached', timeout: 10000 });
      await toPage('Destinations', 'Destinations');
      await field(destination, 'rendition').filter({ hasText: PASSTHROUGH }).waitFor({ timeout: 10000 });
      return { in_use: inUse, message, rendition: await text(field(destination, 'rendition')) };
    });

    await steps.run('delete_unused', async () => {
      await toPage('Channel', 'main');
      await rendition(FIRST).getByRole('button', { name: 'Delete', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: `Delete rendition “${FIRST}”?` });
      await dialog.waitFor();
      const question = await text(dialog.locator('.dialog-body'));
      await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
      await rendition(FIRST).waitFor({ state: 'detached', timeout: 10000 });
      return { question, empty: await text(field(renditions, 'no-renditions')) };
    });
  });
}

runCli('gui_renditions_e2e.mjs', parseArgs, run, { ok: false, steps: [], console_errors: [] });
