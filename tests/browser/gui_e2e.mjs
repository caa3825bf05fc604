// Drives the web GUI in headless Chromium as a producer would, against a real `lunora serve` with an encoder
// already publishing to its channel `main`, and prints one JSON line: every step with its result.
//
//   node tests/browser/gui_e2e.mjs --url BASE --token ADMIN_TOKEN --rtmp-url rtmp://HOST:PORT/APP \
//        --stream-key KEY --refuse-url rtmp://HOST:DEAD_PORT/APP [--screenshots DIR] [--restart-handshake]
//        [--backup-port UDP_PORT]
//
// Steps: log in (a wrong token first), the channel page with a playing preview, add a custom destination with
// the keyboard and the Add form, start it ("Streaming"), a refresh shows the same, the monitoring chart has
// data, stop it ("Ready"), point it at a server that refuses ("Error" with a reason), delete it, create, switch
// to and delete a second channel, a phone-sized layout, (with --backup-port) a backup input added on that port in
// the page, the failover to it when the primary encoder dies, a refused and a done switch back by hand and the
// backup removed, and (with --restart-handshake) live updates coming back after the server restarts. Where the
// caller must act, the script prints {"waiting_for":"<what>"} and reads one line on stdin once it is done:
// backup_encoder (start an encoder on the backup port), primary_killed (kill the primary encoder), primary_back
// (start it again) and restart (restart the server).
// Exit 0 only when every step passed; 1 on the first failure (its message on stderr); 2 on bad arguments.
import { createInterface } from 'node:readline';

import { runCli } from './chromium.mjs';
import { DESKTOP, card, logIn, parseFlags, screenshot, waitForBadge, withGuiPage } from './gui_steps.mjs';

const PHONE = { width: 390, height: 844 };
const DESTINATION = 'Nginx test';

function parseArgs(argv) {
  const options = parseFlags(argv, {
    values: { '--url': 'url', '--token': 'token', '--rtmp-url': 'rtmpUrl', '--stream-key': 'streamKey',
      '--refuse-url': 'refuseUrl', '--screenshots': 'screenshots', '--streaming-timeout': 'streamingTimeout',
      '--chart-samples': 'chartSamples', '--backup-port': 'backupPort' },
    switches: { '--restart-handshake': 'restartHandshake' },
    // --chart-samples: how many seconds of bitrate the monitoring chart must show (more makes nicer screenshots).
    defaults: { screenshots: null, restartHandshake: false, streamingTimeout: '10', chartSamples: '3',
      backupPort: null },
    required: ['--url', '--token', '--rtmp-url', '--stream-key', '--refuse-url'],
  });
  options.url = options.url.replace(/\/$/, '');
  options.streamingTimeout = Number(options.streamingTimeout) * 1000;
  options.chartSamples = Number(options.chartSamples);
  return options;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Seconds of playback seen in the preview frame: counts only forward steps no larger than the wall-clock time
// between two looks, so the jump to the live edge is not taken for playback.
async function previewPlayback(page, seconds, timeout) {
  const deadline = Date.now() + timeout;
  let advanced = 0;
  let last = null;
  let lastAt = 0;
  while (Date.now() < deadline) {
    const frame = page.frames().find((f) => f.url().includes('/watch/'));
    const now = Date.now();
    const time = frame ? await frame.evaluate(() => document.querySelector('video')?.currentTime ?? 0)
      .catch(() => 0) : 0;
    if (time > 0) {
      const step = last === null ? 0 : time - last;
      if (step > 0 && step <= (now - lastAt) / 1000 + 0.5) advanced += step;
      last = time;
      lastAt = now;
    }
    if (advanced >= seconds) return Math.round(advanced * 10) / 10;
    await sleep(250);
  }
  throw new Error(`the preview played ${advanced.toFixed(1)} s, not ${seconds} s`);
}

async function chartOf(scope) {
  const figure = scope.locator('figure.chart');
  return {
    samples: Number(await figure.getAttribute('data-samples')),
    maxKbps: Number(await figure.getAttribute('data-max-kbps')),
    canvas: await figure.locator('canvas').count(),
  };
}

async function waitForChart(scope, samples, timeout) {
  const deadline = Date.now() + timeout;
  let chart = null;
  while (Date.now() < deadline) {
    chart = await chartOf(scope);
    if (chart.samples >= samples && chart.maxKbps > 0 && chart.canvas > 0) return chart;
    await sleep(250);
  }
  throw new Error(`the bitrate chart stayed empty: ${JSON.stringify(chart)}`);
}

// Tabs through the page until `name` has the focus: proves the control is reachable by keyboard.
async function tabTo(page, name, maxTabs = 40) {
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    if (focused === name) return i + 1;
  }
  throw new Error(`"${name}" was not reached with ${maxTabs} presses of Tab`);
}

