import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventStream, type EventStreamOptions, type StreamState } from '../../src/api/event_stream';
import type { LiveEvent } from '../../src/api/types';
import { FakeFetch } from '../support/fake_fetch';
import { waitUntil } from '../support/wait';

interface Harness {
  fake: FakeFetch;
  stream: EventStream;
  events: LiveEvent[];
  opens: boolean[];
  states: Array<[StreamState, string | null]>;
  unauthorized: number;
  unavailable: string[];
}

let running: EventStream[] = [];
afterEach(() => {
  for (const s of running) s.stop();
  running = [];
});

function harness(over: Partial<EventStreamOptions> = {}, streamStatus: number[] = [],
  errorBodies: Array<[number, unknown]> = []): Harness {
  const fake = new FakeFetch();
  fake.streamStatus.push(...streamStatus);
  for (const [status, body] of errorBodies) fake.streamErrorBodies.set(status, body);
  const h: Harness = { fake, stream: null as unknown as EventStream, events: [], opens: [], states: [], unauthorized: 0,
    unavailable: [] };
  h.stream = new EventStream({
    url: '/api/v1/events?stats=1',
    headers: () => ({ Authorization: 'Bearer tok' }),
    fetchFn: fake.fetch,
    onEvent: (e) => h.events.push(e),
    onOpen: ({ resumed }) => h.opens.push(resumed),
    onState: (state, detail) => h.states.push([state, detail]),
    onUnauthorized: () => { h.unauthorized++; },
    onUnavailable: (detail) => h.unavailable.push(detail),
    initialRetryMs: 5,
    maxRetryMs: 40,
    random: () => 0.5, // no jitter
    ...over,
  });
  running.push(h.stream);
  void h.stream.start();
  return h;
}

