// GET /api/v1/events read with fetch(): EventSource cannot send the Authorization header. Reconnects on its own
// after any error (a server restart, a dropped network, a silent half-open connection), resuming with the
// Last-Event-ID header so that no stored event is lost; backs off exponentially with jitter.
//
// Where the server cannot stream at all (Lunora on AWS Lambda answers 501 events_unavailable; a proxy or CDN in front
// may answer 404 or 405, or hold the stream back so that not even its first line, `retry:`, arrives), a caller that
// passes `onUnavailable` is told so once and the stream stops trying: reconnecting would never help. Without
// `onUnavailable` those answers are retried like any other failure.
import type { FetchFn } from './api_client';
import { SseParser } from './sse_parser';
import { LIVE_EVENT_TYPES, type LiveEvent } from './types';

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'closed';

// Answers that say the event stream does not exist here (as opposed to a server that is down or restarting).
export const UNAVAILABLE_STATUSES: ReadonlySet<number> = new Set([404, 405, 501]);

// Connections in a row that answered 200 but delivered neither the server's first line (`retry:`) nor an event
// before the stream is taken as held back by something in between.
export const SILENT_OPENS_BEFORE_UNAVAILABLE = 2;

export interface EventStreamOptions {
  url: string;
  headers: () => Record<string, string>;
  onEvent: (event: LiveEvent) => void;
  // `resumed`: the server was asked for what happened since the last event; false means the caller must load the
  // state with GET, because events from before this connection are not coming.
  onOpen?: (info: { resumed: boolean }) => void;
  onState?: (state: StreamState, detail: string | null) => void;
  onUnauthorized?: () => void;
  // The server cannot stream here (see UNAVAILABLE_STATUSES): the stream has stopped for good; `detail` says why.
  onUnavailable?: (detail: string) => void;
  fetchFn?: FetchFn;
  initialRetryMs?: number; // until the server sends `retry:`
  maxRetryMs?: number;
  idleTimeoutMs?: number; // no byte for this long: the connection is taken as dead (the server sends keep-alives)
  // With onUnavailable: an open stream whose `retry:` line (the server's first) has not come after this long is cut
  // and counts as a silent open.
  retryLineTimeoutMs?: number;
  random?: () => number;
}

const DEFAULTS = { initialRetryMs: 1000, maxRetryMs: 15000, idleTimeoutMs: 30000, retryLineTimeoutMs: 10000 };

// The sentence for an answer that says the stream is not available here, with the server's code when it gave one.
async function unavailableDetail(response: Response): Promise<string> {
  let code: string | null = null;
  try {
    const body = JSON.parse(await response.text()) as { error?: { code?: unknown } } | null;
    if (typeof body?.error?.code === 'string') code = body.error.code;
  } catch {
    // not the API's error shape (a proxy's page): the status alone has to do
  }
  return `the event stream answered ${response.status}${code ? ` (${code})` : ''}`;
}

export class EventStream {
  private stopped = true;
  private abort: AbortController | null = null;
  private wake: (() => void) | null = null;
  lastEventId: string | null = null;
  private serverRetryMs: number | null = null;
  private silentOpens = 0;
  unavailable = false; // the server said it cannot stream here: the stream stopped for good

  constructor(private readonly options: EventStreamOptions) {}

  start(): Promise<void> {
    if (!this.stopped) return Promise.resolve();
    this.stopped = false;
    return this.run();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.wake?.();
    this.options.onState?.('closed', null);
  }

  // The delay before reconnect attempt `attempt` (1, 2, ...): the server's retry time doubled each time, capped,
  // spread by +-20 % so that many browsers do not come back in step after a restart.
  retryDelayMs(attempt: number): number {
    const base = this.serverRetryMs ?? this.options.initialRetryMs ?? DEFAULTS.initialRetryMs;
    const cap = this.options.maxRetryMs ?? DEFAULTS.maxRetryMs;
    const delay = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
    const random = this.options.random ?? Math.random;
    return Math.round(delay * (0.8 + 0.4 * random()));
  }