// Asks the caller to do something outside the browser and waits until it says it is done.
async function handshake(what) {
  console.log(JSON.stringify({ waiting_for: what }));
  const answer = await readLine();
  if (answer === null) throw new Error(`stdin closed before "${what}" was done`);
}

function readLine() {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.once('line', (line) => {
      resolve(line); // first: close() below emits 'close' at once
      lines.close();
    });
    lines.once('close', () => resolve(null));
  });
}

// The backup input (issue 6), on the channel page: added on --backup-port, on air once the primary encoder is
// killed, refused and then done switches back to the primary by hand, removed.
async function backupInput(page, steps, options) {
  const pages = page.getByRole('navigation', { name: 'Pages' });
  const backup = page.getByRole('region', { name: 'Backup input' });
  const health = (role) => backup.locator(`[data-field="${role}-health"]`);
  const onAir = (role) => backup.locator(`th[data-input="${role}"]`).getByText('On air', { exact: true });

  await steps.run('backup_add', async () => {
    await pages.getByRole('link', { name: 'Channel' }).click();
    await backup.getByRole('radio', { name: /SRT \(a port of its own/ }).check();
    await backup.getByLabel('Backup SRT port (optional)').fill(options.backupPort);
    await backup.getByRole('button', { name: 'Add backup input' }).click();
    await onAir('primary').waitFor();
    const url = await page.locator('dl[aria-label="Backup encoder"] code').first().textContent({ timeout: 15000 });
    const copyButtons = await page.getByRole('button', { name: /^Copy Backup / }).count();
    // Back to the primary only by hand: the switch back below is the button's doing.
    await backup.getByText('Failover settings').click();
    await backup.getByLabel(/^Fail back after/).fill('0');
    await backup.getByRole('button', { name: 'Save settings' }).click();
    await backup.getByText('Back to the primary only by hand').waitFor();
    await handshake('backup_encoder');
    await health('backup').filter({ hasText: /^Delivering over SRT/ }).waitFor({ timeout: 30000 });
    return { backup_srt_url: url, backup_copy_buttons: copyButtons };
  });

  await steps.run('failover', async () => {
    await handshake('primary_killed');
    const killedAt = Date.now();
    await onAir('backup').waitFor({ timeout: 15000 });
    const seconds = Math.round((Date.now() - killedAt) / 100) / 10;
    await backup.locator('[data-field="failovers"]').filter({ hasText: /^1 to the backup/ }).waitFor();
    const lastSwitch = await backup.locator('[data-field="last-switch"]').textContent();
    await screenshot(page, options, 'failover');
    // The primary delivers nothing: the server refuses to switch back, and the card says why.
    await backup.getByRole('button', { name: 'Switch to primary' }).click();
    const refusal = await backup.getByRole('alert').textContent();
    await pages.getByRole('link', { name: 'Monitoring' }).click();
    const logged = await page.getByRole('log').getByText(/backup input on air/).first().textContent();
    await pages.getByRole('link', { name: 'Channel' }).click();
    return { on_air_after_s: seconds, failovers: await backup.locator('[data-field="failovers"]').textContent(),
      last_switch: lastSwitch, refusal, logged };
  });

  await steps.run('switch_back', async () => {
    await handshake('primary_back');
    await health('primary').filter({ hasText: /^Delivering/ }).waitFor({ timeout: 30000 });
    await backup.getByRole('button', { name: 'Switch to primary' }).click();
    await onAir('primary').waitFor({ timeout: 15000 });
    const failovers = await backup.locator('[data-field="failovers"]').textContent();
    await backup.getByRole('button', { name: 'Remove backup' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click();
    await backup.getByRole('button', { name: 'Add backup input' }).waitFor();
    await page.locator('dl[aria-label="Backup encoder"]').waitFor({ state: 'detached' });
    await pages.getByRole('link', { name: 'Destinations' }).click(); // where server_restart looks
    return { failovers };
  });
}

// Expected: the preview's player probes the playlist while HLS starts (503), the wrong token is refused (401), a
// switch to an input that delivers nothing is refused (409).
const consoleErrorLine = (msg) => (/\b(503|401|409)\b/.test(msg.text()) ? null : msg.text());

async function run(options, result) {
  await withGuiPage(options, result, consoleErrorLine, async (page, steps) => {
    await steps.run('login', async () => {
      await page.goto(`${options.url}/`, { waitUntil: 'domcontentloaded' });
      await page.getByLabel('Admin token').waitFor();
      await screenshot(page, options, 'login');
      await page.getByLabel('Admin token').fill('not-the-admin-token-0000');
      await page.getByRole('button', { name: 'Log in' }).click();
      const refused = await page.getByRole('alert').textContent();
      if (!/not valid/.test(refused)) throw new Error(`a wrong token was not refused: ${refused}`);
      await logIn(page, options.token);
      const stored = await page.evaluate(() => sessionStorage.getItem('lunora.admin_token'));
      if (stored !== options.token) throw new Error('the token is not kept in sessionStorage');
      return { wrong_token_message: refused };
    });

    await steps.run('channel', async () => {
      await page.getByText(/^Yes, over/).waitFor({ timeout: 30000 }); // the encoder is connected
      const ingest = await page.locator('.ingest code').first().textContent();
      const copyButtons = await page.getByRole('button', { name: /^Copy / }).count();
      if (copyButtons < 2) throw new Error(`${copyButtons} copy buttons`);
      const video = await page.locator('dt:text-is("Video") + dd').textContent();
      return { ingest_url: ingest, input_video: video, copy_buttons: copyButtons };
    });

    await steps.run('preview', async () => {
      const played = await previewPlayback(page, 3, 60000);
      await screenshot(page, options, 'channel');
      return { preview_played_s: played };
    });

    await steps.run('add_destination', async () => {
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Destinations' }).click();
      await page.getByRole('heading', { name: 'Destinations', level: 1 }).waitFor();
      const tabs = await tabTo(page, 'Add destination');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Add destination', level: 1 }).waitFor();
      await page.getByLabel('Platform').selectOption('youtube');
      const youtubeUrl = await page.getByLabel('Server URL').inputValue();
      if (!youtubeUrl.startsWith('rtmp')) throw new Error(`the YouTube preset filled no URL: "${youtubeUrl}"`);
      await page.getByRole('heading', { name: 'What YouTube accepts' }).waitFor();
      await page.getByLabel('Platform').selectOption('custom');
      await page.getByLabel('Name').fill(DESTINATION);
      await page.getByLabel('Server URL').fill(options.rtmpUrl);
      const keyField = page.getByLabel(/^Stream key/);
      if ((await keyField.getAttribute('type')) !== 'password') throw new Error('the stream key field is not masked');
      await keyField.fill(options.streamKey);
      await screenshot(page, options, 'add_destination');
      await keyField.press('Enter'); // submits the form
      await waitForBadge(card(page, DESTINATION), 'Ready', 15000);
      return { tabs_to_add_button: tabs, youtube_preset_url: youtubeUrl };
    });

    await steps.run('start', async () => {
      const destination = card(page, DESTINATION);
      await destination.getByRole('button', { name: 'Start', exact: true }).click();
      await waitForBadge(destination, 'Streaming', options.streamingTimeout);
      await destination.locator('[data-field="bitrate"]').filter({ hasText: /[1-9]/ }).waitFor({ timeout: 15000 });
      await screenshot(page, options, 'destinations');
      return { bitrate: await destination.locator('[data-field="bitrate"]').textContent() };
    });

    await steps.run('monitoring', async () => {
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Monitoring' }).click();
      const monitor = card(page, DESTINATION);
      const chart = await waitForChart(monitor, options.chartSamples, 20000 + options.chartSamples * 1000);
      // The events log saw the status change arrive over the live stream.
      await page.getByRole('log').getByText(`${DESTINATION}: Starting → Streaming`).first().waitFor();
      await screenshot(page, options, 'monitoring');
      return { chart_samples: chart.samples, chart_max_kbps: chart.maxKbps };
    });

    await steps.run('refresh', async () => {
      await page.reload({ waitUntil: 'domcontentloaded' });
      await page.getByRole('heading', { name: 'Monitoring', level: 1 }).waitFor(); // still logged in, same page
      await waitForBadge(card(page, DESTINATION), 'Streaming', 15000);
    });

    await steps.run('stop', async () => {
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Destinations' }).click();
      const destination = card(page, DESTINATION);
      await destination.getByRole('button', { name: 'Stop', exact: true }).click();
      await waitForBadge(destination, 'Ready', 20000);
    });

    await steps.run('error', async () => {
      const destination = card(page, DESTINATION);
      await destination.getByRole('button', { name: 'Edit', exact: true }).click();
      await page.getByRole('heading', { name: `Edit ${DESTINATION}`, level: 1 }).waitFor();
      await page.getByLabel('Server URL').fill(options.refuseUrl);
      await page.getByRole('button', { name: 'Save' }).click();
      await destination.getByRole('button', { name: 'Start', exact: true }).click();
      await waitForBadge(destination, 'Error', 30000);
      const reason = (await destination.locator('[data-field="error"]').innerText()).replace(/\s+/g, ' ').trim();
      await screenshot(page, options, 'destination_error');
      return { error_reason: reason };
    });

    await steps.run('delete', async () => {
      const destination = card(page, DESTINATION);
      await destination.getByRole('button', { name: 'Delete', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
      await destination.waitFor({ state: 'detached', timeout: 15000 });
    });

    await steps.run('channels', async () => {
      await page.getByRole('link', { name: 'New channel' }).click();
      await page.getByRole('heading', { name: 'New channel', level: 1 }).waitFor();
      await page.getByLabel('Name').fill('Second');
      await page.getByRole('button', { name: 'Create channel' }).click();
      await page.getByRole('heading', { name: 'Second', level: 1 }).waitFor();
      const ingest = await page.locator('.ingest code').first().textContent({ timeout: 15000 });
      await page.getByLabel('Channel', { exact: true }).selectOption({ label: 'main' });
      await page.getByRole('heading', { name: 'main', level: 1 }).waitFor();
      await page.getByLabel('Channel', { exact: true }).selectOption({ label: 'Second' });
      await page.getByRole('button', { name: 'Delete channel' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('heading', { name: 'main', level: 1 }).waitFor();
      // No confirmation is left open over the next channel's page (it once stayed, asking to delete "main").
      if (await page.getByRole('dialog').count() > 0) throw new Error('a dialog is still open after the delete');
      const left = await page.getByLabel('Channel', { exact: true }).locator('option').allTextContents();
      if (left.includes('Second')) throw new Error(`the deleted channel is still listed: ${left}`);
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Destinations' }).click();
      return { second_channel_ingest: ingest };
    });

    await steps.run('phone', async () => {
      await page.setViewportSize(PHONE);
      await page.getByRole('button', { name: 'Add destination' }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) throw new Error(`the page is ${overflow} px wider than a phone screen`);
      await screenshot(page, options, 'phone');
      await page.setViewportSize(DESKTOP);
    });

    if (options.backupPort) await backupInput(page, steps, options);

    if (options.restartHandshake) {
      await steps.run('server_restart', async () => {
        await handshake('restart'); // the caller restarted the server and added "After restart"
        await waitForBadge(card(page, 'After restart'), 'Ready', 60000);
        await page.locator('.live-open').waitFor({ timeout: 30000 });
      });
    }

    await steps.run('logout', async () => {
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByText('You are logged out.').waitFor();
      const stored = await page.evaluate(() => sessionStorage.getItem('lunora.admin_token'));
      if (stored !== null) throw new Error('the token is still in sessionStorage');
    });
  });
}

runCli('gui_e2e.mjs', parseArgs, run, { ok: false, steps: [], console_errors: [] });