describe('EventStream', () => {
  it('sends the token, opens without Last-Event-ID, and delivers the events it knows', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const h = harness();
    await waitUntil(() => h.fake.streams.length === 1, 'the stream');
    const call = h.fake.streamCalls()[0]!;
    expect(call.url).toBe('/api/v1/events?stats=1');
    expect(call.headers).toEqual({ authorization: 'Bearer tok' });
    const body = h.fake.streams[0]!;
    body.write('retry: 5\n\nid: 3\nevent: destination_deleted\ndata: {"id":"d_1","chan');
    body.write('nel_id":"c"}\n\nevent: future_thing\ndata: {}\n\nevent: channel\ndata: not json\n\n');
    body.write('event: stats\ndata: {"at":"x","channels":[],"destinations":[]}\n\n');
    body.write('id: 4\nevent: input_switched\ndata: {"channel_id":"c","from":"primary","to":"backup","reason":"manual"}\n\n');
    await waitUntil(() => h.events.length === 3, 'three events');
    expect(h.events).toEqual([
      { type: 'destination_deleted', data: { id: 'd_1', channel_id: 'c' } },
      { type: 'stats', data: { at: 'x', channels: [], destinations: [] } },
      { type: 'input_switched', data: { channel_id: 'c', from: 'primary', to: 'backup', reason: 'manual' } },
    ]);
    expect(h.opens).toEqual([false]);
    expect(h.stream.lastEventId).toBe('4');
    expect(h.states.map(([s]) => s)).toEqual(['connecting', 'open']);
    expect(warn).toHaveBeenCalledWith('lunora: event channel carries no JSON; skipped');
    warn.mockRestore();
  });

  it('reconnects with Last-Event-ID after the server closes the stream (a restart)', async () => {
    const h = harness();
    await waitUntil(() => h.fake.streams.length === 1, 'the first stream');
    h.fake.streams[0]!.write('id: 41\nevent: channel_deleted\ndata: {"id":"c"}\n\n');
    await waitUntil(() => h.events.length === 1, 'the event');
    h.fake.streams[0]!.close();
    await waitUntil(() => h.fake.streams.length === 2, 'the second stream');
    expect(h.fake.streamCalls()[1]!.headers['last-event-id']).toBe('41');
    expect(h.opens).toEqual([false, true]);
    expect(h.states.map(([s]) => s)).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('reconnects after a network error, also when it happens mid-line', async () => {
    const h = harness();
    await waitUntil(() => h.fake.streams.length === 1, 'the first stream');
    h.fake.streams[0]!.write('id: 7\nevent: channel_deleted\ndata: {"id":"a"}\n\nid: 8\nevent: chan');
    await waitUntil(() => h.events.length === 1, 'the event');
    h.fake.streams[0]!.fail();
    await waitUntil(() => h.fake.streams.length === 2, 'the second stream');
    expect(h.fake.streamCalls()[1]!.headers['last-event-id']).toBe('7');
    // The cut line is dropped, not joined with the new stream's first one.
    h.fake.streams[1]!.write('nel_deleted\ndata: {"id":"b"}\n\nid: 8\nevent: channel_deleted\ndata: {"id":"b"}\n\n');
    await waitUntil(() => h.events.length === 2, 'the replayed event');
    expect(h.events[1]).toEqual({ type: 'channel_deleted', data: { id: 'b' } });
  });

  it('keeps trying while the server is down, with growing delays', async () => {
    const h = harness({}, [503, 503, 503]);
    await waitUntil(() => h.fake.streams.length === 1, 'the stream after three failures');
    expect(h.fake.streamCalls()).toHaveLength(4);
    const details = h.states.filter(([s, d]) => s === 'reconnecting' && d).map(([, d]) => d);
    expect(details).toEqual(Array(3).fill('the event stream answered 503'));
    expect([1, 2, 3, 4, 5].map((n) => h.stream.retryDelayMs(n))).toEqual([5, 10, 20, 40, 40]);
  });

  it('follows the server retry time and spreads the delay with jitter', () => {
    const low = new EventStream({ url: '', headers: () => ({}), onEvent: () => undefined, random: () => 0,
      initialRetryMs: 1000, maxRetryMs: 8000 });
    const high = new EventStream({ url: '', headers: () => ({}), onEvent: () => undefined, random: () => 1,
      initialRetryMs: 1000, maxRetryMs: 8000 });
    expect(low.retryDelayMs(1)).toBe(800);
    expect(high.retryDelayMs(1)).toBe(1200);
    expect(high.retryDelayMs(10)).toBe(9600);
  });

  it('gives up and says so on 401', async () => {
    const h = harness({}, [401]);
    await waitUntil(() => h.unauthorized === 1, 'the unauthorized callback');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(h.fake.streamCalls()).toHaveLength(1);
  });

  it('takes a silent connection for dead and opens a new one', async () => {
    const h = harness({ idleTimeoutMs: 30 });
    await waitUntil(() => h.fake.streams.length === 1, 'the first stream');
    h.fake.streams[0]!.write('id: 5\nevent: channel_deleted\ndata: {"id":"a"}\n\n');
    await waitUntil(() => h.fake.streams.length === 2, 'a new stream after silence', 1000);
    expect(h.fake.streamCalls()[1]!.headers['last-event-id']).toBe('5');
  });

  it.each([
    [501, { error: { code: 'events_unavailable', message: 'this Lunora runs on AWS Lambda' } },
      'the event stream answered 501 (events_unavailable)'],
    [404, undefined, 'the event stream answered 404'],
    [405, undefined, 'the event stream answered 405'],
  ])('stops trying for good when the server cannot stream here (%i)', async (status, body, detail) => {
    const h = harness({}, [status], body ? [[status, body]] : []);
    await waitUntil(() => h.unavailable.length === 1, 'the unavailable callback');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(h.unavailable).toEqual([detail]);
    expect(h.stream.unavailable).toBe(true);
    expect(h.fake.streamCalls()).toHaveLength(1);
    expect(h.states.map(([s]) => s)).toEqual(['connecting']);
  });

  it('retries 501 like any failure when nobody handles a stream that is not available', async () => {
    const h = harness({ onUnavailable: undefined }, [501]);
    await waitUntil(() => h.fake.streams.length === 1, 'the stream after the 501');
    expect(h.fake.streamCalls()).toHaveLength(2);
    expect(h.stream.unavailable).toBe(false);
  });

  it('takes a stream that twice opens but never delivers its `retry:` line as not available', async () => {
    const h = harness({ retryLineTimeoutMs: 20 });
    await waitUntil(() => h.unavailable.length === 1, 'the unavailable callback', 1000);
    expect(h.unavailable).toEqual(['the event stream opened but delivered nothing']);
    expect(h.fake.streamCalls()).toHaveLength(2);
    expect(h.states.map(([s, d]) => [s, d])).toEqual([['connecting', null], ['open', null],
      ['reconnecting', 'the event stream opened but delivered nothing'], ['open', null]]);
  });

  it('keeps a stream that delivers its `retry:` line, however quiet it is after', async () => {
    const h = harness({ retryLineTimeoutMs: 20 });
    await waitUntil(() => h.fake.streams.length === 1, 'the stream');
    h.fake.streams[0]!.write('retry: 5\n\n');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(h.unavailable).toEqual([]);
    expect(h.fake.streamCalls()).toHaveLength(1);
  });

  it('stops for good on stop()', async () => {
    const h = harness();
    await waitUntil(() => h.fake.streams.length === 1, 'the stream');
    h.stream.stop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(h.fake.streamCalls()).toHaveLength(1);
    expect(h.states.at(-1)).toEqual(['closed', null]);
  });
});
