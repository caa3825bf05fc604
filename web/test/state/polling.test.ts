import { afterEach, describe, expect, it } from 'vitest';
import type { Visibility } from '../../src/state/poller';
import { Session, type SessionOptions } from '../../src/state/session';
import { channel, destination } from '../support/fixtures';
import { FakeFetch } from '../support/fake_fetch';
import { waitUntil } from '../support/wait';

// What `lunora lambda` answers on GET /api/v1/events.
const EVENTS_UNAVAILABLE = { error: { code: 'events_unavailable',
  message: 'this Lunora runs on AWS Lambda, which cannot hold an event stream open: poll GET /api/v1/channels and '
    + 'GET /api/v1/destinations instead' } };

// A page the test hides and shows.
class FakeVisibility implements Visibility {
  private isHidden = false;
  private listeners = new Set<() => void>();

  hidden(): boolean {
    return this.isHidden;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(hidden: boolean): void {
    this.isHidden = hidden;
    for (const listener of this.listeners) listener();
  }

  get subscribers(): number {
    return this.listeners.size;
  }
}

let sessions: Session[] = [];
afterEach(() => {
  for (const s of sessions) s.stop();
  sessions = [];
});

function start(fake: FakeFetch, over: SessionOptions = {}): Session {
  const session = new Session('tok-0123456789abcdef', {
    fetchFn: fake.fetch, reloadRetryMs: 5, streamRetryMs: 5, pollIntervalMs: 20, visibility: null, ...over,
  });
  sessions.push(session);
  session.start();
  return session;
}

function gets(fake: FakeFetch, path: string): number {
  return fake.calls.filter((c) => c.method === 'GET' && c.url === path).length;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function lambda(): FakeFetch {
  const fake = new FakeFetch().json('GET /api/v1/platforms', 200, { platforms: [] });
  fake.streamStatus.push(501);
  fake.streamErrorBodies.set(501, EVENTS_UNAVAILABLE);
  return fake;
}

describe('Session without server-sent events', () => {
  it('polls the lists on 501 events_unavailable and applies them, a deleted destination included', async () => {
    const twitch = destination({ id: 'd_tw', name: 'Twitch', platform: 'twitch' });
    const fake = lambda()
      .json('GET /api/v1/channels', 200, { channels: [channel()] })
      .json('GET /api/v1/channels', 200, { channels: [channel({ input: { ...channel().input, bitrate_kbps: 4200 } })] })
      .json('GET /api/v1/destinations', 200, { destinations: [destination(), twitch] })
      .json('GET /api/v1/destinations', 200, { destinations: [destination({ status: 'streaming', version: 2 })] });
    const session = start(fake);
    await waitUntil(() => session.store.state.loaded, 'the first poll');
    expect(session.polling).toBe(true);
    expect(Object.keys(session.store.state.destinations).sort()).toEqual(['d_tw', 'd_yt']);
    await waitUntil(() => !('d_tw' in session.store.state.destinations), 'the deletion seen by a later poll');
    const state = session.store.state;
    expect(state.destinations.d_yt?.status).toBe('streaming');
    expect(state.channels.ch_main?.input.bitrate_kbps).toBe(4200); // the numbers as the list gives them
    expect(state.stream).toEqual({ state: 'open', detail: null });
    expect(state.log.map((e) => e.text)).toEqual(expect.arrayContaining(['Twitch: deleted',
      'YouTube: Ready → Streaming']));
    await waitUntil(() => gets(fake, '/api/v1/channels') >= 4, 'more polls, one per period');
    expect(fake.streamCalls()).toHaveLength(1); // the event stream is not tried again
  });

  it.each([404, 405])('polls as well when the events endpoint answers %i', async (status) => {
    const fake = new FakeFetch()
      .json('GET /api/v1/platforms', 200, { platforms: [] })
      .json('GET /api/v1/channels', 200, { channels: [channel()] })
      .json('GET /api/v1/destinations', 200, { destinations: [destination()] });
    fake.streamStatus.push(status);
    const session = start(fake);
    await waitUntil(() => gets(fake, '/api/v1/channels') >= 3, 'several polls');
    expect(session.polling).toBe(true);
    expect(fake.streamCalls()).toHaveLength(1);
    expect(session.store.state.stream.state).toBe('open');
  });

  it('never starts a poll while the previous one is still running', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let inFlight = 0;
    let most = 0;
    let answered = 0;
    const fake = lambda()
      .on('GET /api/v1/channels', async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        if (answered === 1) await held; // the second poll hangs (a slow cold start)
        answered++;
        inFlight--;
        return new Response(JSON.stringify({ channels: [channel()] }), { status: 200 });
      })
      .json('GET /api/v1/destinations', 200, { destinations: [] });
    start(fake, { pollIntervalMs: 10 });
    await waitUntil(() => gets(fake, '/api/v1/channels') === 2, 'the second poll');
    await sleep(100); // ten periods
    expect(gets(fake, '/api/v1/channels')).toBe(2);
    release();
    await waitUntil(() => gets(fake, '/api/v1/channels') >= 4, 'polling going on after the slow one');
    expect(most).toBe(1);
  });

  it('keeps the last state on a failed poll, shows the connection as lost, and tries again next period', async () => {
    const fake = lambda()
      .json('GET /api/v1/channels', 200, { channels: [channel()] })
      .json('GET /api/v1/channels', 503, { error: { code: 'internal', message: 'cold start' } })
      .json('GET /api/v1/channels', 200, { channels: [channel({ name: 'renamed', version: 2 })] })
      .json('GET /api/v1/destinations', 200, { destinations: [destination()] });
    const session = start(fake);
    await waitUntil(() => session.store.state.stream.state === 'reconnecting', 'the failed poll');
    expect(session.store.state.channels.ch_main?.name).toBe('main');
    expect(Object.keys(session.store.state.destinations)).toEqual(['d_yt']);
    expect(session.store.state.stream.detail).toBe('cold start');
    await waitUntil(() => session.store.state.channels.ch_main?.name === 'renamed', 'the next poll');
    expect(session.store.state.stream).toEqual({ state: 'open', detail: null });
    expect(fake.streamCalls()).toHaveLength(1);
  });

  it('pauses while the page is hidden and polls at once when it is shown again', async () => {
    const page = new FakeVisibility();
    const fake = lambda()
      .json('GET /api/v1/channels', 200, { channels: [channel()] })
      .json('GET /api/v1/destinations', 200, { destinations: [] });
    const session = start(fake, { visibility: page, pollIntervalMs: 10 });
    await waitUntil(() => session.store.state.loaded, 'the first poll');
    page.set(true);
    await sleep(15); // a poll under way when the page was hidden may still end
    const hiddenAt = gets(fake, '/api/v1/channels');
    await sleep(80);
    expect(gets(fake, '/api/v1/channels')).toBe(hiddenAt);
    page.set(false);
    expect(gets(fake, '/api/v1/channels')).toBe(hiddenAt + 1); // at once, not a period later
    await waitUntil(() => gets(fake, '/api/v1/channels') >= hiddenAt + 3, 'polling again every period');
    session.stop();
    expect(page.subscribers).toBe(0);
  });

  it('does not poll, but reconnects as before, when the events endpoint answers 5xx', async () => {
    const fake = new FakeFetch()
      .json('GET /api/v1/platforms', 200, { platforms: [] })
      .json('GET /api/v1/channels', 200, { channels: [channel()] })
      .json('GET /api/v1/destinations', 200, { destinations: [destination()] });
    fake.streamStatus.push(503, 500, 502);
    const session = start(fake, { pollIntervalMs: 5 });
    await waitUntil(() => fake.streams.length === 1, 'the stream open after three failures');
    expect(fake.streamCalls()).toHaveLength(4);
    expect(session.polling).toBe(false);
    await waitUntil(() => session.store.state.stream.state === 'open', 'the stream open');
    const loads = gets(fake, '/api/v1/channels');
    await sleep(50); // ten poll periods: nothing is polled
    expect(gets(fake, '/api/v1/channels')).toBe(loads);
    expect(session.polling).toBe(false);
  });
});
