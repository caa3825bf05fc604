// Live updates where the server cannot stream them (Lunora on AWS Lambda, a proxy that refuses or holds back
// Server-Sent Events): one poll now, then one every POLL_INTERVAL_MS after the previous one ended, so that two
// never overlap. Nothing is polled while the page is hidden (a background tab); it polls at once when shown again.

// How often the GUI reads the lists when it cannot get events.
export const POLL_INTERVAL_MS = 3000;

// Whether the page is hidden, and a way to hear when that changes (the document in a browser; a fake in tests).
export interface Visibility {
  hidden(): boolean;
  subscribe(listener: () => void): () => void; // returns the unsubscribe
}

// The browser's document, or null where there is none (Node, a worker).
export function documentVisibility(): Visibility | null {
  if (typeof document === 'undefined') return null;
  return {
    hidden: () => document.hidden,
    subscribe: (listener) => {
      document.addEventListener('visibilitychange', listener);
      return () => document.removeEventListener('visibilitychange', listener);
    },
  };
}

export interface PollerOptions {
  poll: () => Promise<void>; // handles its own failures; a rejection is taken as a failed poll
  intervalMs?: number;
  visibility?: Visibility | null;
}

export class Poller {
  private stopped = true;
  private inFlight = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: PollerOptions) {}

  get running(): boolean {
    return !this.stopped;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.options.visibility?.subscribe(() => this.onVisibility());
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private hidden(): boolean {
    return this.options.visibility?.hidden() ?? false;
  }

  private onVisibility(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    // Shown again: poll at once (a poll still running counts as that); hidden: wait until shown.
    if (!this.hidden() && !this.inFlight) void this.tick();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.stopped || this.inFlight || this.hidden()) return;
    this.inFlight = true;
    try {
      await this.options.poll();
    } catch {
      // the poll reports its own failures; the next period tries again
    } finally {
      this.inFlight = false;
    }
    if (this.stopped || this.hidden()) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), this.options.intervalMs ?? POLL_INTERVAL_MS);
  }
}
