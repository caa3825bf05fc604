// Drives the web GUI in headless Chromium against a real `lunora serve` whose channel --channel runs on MediaLive
// in direct mode (the fake MediaLive of tests/integration/medialive_fake.py stands in for AWS) with two stopped
// destinations --destination-a and --destination-b, and prints one JSON line: every step with its result.
//
//   node tests/browser/gui_medialive_e2e.mjs --url BASE --token ADMIN_TOKEN --channel NAME \
//        --destination-a NAME --destination-b NAME [--local-channel NAME] [--screenshots DIR]
//
// Steps: log in (and, with --local-channel, see that channel's Input card, which proves the locator that finds the
// card absent below); the channel page shows the AWS MediaLive card (mode, MediaLive's channel id, state IDLE) and
// neither Lunora's Input card nor the Backup input card; on the Destinations page (no "No input yet" notice)
// destination A starts without a question and reaches "Streaming"; the card says RUNNING with a cost line;
// starting destination B asks to restart MediaLive, naming A; confirmed, both reach "Streaming", the card counts
// two starts and pushes to both, and the monitoring page's events log has MediaLive's lines.
// Exit 0 only when every step passed; 1 on the first failure (its message on stderr); 2 on bad arguments.
import { runCli } from './chromium.mjs';
import { card, logIn, parseFlags, screenshot, waitForBadge, withGuiPage } from './gui_steps.mjs';

const STREAMING_TIMEOUT_MS = 30000;

function parseArgs(argv) {
  const options = parseFlags(argv, {
    values: { '--url': 'url', '--token': 'token', '--channel': 'channel', '--destination-a': 'a',
      '--destination-b': 'b', '--local-channel': 'localChannel', '--screenshots': 'screenshots' },
    defaults: { screenshots: null, localChannel: null },
    required: ['--url', '--token', '--channel', '--destination-a', '--destination-b'],
  });
  options.url = options.url.replace(/\/$/, '');
  return options;
}

const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

// Expected: the server refuses the start that needs a restart (409 restart_required) before the question; the
// local channel's preview player probes its playlist while HLS starts (503).
function consoleErrorLine(msg) {
  const url = msg.location()?.url ?? '';
  if (/\b409\b/.test(msg.text()) && url.includes('/api/v1/destinations/')) return null;
  if (/\b503\b/.test(msg.text()) && url.includes('/hls/')) return null;
  return `${msg.text()} (${url})`;
}

