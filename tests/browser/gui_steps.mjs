// What the GUI drivers (gui_e2e.mjs, gui_medialive_e2e.mjs) share on top of chromium.mjs: argument parsing, a
// desktop page that collects console errors, steps run and timed in order (a screenshot of the one that failed),
// logging in and the locators both use.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { launchChromium } from './chromium.mjs';

export const DESKTOP = { width: 1280, height: 800 };
const MAX_CONSOLE_ERRORS = 20;

// `values` maps each `--flag value` to its option, `switches` each lone `--flag`; a throw here is runCli's exit 2.
export function parseFlags(argv, { values, switches = {}, defaults = {}, required = [] }) {
  const options = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    if (switches[argv[i]]) {
      options[switches[argv[i]]] = true;
      continue;
    }
    const key = values[argv[i]];
    if (!key || argv[i + 1] === undefined) throw new Error(`unexpected argument ${argv[i]}`);
    options[key] = argv[++i];
  }
  for (const flag of required) {
    if (!options[values[flag]]) throw new Error(`${flag} is required`);
  }
  return options;
}

class StepFailed extends Error {}

// Playwright's first line says what timed out; its call log says on which element: keep both.
function firstLines(err) {
  const lines = String(err.message || err).split('\n');
  const target = lines.find((line) => /waiting for /.test(line));
  return target ? `${lines[0]} (${target.trim().replace(/^- /, '')})` : lines[0];
}

// Runs the steps in order, timing each; the first failure ends the run.
class Steps {
  constructor(result) {
    this.result = result;
  }

  async run(name, body) {
    const started = Date.now();
    const step = { step: name, ok: false };
    this.result.steps.push(step);
    try {
      Object.assign(step, (await body()) ?? {});
      step.ok = true;
    } catch (err) {
      step.error = firstLines(err);
      await this.onFailure?.(name);
      throw new StepFailed(`step "${name}" failed: ${step.error}`);
    } finally {
      step.seconds = Math.round((Date.now() - started) / 100) / 10;
    }
  }
}

// Runs `body(page, steps)` on a desktop-sized page and closes the browser however it ends (a signal too);
// result.ok only when body returns. `consoleErrorLine(msg)` is what to record of a console error, null when the
// script expects that one.
export async function withGuiPage(options, result, consoleErrorLine, body) {
  if (options.screenshots) mkdirSync(options.screenshots, { recursive: true });
  const browser = await launchChromium();
  const closeOnSignal = () => browser.close().finally(() => process.exit(1));
  process.once('SIGINT', closeOnSignal);
  process.once('SIGTERM', closeOnSignal);
  const steps = new Steps(result);
  let page = null;
  // What the page looked like when a step failed, for whoever reads the verdict.
  steps.onFailure = async (name) => {
    if (!page || !options.screenshots) return;
    await page.screenshot({ path: join(options.screenshots, `failed-${name}.png`) }).catch(() => undefined);
  };
  try {
    const context = await browser.newContext({ viewport: DESKTOP });
    page = await context.newPage();
    page.setDefaultTimeout(15000);
    const logError = (line) => result.console_errors.length < MAX_CONSOLE_ERRORS && result.console_errors.push(line);
    page.on('pageerror', (err) => logError(String(err)));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const line = consoleErrorLine(msg);
      if (line !== null) logError(line);
    });
    await body(page, steps);
    result.ok = true;
  } finally {
    await browser.close();
  }
}

export async function screenshot(page, options, name) {
  if (!options.screenshots) return;
  await page.screenshot({ path: join(options.screenshots, `${name}.png`) });
}

// Submits the login form already on screen; done once the channel page shows.
export async function logIn(page, token) {
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Connect your encoder' }).waitFor();
}

export const card = (page, name) => page.getByRole('article', { name, exact: true });

export async function waitForBadge(scope, word, timeout) {
  await scope.locator('.badge').filter({ hasText: new RegExp(`^${word}$`) }).waitFor({ state: 'visible', timeout });
}
