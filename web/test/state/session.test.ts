import { afterEach, describe, expect, it } from 'vitest';
import { Session } from '../../src/state/session';
import { backupInput, channel, destination, platform, rendition } from '../support/fixtures';
import { FakeFetch } from '../support/fake_fetch';
import { waitUntil } from '../support/wait';

let sessions: Session[] = [];
afterEach(() => {
  for (const s of sessions) s.stop();
  sessions = [];
});

function start(fake: FakeFetch, onUnauthorized = () => undefined): Session {
  const session = new Session('tok-0123456789abcdef', { fetchFn: fake.fetch, onUnauthorized, reloadRetryMs: 5 });
  sessions.push(session);
  session.start();
  return session;
}

function gets(fake: FakeFetch, path: string): number {
  return fake.calls.filter((c) => c.method === 'GET' && c.url === path).length;
}

describe('Session', () => {
  it('opens the stream first, then loads channels, destinations and platforms', async () => {
    const fake = new FakeFetch()
      .json('GET /api/v1/channels', 200, { channels: [channel()] })
      .json('GET /api/v1/destinations', 200, { destinations: [destination()] })
      .json('GET /api/v1/platforms', 200, { platforms: [platform()] });
    const session = start(fake);
    await waitUntil(() => session.store.state.loaded, 'the snapshot');
    expect(fake.calls[0]!.url).toBe('/api/v1/events?stats=1');
    expect(Object.keys(session.store.state.destinations)).toEqual(['d_yt']);
    await waitUntil(() => session.store.state.platforms.length === 1, 'the platforms');
    expect(session.store.state.stream.state).toBe('open');
  });

  it('reloads the state on `event: resync`, not on a resumed reconnect', async () => {
    const fake = new FakeFetch()
      .json('GET /api/v1/channels', 200, { channels: [channel()] })
      .json('GET /api/v1/destinations', 200, { destinations: [destination()] })
      .json('GET /api/v1/destinations', 200, { destinations: [] })
      .json('GET /api/v1/platforms', 200, { platforms: [] });
    const session = start(fake);
    await waitUntil(() => session.store.state.loaded, 'the snapshot');
    fake.streams[0]!.write('id: 10\nevent: channel\ndata: ' + JSON.stringify(channel({ version: 2 })) + '\n\n');
    await waitUntil(() => session.store.state.channels.ch_main?.version === 2, 'the event');
    fake.streams[0]!.close(); // a server restart
    await waitUntil(() => fake.streams.length === 2, 'the reconnect');
    expect(fake.streamCalls()[1]!.headers['last-event-id']).toBe('10');
    expect(gets(fake, '/api/v1/destinations')).toBe(1);
    fake.streams[1]!.write('event: resync\ndata: {"reason":"events since Last-Event-ID are no longer kept"}\n\n');
    await waitUntil(() => gets(fake, '/api/v1/destinations') === 2, 'the reload');
    await waitUntil(() => Object.keys(session.store.state.destinations).length === 0, 'the reloaded state');
  });

  it('loads the state even while the stream cannot open', async () => {
    const fake = new FakeFetch()
      .json('GET /api/v1/channels', 200, { channels: [channel()] })
      .json('GET /api/v1/destinations', 200, { destinations: [] })
      .json('GET /api/v1/platforms', 200, { platforms: [] });
    fake.streamStatus.push(502, 502, 502);
    const session = start(fake);
    await waitUntil(() => session.store.state.loaded, 'the snapshot');
    expect(session.store.state.stream.state).toBe('reconnecting');
  });

  it('tries the snapshot again when it fails', async () => {
    const fake = new FakeFetch()
      .json('GET /api/v1/channels', 503, { error: { code: 'store_unavailable', message: 'disk full' } })
      .json('GET /api/v1/channels', 200, { channels: [channel()] })
      .json('GET /api/v1/destinations', 200, { destinations: [] })
      .json('GET /api/v1/platforms', 200, { platforms: [] });
    const session = start(fake);
    await waitUntil(() => session.store.state.loaded, 'the second try');
    expect(session.loadError).toBeNull();
  });

  it('stops every retry on stop() (log out)', async () => {
    const fake = new FakeFetch()
      .json('GET /api/v1/channels', 503, { error: { code: 'store_unavailable', message: 'disk full' } })
      .json('GET /api/v1/destinations', 200, { destinations: [] })
      .json('GET /api/v1/platforms', 503, { error: { code: 'internal', message: 'x' } });
    const session = start(fake);
    await waitUntil(() => gets(fake, '/api/v1/channels') >= 2, 'a retried snapshot');
    session.stop();
    const calls = fake.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.calls.length).toBe(calls);
  });

  it('reads the backup input\'s bitrate with GET, and shrugs off a failed look', async () => {
    const fake = new FakeFetch()
      .json('GET /api/v1/channels', 200, { channels: [channel({ backup_input: backupInput({ connected: true }) })] })
      .json('GET /api/v1/destinations', 200, { destinations: [] })
      .json('GET /api/v1/platforms', 200, { platforms: [] })
      .on('GET /api/v1/channels/ch_main', new TypeError('Failed to fetch'))
      .json('GET /api/v1/channels/ch_main', 200,
        channel({ backup_input: backupInput({ connected: true, bitrate_kbps: 2400 }) }));
    const session = start(fake);
    await waitUntil(() => session.store.state.loaded, 'the snapshot');
    await session.refreshBackupCounters('ch_main');
    expect(session.store.state.channels.ch_main?.backup_input?.bitrate_kbps).toBe(0);
    await session.refreshBackupCounters('ch_main');
    expect(session.store.state.channels.ch_main?.backup_input?.bitrate_kbps).toBe(2400);
  });

  it('reads the destinations\' warnings again when a rendition\'s settings change, not when its state does', async () => {
    const warning = { code: 'video_bitrate' as const, limit: 6000, actual: 8000,
      message: 'Twitch takes at most 6000 kbit/s of video; the rendition sends 8000 kbit/s' };
    const fake = new FakeFetch()
      .json('GET /api/v1/channels', 200, { channels: [channel({ renditions: [rendition({ video_bitrate_kbps: 8000 })] })] })
      .json('GET /api/v1/destinations', 200, { destinations: [destination({ rendition: '720p30', warnings: [warning] })] })
      .json('GET /api/v1/destinations', 200, { destinations: [destination({ rendition: '720p30' })] })
      .json('GET /api/v1/platforms', 200, { platforms: [] });
    const session = start(fake);
    await waitUntil(() => session.store.state.loaded, 'the snapshot');
    const send = (data: unknown) => fake.streams[0]!.write(`event: channel\ndata: ${JSON.stringify(data)}\n\n`);
    send(channel({ renditions: [rendition({ video_bitrate_kbps: 8000, state: 'running' })] }));
    await waitUntil(() => session.store.state.channels.ch_main?.renditions[0]?.state === 'running', 'the state');
    expect(fake.calls.filter((c) => c.url === '/api/v1/destinations?channel_id=ch_main')).toHaveLength(0);
    send(channel({ version: 2, renditions: [rendition({ video_bitrate_kbps: 6000 })] }));
    await waitUntil(() => session.store.state.destinations.d_yt?.warnings.length === 0, 'the warnings read again');
    expect(fake.calls.filter((c) => c.url === '/api/v1/destinations?channel_id=ch_main')).toHaveLength(1);
  });

  it('reports a token the server refuses', async () => {
    let refused = 0;
    const fake = new FakeFetch().json('GET /api/v1/platforms', 401,
      { error: { code: 'unauthorized', message: 'no' } });
    fake.streamStatus.push(401);
    start(fake, () => { refused++; });
    await waitUntil(() => refused >= 1, 'the unauthorized callback');
  });
});
