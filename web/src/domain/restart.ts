// A destination change that restarts a direct-mode MediaLive channel: the server refuses it (409
// restart_required, naming the live destinations the restart interrupts) until the call says allow_restart.
// These functions ask the person once and repeat the refused calls with the restart allowed; the asking itself
// (a dialog) is passed in, so they run without a browser.
import { ApiError } from '../api/api_client';
import type { Destination } from '../api/types';

export function isRestartRequired(error: unknown): error is ApiError {
  return error instanceof ApiError && error.code === 'restart_required';
}

// What the dialog says: the server's message, and the interrupted destinations by name (their id when the GUI
// does not know them). `exclude`: destinations that stop anyway (a "Stop all" ends them, it does not
// interrupt them).
export interface RestartQuestion {
  message: string;
  names: string[];
}

export function restartQuestion(errors: ApiError[], destinations: Record<string, Destination>,
  exclude: readonly string[] = []): RestartQuestion {
  const ids = [...new Set(errors.flatMap((e) => e.destinations))].filter((id) => !exclude.includes(id));
  return {
    message: errors[0]?.message ?? '',
    names: ids.map((id) => destinations[id]?.name ?? id),
  };
}

export type Ask = (errors: ApiError[]) => Promise<boolean>;

// One call: true when it went through, false when the person kept MediaLive as it is. Other errors throw.
export async function withRestart(call: (allowRestart: boolean) => Promise<unknown>, ask: Ask): Promise<boolean> {
  try {
    await call(false);
    return true;
  } catch (err) {
    if (!isRestartRequired(err)) throw err;
    if (!(await ask([err]))) return false;
  }
  await call(true);
  return true;
}

export interface Failure {
  id: string;
  error: unknown;
}

// Every call at once; the refused ones are asked about once, together, then sent again with the restart allowed
// (changes within the server's batch window share one restart). Answers what failed; a declined restart is not
// a failure.
export async function actOnAll(ids: readonly string[], call: (id: string, allowRestart: boolean) => Promise<unknown>,
  ask: Ask): Promise<Failure[]> {
  const first = await Promise.allSettled(ids.map((id) => call(id, false)));
  const failures: Failure[] = [];
  const refused: Array<{ id: string; error: ApiError }> = [];
  first.forEach((result, i) => {
    const id = ids[i]!;
    if (result.status === 'fulfilled') return;
    if (isRestartRequired(result.reason)) refused.push({ id, error: result.reason });
    else failures.push({ id, error: result.reason });
  });
  if (refused.length === 0 || !(await ask(refused.map((r) => r.error)))) return failures;
  const second = await Promise.allSettled(refused.map((r) => call(r.id, true)));
  second.forEach((result, i) => {
    if (result.status === 'rejected') failures.push({ id: refused[i]!.id, error: result.reason });
  });
  return failures.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
}
