// One logged-in session: the API client, the live event stream and the store, wired together. The stream is
// opened first; the state is loaded with GET once it is open (and again after a `resync`, or when the stream
// had to start over without Last-Event-ID), so that no change falls between the snapshot and the events.
//
// Where the server cannot stream events (it answers 501 events_unavailable on AWS Lambda; a proxy may answer 404 or
// 405, or hold the stream back), the session stops trying for good and polls the lists instead, every
// POLL_INTERVAL_MS while the page is visible. The header's connection state follows the polls: Live while they
// succeed, Reconnecting… after one failed (the page keeps the last state it knew until the next one).
import { ApiClient, ApiError, type FetchFn } from '../api/api_client';
import { EventStream, type StreamState } from '../api/event_stream';
import type { LiveEvent } from '../api/types';
import { renditionSettingsKey } from '../domain/renditions';
import { documentVisibility, Poller, POLL_INTERVAL_MS, type Visibility } from './poller';
import { Store } from './store';

export interface SessionOptions {
  fetchFn?: FetchFn;
  onUnauthorized?: () => void; // the token was revoked or the server now has another one
  now?: () => number;
  reloadRetryMs?: number;
  streamRetryMs?: number; // the event stream's first reconnect delay until the server sends `retry:`
  pollIntervalMs?: number; // POLL_INTERVAL_MS unless set
  visibility?: Visibility | null; // the document's unless set; null: always visible
}

export class Session {
  readonly store = new Store();
  readonly api: ApiClient;
  private readonly stream: EventStream;
  private readonly poller: Poller;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private platformsTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  loadError: string | null = null;

  constructor(token: string, private readonly options: SessionOptions = {}) {
    this.api = new ApiClient(token, options.fetchFn);
    const streamOptions: ConstructorParameters<typeof EventStream>[0] = {
      url: `${this.api.base}/events?stats=1`,
      headers: () => this.api.headers(),
      onEvent: (event) => this.onEvent(event),
      onOpen: ({ resumed }) => {
        if (!resumed) void this.reload();
      },
      onState: (state, detail) => {
        this.store.dispatch({ type: 'stream', state, detail });
        // The stream cannot open (a proxy refusing it, a server that answers 5xx): show the state anyway.
        if (state === 'reconnecting' && !this.store.state.loaded) void this.reload();
      },
      onUnauthorized: () => this.options.onUnauthorized?.(),
      onUnavailable: () => this.startPolling(),
    };
    if (options.fetchFn) streamOptions.fetchFn = options.fetchFn;
    if (options.streamRetryMs !== undefined) streamOptions.initialRetryMs = options.streamRetryMs;
    this.stream = new EventStream(streamOptions);
    this.poller = new Poller({
      poll: () => this.poll(),
      intervalMs: options.pollIntervalMs ?? POLL_INTERVAL_MS,
      visibility: options.visibility === undefined ? documentVisibility() : options.visibility,
    });
  }

  // True once the server said it cannot stream events here: the lists are polled instead.
  get polling(): boolean {
    return this.poller.running;
  }

  start(): void {
    void this.stream.start();
    void this.loadPlatforms();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reloadTimer);
    clearTimeout(this.platformsTimer);
    this.poller.stop();
    this.stream.stop();
  }

  private startPolling(): void {
    if (this.stopped) return;
    clearTimeout(this.reloadTimer); // the polls load the state from now on
    this.poller.start();
  }

  // One look at the lists in place of the events. A failure keeps the last state and shows the connection as lost;
  // the next period tries again.
  private async poll(): Promise<void> {
    if (this.stopped) return;
    const sentAtSeq = this.store.state.seq;
    try {
      const { channels, destinations } = await this.loadLists();
      if (this.stopped) return;
      this.loadError = null;
      this.store.dispatch({ type: 'poll', channels, destinations, sentAtSeq, now: this.now() });
      this.showStream('open', null);
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof ApiError && err.unauthorized) {
        this.poller.stop();
        return this.options.onUnauthorized?.();
      }
      this.loadError = err instanceof Error ? err.message : String(err);
      this.showStream('reconnecting', this.loadError);
    }
  }

  // One request after the other, not both at once: on AWS Lambda the function answers one request at a time
  // and a second one sent meanwhile is refused (API Gateway's 500).
  private async loadLists(): Promise<{
    channels: Awaited<ReturnType<ApiClient['listChannels']>>;
    destinations: Awaited<ReturnType<ApiClient['listDestinations']>>;
  }> {
    const channels = await this.api.listChannels();
    const destinations = await this.api.listDestinations();
    return { channels, destinations };
  }

  private showStream(state: StreamState, detail: string | null): void {
    const shown = this.store.state.stream;
    if (shown.state !== state || shown.detail !== detail) this.store.dispatch({ type: 'stream', state, detail });
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  private onEvent(event: LiveEvent): void {
    if (event.type === 'resync') void this.reload();
    const before = event.type === 'channel' ? this.store.state.channels[event.data.id] : undefined;
    this.store.dispatch({ type: 'event', event, now: this.now() });
    if (event.type === 'channel' && before && renditionSettingsKey(before) !== renditionSettingsKey(event.data)) {
      void this.refreshWarnings(event.data.id);
    }
  }

  // Loads every channel and destination; on failure tries again shortly (the stream may be fine while a GET
  // failed, e.g. during a restart).
  async reload(): Promise<void> {
    if (this.stopped) return;
    const sentAtSeq = this.store.state.seq;
    try {
      const { channels, destinations } = await this.loadLists();
      this.loadError = null;
      this.store.dispatch({ type: 'snapshot', channels, destinations, sentAtSeq });
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized) return this.options.onUnauthorized?.();
      this.loadError = err instanceof Error ? err.message : String(err);
      clearTimeout(this.reloadTimer);
      if (this.stopped || this.poller.running) return; // the polls load it now
      this.reloadTimer = setTimeout(() => void this.reload(), this.options.reloadRetryMs ?? 2000);
    }
  }

  // The live counters carry the primary input's bitrate only: a page that shows a backup input reads the
  // backup's bitrate and media with GET every few seconds. A failure is left for the next look.
  async refreshBackupCounters(channelId: string): Promise<void> {
    if (this.stopped) return;
    try {
      const channel = await this.api.getChannel(channelId);
      if (channel.backup_input) {
        this.store.dispatch({ type: 'backup-counters', channelId, backup: channel.backup_input });
      }
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized) this.options.onUnauthorized?.();
    }
  }

  // A rendition's new settings change the platform warnings of the destinations that use it, but the server sends
  // no `destination` event for that (their version stays): read them again. A failure is left for the next change.
  async refreshWarnings(channelId: string): Promise<void> {
    if (this.stopped) return;
    try {
      this.store.dispatch({ type: 'destination-warnings', destinations: await this.api.listDestinations(channelId) });
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized) this.options.onUnauthorized?.();
    }
  }

  private async loadPlatforms(): Promise<void> {
    try {
      this.store.dispatch({ type: 'platforms', platforms: await this.api.listPlatforms() });
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized) return this.options.onUnauthorized?.();
      if (!this.stopped) {
        this.platformsTimer = setTimeout(() => void this.loadPlatforms(), this.options.reloadRetryMs ?? 2000);
      }
    }
  }
}