async function run(options, result) {
  await withGuiPage(options, result, consoleErrorLine, async (page, steps) => {
    const pages = page.getByRole('navigation', { name: 'Pages' });
    const medialive = page.getByRole('region', { name: 'AWS MediaLive' });
    const field = (name) => medialive.locator(`[data-field="${name}"]`);
    const inputCard = page.getByRole('region', { name: /^(Primary )?Input$/ });
    const a = card(page, options.a);
    const b = card(page, options.b);

    await steps.run('login', async () => {
      await page.goto(`${options.url}/`, { waitUntil: 'domcontentloaded' });
      await logIn(page, options.token);
      if (!options.localChannel) return {};
      await page.getByLabel('Channel', { exact: true }).selectOption({ label: options.localChannel });
      await page.getByRole('heading', { name: options.localChannel, level: 1 }).waitFor();
      await inputCard.waitFor();
      return { local_input_cards: await inputCard.count(),
        local_backup_cards: await page.getByRole('region', { name: 'Backup input' }).count() };
    });

    await steps.run('channel', async () => {
      await page.getByLabel('Channel', { exact: true }).selectOption({ label: options.channel });
      await page.getByRole('heading', { name: options.channel, level: 1 }).waitFor();
      await field('medialive-state').filter({ hasText: /^IDLE$/ }).waitFor();
      const mode = await text(field('mode'));
      const channelId = await text(field('medialive-channel'));
      const feed = await text(field('feed'));
      const listener = await text(page.locator('dl[aria-label="MediaLive input"] code').first());
      // The rest of the page is there: the cards Lunora does not show for a direct channel are really absent.
      await page.getByRole('region', { name: 'Preview' }).waitFor();
      const inputCards = await inputCard.count();
      const backupCards = await page.getByRole('region', { name: 'Backup input' }).count();
      const addBackup = await page.getByRole('button', { name: 'Add backup input' }).count();
      await screenshot(page, options, 'medialive_channel');
      return { mode, medialive_channel_id: channelId, feed, srt_listener: listener, input_cards: inputCards,
        backup_cards: backupCards, add_backup_buttons: addBackup };
    });

    await steps.run('start_a', async () => {
      await pages.getByRole('link', { name: 'Destinations' }).click();
      await page.getByRole('heading', { name: 'Destinations', level: 1 }).waitFor();
      await waitForBadge(a, 'Ready', 15000);
      await waitForBadge(b, 'Ready', 15000);
      const feedHint = await text(page.locator('[data-field="medialive-feed"]'));
      const noInputNotices = await page.getByText(/^No input yet/).count();
      await a.getByRole('button', { name: 'Start', exact: true }).click();
      // MediaLive is IDLE: the change needs no restart, so nothing is asked.
      await waitForBadge(a, 'Streaming', STREAMING_TIMEOUT_MS);
      const dialogs = await page.getByRole('dialog').count();
      return { feed_hint: feedHint, no_input_notices: noInputNotices, dialogs_for_a: dialogs };
    });

    await steps.run('running', async () => {
      await pages.getByRole('link', { name: 'Channel' }).click();
      await field('medialive-state').filter({ hasText: /^RUNNING$/ }).waitFor({ timeout: STREAMING_TIMEOUT_MS });
      await field('billed').filter({ hasText: /^\d+ min \(1 start\)$/ }).waitFor();
      await field('minimum-left').waitFor(); // a fresh start: most of its 10-minute minimum is left
      return { outputs: await text(field('medialive-outputs')), billed: await text(field('billed')),
        estimate: await text(field('estimate')), running_time: await text(field('running-time')),
        minimum_left: await text(field('minimum-left')) };
    });

    await steps.run('start_b', async () => {
      await pages.getByRole('link', { name: 'Destinations' }).click();
      await b.getByRole('button', { name: 'Start', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Restart MediaLive?' });
      await dialog.waitFor();
      const interrupted = await text(dialog.locator('[data-field="interrupted"]'));
      const message = await text(dialog.locator('.server-message'));
      // Asked, not done: B waits for the answer.
      await waitForBadge(b, 'Ready', 1000);
      await screenshot(page, options, 'restart_dialog');
      await dialog.getByRole('button', { name: 'Restart MediaLive and apply' }).click();
      await dialog.waitFor({ state: 'detached' });
      await waitForBadge(b, 'Streaming', STREAMING_TIMEOUT_MS + 15000);
      await waitForBadge(a, 'Streaming', STREAMING_TIMEOUT_MS);
      return { interrupted, message };
    });

    await steps.run('restarted', async () => {
      await pages.getByRole('link', { name: 'Channel' }).click();
      await field('medialive-state').filter({ hasText: /^RUNNING$/ }).waitFor({ timeout: STREAMING_TIMEOUT_MS });
      await field('billed').filter({ hasText: /\(2 starts\)$/ }).waitFor();
      const outputs = await text(field('medialive-outputs'));
      const billed = await text(field('billed'));
      await pages.getByRole('link', { name: 'Monitoring' }).click();
      const log = page.getByRole('log');
      await log.getByText(/^MediaLive channel \S+: RUNNING$/).first().waitFor();
      const lines = (await log.locator('li span').allTextContents()).filter((line) => line.startsWith('MediaLive'));
      const inputCharts = await page.getByRole('region', { name: 'Input' }).count();
      await screenshot(page, options, 'monitoring');
      return { outputs, billed, log: lines, input_charts: inputCharts };
    });
  });
}

runCli('gui_medialive_e2e.mjs', parseArgs, run, { ok: false, steps: [], console_errors: [] });