  private async run(): Promise<void> {
    let attempt = 0;
    this.options.onState?.('connecting', null);
    while (!this.stopped) {
      let detail: string;
      try {
        const opened = await this.connectOnce();
        if (opened) attempt = 0; // a connection that worked starts the backoff over
        detail = 'the event stream ended';
      } catch (err) {
        detail = err instanceof Error ? err.message : String(err);
      }
      if (this.stopped) break;
      attempt += 1;
      this.options.onState?.('reconnecting', detail);
      await this.sleep(this.retryDelayMs(attempt));
    }
  }

  // One connection, until it ends. True when the server answered 200 (the stream was open).
  private async connectOnce(): Promise<boolean> {
    const abort = new AbortController();
    this.abort = abort;
    const headers = this.options.headers();
    const resumeFrom = this.lastEventId;
    const resumed = resumeFrom !== null;
    if (resumed) headers['Last-Event-ID'] = resumeFrom;
    const fetchFn = this.options.fetchFn ?? ((input, init) => fetch(input, init));
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    let retryLineTimer: ReturnType<typeof setTimeout> | undefined;
    const idleMs = this.options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs;
    const armIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => abort.abort(), idleMs);
    };
    try {
      armIdle();
      const response = await fetchFn(this.options.url, { headers, signal: abort.signal, cache: 'no-store' });
      if (response.status === 401) {
        this.stopped = true;
        this.options.onUnauthorized?.();
        return false;
      }
      if (UNAVAILABLE_STATUSES.has(response.status) && this.options.onUnavailable) {
        this.giveUp(await unavailableDetail(response));
        return false;
      }
      if (!response.ok || !response.body) throw new Error(`the event stream answered ${response.status}`);
      this.options.onOpen?.({ resumed });
      this.options.onState?.('open', null);
      if (!this.options.onUnavailable) {
        await this.read(response.body, armIdle);
        return true;
      }
      // Watch for the `retry:` line (or, from a server without one, an event): a stream that opens but delivers
      // neither is held back on the way.
      let sawRetryLine = false;
      let silent = false;
      retryLineTimer = setTimeout(() => {
        silent = true;
        abort.abort();
      }, this.options.retryLineTimeoutMs ?? DEFAULTS.retryLineTimeoutMs);
      const onFirstLine = () => {
        sawRetryLine = true;
        this.silentOpens = 0;
        clearTimeout(retryLineTimer);
      };
      try {
        await this.read(response.body, armIdle, onFirstLine);
      } catch (err) {
        if (!silent) throw err;
      }
      if (!sawRetryLine && !this.stopped) {
        this.silentOpens += 1;
        if (this.silentOpens >= SILENT_OPENS_BEFORE_UNAVAILABLE) {
          this.giveUp('the event stream opened but delivered nothing');
          return false;
        }
        if (silent) throw new Error('the event stream opened but delivered nothing');
      }
      return true;
    } finally {
      clearTimeout(idleTimer);
      clearTimeout(retryLineTimer);
      this.abort = null;
    }
  }

  private giveUp(detail: string): void {
    this.stopped = true;
    this.unavailable = true;
    this.options.onUnavailable?.(detail);
  }

  private async read(body: ReadableStream<Uint8Array>, onBytes: () => void, onFirstLine?: () => void)
    : Promise<void> {
    // A fresh parser per connection: a line cut by a broken connection must not join the next stream's first.
    const parser = new SseParser();
    parser.resumeFrom(this.lastEventId);
    const decoder = new TextDecoder();
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || this.stopped) return;
        onBytes();
        for (const message of parser.feed(decoder.decode(value, { stream: true }))) {
          onFirstLine?.();
          this.lastEventId = message.id;
          this.deliver(message.event, message.data);
        }
        this.lastEventId = parser.lastEventId;
        if (parser.retryMs !== null) {
          this.serverRetryMs = parser.retryMs;
          onFirstLine?.();
        }
      }
    } finally {
      reader.cancel().catch(() => undefined);
    }
  }

  private deliver(type: string, data: string): void {
    if (!LIVE_EVENT_TYPES.has(type)) return; // a newer server's event: not for this GUI
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      console.warn(`lunora: event ${type} carries no JSON; skipped`);
      return;
    }
    this.options.onEvent({ type, data: parsed } as LiveEvent); // the server's contract (openapi.yaml) types data
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
