// GET /api/v1/events read with fetch(): EventSource cannot send the Authorization header. Reconnects on its own
// after any error (a server restart, a dropped network, a silent half-open connection), resuming with the
// Last-Event-ID header so that no stored event is lost; backs off exponentially with jitter.
import type { FetchFn } from './api_client';
import { SseParser } from './sse_parser';
import { LIVE_EVENT_TYPES, type LiveEvent } from './types';

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface EventStreamOptions {
  url: string;
  headers: () => Record<string, string>;
  onEvent: (event: LiveEvent) => void;
  // `resumed`: the server was asked for what happened since the last event; false means the caller must load the
  // state with GET, because events from before this connection are not coming.
  onOpen?: (info: { resumed: boolean }) => void;
  onState?: (state: StreamState, detail: string | null) => void;
  onUnauthorized?: () => void;
  fetchFn?: FetchFn;
  initialRetryMs?: number; // until the server sends `retry:`
  maxRetryMs?: number;
  idleTimeoutMs?: number; // no byte for this long: the connection is taken as dead (the server sends keep-alives)
  random?: () => number;
}

const DEFAULTS = { initialRetryMs: 1000, maxRetryMs: 15000, idleTimeoutMs: 30000 };

export class EventStream {
  private stopped = true;
  private abort: AbortController | null = null;
  private wake: (() => void) | null = null;
  lastEventId: string | null = null;
  private serverRetryMs: number | null = null;

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
      if (!response.ok || !response.body) throw new Error(`the event stream answered ${response.status}`);
      this.options.onOpen?.({ resumed });
      this.options.onState?.('open', null);
      await this.read(response.body, armIdle);
      return true;
    } finally {
      clearTimeout(idleTimer);
      this.abort = null;
    }
  }

  private async read(body: ReadableStream<Uint8Array>, onBytes: () => void): Promise<void> {
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
          this.lastEventId = message.id;
          this.deliver(message.event, message.data);
        }
        this.lastEventId = parser.lastEventId;
        if (parser.retryMs !== null) this.serverRetryMs = parser.retryMs;
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
