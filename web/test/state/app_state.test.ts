import { describe, expect, it } from 'vitest';
import {
  channelList, destinationsOf, initialState, reduce, type Action, type AppState,
} from '../../src/state/app_state';
import type { LiveEvent } from '../../src/api/types';
import {
  backupInput, channel, destination, mediaLive, rendition, renditionStats, stats,
} from '../support/fixtures';

const NOW = Date.parse('2026-11-26T00:01:00.000Z');

function apply(state: AppState, ...actions: Action[]): AppState {
  return actions.reduce(reduce, state);
}

function event(e: LiveEvent): Action {
  return { type: 'event', event: e, now: NOW };
}

function snapshot(channels = [channel()], destinations = [destination()], sentAtSeq = 0): Action {
  return { type: 'snapshot', channels, destinations, sentAtSeq };
}

describe('reduce: snapshots', () => {
  it('loads the records of a snapshot', () => {
    const state = apply(initialState(), snapshot());
    expect(state.loaded).toBe(true);
    expect(channelList(state).map((c) => c.id)).toEqual(['ch_main']);
    expect(destinationsOf(state, 'ch_main').map((d) => d.id)).toEqual(['d_yt']);
  });

  it('keeps a newer copy an event brought while the GET was on its way', () => {
    const sentAtSeq = initialState().seq;
    const state = apply(initialState(),
      event({ type: 'destination', data: destination({ status: 'starting', version: 2 }) }),
      snapshot([channel()], [destination({ status: 'ready', version: 1 })], sentAtSeq));
    expect(state.destinations.d_yt?.status).toBe('starting');
  });

  it('takes the snapshot copy when it is newer', () => {
    const state = apply(initialState(),
      event({ type: 'destination', data: destination({ status: 'starting', version: 2 }) }),
      snapshot([channel()], [destination({ status: 'streaming', version: 3 })]));
    expect(state.destinations.d_yt?.status).toBe('streaming');
  });

  it('does not bring back a record deleted while the GET was on its way', () => {
    const state = apply(initialState(),
      event({ type: 'destination_deleted', data: { id: 'd_yt', channel_id: 'ch_main' } }),
      snapshot());
    expect(state.destinations).toEqual({});
  });

  it('keeps a record created after the GET was sent, drops one the server no longer has', () => {
    let state = apply(initialState(), snapshot([channel()], [destination({ id: 'd_old' })]));
    const sentAtSeq = state.seq;
    state = apply(state,
      event({ type: 'destination', data: destination({ id: 'd_new' }) }),
      snapshot([channel()], [], sentAtSeq));
    expect(Object.keys(state.destinations)).toEqual(['d_new']);
  });

  it('keeps live input health an event brought after the GET was sent, at the same version', () => {
    let state = apply(initialState(), snapshot());
    const sentAtSeq = state.seq;
    const onBackup = channel({ backup_input: backupInput({ delivering: true }), active_input: 'backup' });
    state = apply(state, event({ type: 'channel', data: onBackup }),
      snapshot([channel({ backup_input: backupInput() })], [destination()], sentAtSeq));
    expect(state.channels.ch_main?.active_input).toBe('backup');
    // An answer to a GET sent after that event is the newer copy.
    state = apply(state, snapshot([channel({ backup_input: backupInput() })], [destination()], state.seq));
    expect(state.channels.ch_main?.active_input).toBe('primary');
  });

  it('replaces everything on a resync snapshot: records gone while disconnected disappear', () => {
    let state = apply(initialState(), snapshot([channel(), channel({ id: 'ch_2', name: 'studio' })]));
    state = apply(state, snapshot([channel()], [], state.seq));
    expect(Object.keys(state.channels)).toEqual(['ch_main']);
    expect(state.destinations).toEqual({});
  });
});

describe('reduce: polls (no event stream)', () => {
  function poll(channels = [channel()], destinations = [destination()], now = NOW): Action {
    return { type: 'poll', channels, destinations, sentAtSeq: 0, now };
  }

  it('loads the first poll quietly, then replaces the records, logs what changed and samples the bitrates', () => {
    const twitch = destination({ id: 'd_tw', name: 'Twitch', platform: 'twitch' });
    let state = apply(initialState(), poll([channel()], [destination(), twitch]));
    expect(state.loaded).toBe(true);
    expect(state.log).toEqual([]);
    const live = channel({
      input: { ...channel().input, connected: true, connected_protocol: 'srt', bitrate_kbps: 4200 },
    });
    const streaming = destination({ status: 'streaming', version: 2,
      stats: { bitrate_kbps: 4100, bytes_sent: 1, uptime_s: 3, reconnects: 0, dropped_packets: 0 } });
    state = apply(state, poll([live], [streaming], NOW + 3000));
    expect(Object.keys(state.destinations)).toEqual(['d_yt']);
    expect(state.channels.ch_main?.input.bitrate_kbps).toBe(4200);
    expect(state.destinations.d_yt?.stats.bitrate_kbps).toBe(4100);
    expect(state.log.map((e) => e.text)).toEqual(['Twitch: deleted', 'YouTube: Ready → Streaming',
      'Channel main: input connected over SRT']);
    expect(state.inputBitrate.ch_main).toEqual({ t: [NOW / 1000, NOW / 1000 + 3], v: [0, 4200] });
    expect(state.destinationBitrate.d_yt?.v).toEqual([0, 4100]);
    expect(state.destinationBitrate.d_tw).toBeUndefined();
  });

  it('logs a deleted channel and takes the live health a poll brings without a new version', () => {
    let state = apply(initialState(), poll());
    state = apply(state, poll([channel({ hls: { ...channel().hls, status: 'live' } })], [destination()]));
    expect(state.channels.ch_main?.hls.status).toBe('live');
    state = apply(state, poll([], []));
    expect(state.channels).toEqual({});
    expect(state.log.slice(0, 2).map((e) => e.text)).toEqual(['Channel main: deleted', 'YouTube: deleted']);
  });
});

describe('reduce: events', () => {
  it('applies a destination event and logs the status change in words', () => {
    const state = apply(initialState(), snapshot(),
      event({ type: 'destination', data: destination({ status: 'starting', status_detail: 'connecting', version: 2 }) }));
    expect(state.destinations.d_yt?.status).toBe('starting');
    expect(state.log[0]).toMatchObject({ level: 'info', channelId: 'ch_main',
      text: 'YouTube: Ready → Starting (connecting)' });
  });

  it('leaves out a detail that only repeats the status', () => {
    const state = apply(initialState(), snapshot(),
      event({ type: 'destination', data: destination({ status: 'starting', status_detail: 'starting', version: 2 }) }));
    expect(state.log[0]?.text).toBe('YouTube: Ready → Starting');
  });

  it('logs an error with its message', () => {
    const failed = destination({ status: 'error', version: 2,
      last_error: { code: 'publish_rejected', message: 'the server refused the publish', at: '2026-11-26T00:00:59.000Z' } });
    const state = apply(initialState(), snapshot(), event({ type: 'destination', data: failed }));
    expect(state.log[0]).toMatchObject({ level: 'error', text: 'YouTube: Ready → Error: the server refused the publish' });
  });

  it('ignores a replayed or older copy', () => {
    const first = apply(initialState(), snapshot([channel()], [destination({ version: 5 })]));
    const after = apply(first, event({ type: 'destination', data: destination({ status: 'error', version: 4 }) }),
      event({ type: 'destination', data: destination({ status: 'error', version: 5 }) }));
    expect(after).toBe(first);
  });

  it('adds a record first seen in an event', () => {
    const state = apply(initialState(), event({ type: 'channel', data: channel({ id: 'ch_new', name: 'new' }) }));
    expect(state.channels.ch_new?.name).toBe('new');
    expect(state.log[0]?.text).toBe('Channel new: added');
  });

  it('logs input connects and channel state changes', () => {
    const live = channel({ version: 2, state: 'running',
      input: { ...channel().input, connected: true, connected_protocol: 'srt' } });
    const state = apply(initialState(), snapshot(), event({ type: 'channel', data: live }));
    expect(state.log.map((e) => e.text)).toEqual([
      'Channel main: input connected over SRT',
      'Channel main: Idle → Running',
    ]);
  });

  it('takes a live input change that keeps the version, not a copy of what it knows', () => {
    const first = apply(initialState(), snapshot([channel({ version: 3 })]));
    const connected = channel({ version: 3, input: { ...channel().input, connected: true, delivering: true } });
    const state = apply(first, event({ type: 'channel', data: connected }));
    expect(state.channels.ch_main?.input.connected).toBe(true);
    expect(state.log[0]?.text).toBe('Channel main: input connected');
    // The same again, or with only a counter the live stats refresh anyway, changes nothing.
    const counted = { ...connected, input: { ...connected.input, bitrate_kbps: 1234 } };
    expect(apply(state, event({ type: 'channel', data: connected }), event({ type: 'channel', data: counted })))
      .toBe(state);
    // An older version never comes back.
    expect(apply(state, event({ type: 'channel', data: channel({ version: 2 }) }))).toBe(state);
  });

  it('takes MediaLive\'s state as news at the same version, and leaves its cost meter to the stats', () => {
    const onAws = (over: Parameters<typeof mediaLive>[0]) =>
      channel({ version: 3, engine: 'medialive', medialive: mediaLive(over) });
    const first = apply(initialState(), snapshot([onAws({ state: 'IDLE', activity: 'starting' })]));
    const running = apply(first, event({ type: 'channel', data: onAws({ state: 'RUNNING' }) }));
    expect(running.channels.ch_main?.medialive).toMatchObject({ state: 'RUNNING', activity: null });
    expect(running.log[0]).toMatchObject({ level: 'info', channelId: 'ch_main', text: 'MediaLive channel 1234567: RUNNING' });
    const recounted = onAws({ state: 'RUNNING', cost: { ...mediaLive().cost, running_seconds: 999 } });
    expect(apply(running, event({ type: 'channel', data: recounted }))).toBe(running);
  });

  it('follows a failover: the input on air, the switch under way and the counts', () => {
    const backup = backupInput({ connected: true, connected_protocol: 'srt', delivering: true });
    let state = apply(initialState(), snapshot([channel({ version: 2, backup_input: backup })]));
    state = apply(state, event({ type: 'channel', data: channel({ version: 2, backup_input: backup,
      failover: { switching_to: 'backup', count: 0, failbacks: 0, last_reason: null, last_at: null } }) }));
    expect(state.channels.ch_main?.failover.switching_to).toBe('backup');
    state = apply(state,
      event({ type: 'input_switched', data: { channel_id: 'ch_main', from: 'primary', to: 'backup', reason: 'primary_lost' } }),
      event({ type: 'channel', data: channel({ version: 2, backup_input: backup, active_input: 'backup',
        failover: { switching_to: null, count: 1, failbacks: 0, last_reason: 'primary_lost',
          last_at: '2026-11-26T00:00:59.000Z' } }) }));
    expect(state.channels.ch_main).toMatchObject({ active_input: 'backup', failover: { count: 1, switching_to: null } });
    expect(state.log[0]).toMatchObject({ level: 'warning', channelId: 'ch_main',
      text: 'Channel main: backup input on air (the primary input stopped delivering)' });
  });

  it('logs a backup input added, connecting, disconnecting and removed', () => {
    const lines = (before: Parameters<typeof channel>[0], after: Parameters<typeof channel>[0]) =>
      apply(initialState(), snapshot([channel(before)]), event({ type: 'channel', data: channel(after) }))
        .log.map((e) => `${e.level}: ${e.text}`);
    expect(lines({}, { version: 2, backup_input: backupInput() })).toEqual(['info: Channel main: backup input added (SRT)']);
    expect(lines({ backup_input: backupInput() }, { backup_input: backupInput({ connected: true, connected_protocol: 'rtmp' }) }))
      .toEqual(['info: Channel main: backup input connected over RTMP']);
    expect(lines({ backup_input: backupInput({ connected: true }) }, { backup_input: backupInput() }))
      .toEqual(['warning: Channel main: backup input disconnected']);
    expect(lines({ backup_input: backupInput() }, { version: 2 })).toEqual(['info: Channel main: backup input removed']);
  });

  it('logs a switch of a channel it does not know by its id, and none of a deleted one', () => {
    const switched = event({ type: 'input_switched',
      data: { channel_id: 'ch_x', from: 'backup', to: 'primary', reason: 'failback' } });
    expect(apply(initialState(), switched).log[0]?.text).toBe('Channel ch_x: primary input on air (the primary input was back)');
    const gone = apply(initialState(), snapshot(), event({ type: 'channel_deleted', data: { id: 'ch_x' } }));
    expect(apply(gone, switched)).toBe(gone);
  });

  it('removes a deleted destination with its history', () => {
    let state = apply(initialState(), snapshot(), event({ type: 'stats', data: stats('2026-11-26T00:00:10.000Z', [],
      [{ id: 'd_yt', channel_id: 'ch_main', status: 'streaming', stats: { ...destination().stats, bitrate_kbps: 900 } }]) }));
    expect(state.destinationBitrate.d_yt?.v).toEqual([900]);
    state = apply(state, event({ type: 'destination_deleted', data: { id: 'd_yt', channel_id: 'ch_main' } }));
    expect(state.destinations).toEqual({});
    expect(state.destinationBitrate).toEqual({});
    expect(state.log[0]?.text).toBe('YouTube: deleted');
    // A late copy of it does not bring it back.
    state = apply(state, event({ type: 'destination', data: destination({ version: 9 }) }));
    expect(state.destinations).toEqual({});
  });

  it('removes a deleted channel and whatever of its destinations is left', () => {
    const state = apply(initialState(), snapshot(), event({ type: 'channel_deleted', data: { id: 'ch_main' } }));
    expect(state.channels).toEqual({});
    expect(state.destinations).toEqual({});
  });

  it('keeps the log bounded, newest first', () => {
    let state = apply(initialState(), snapshot());
    for (let v = 2; v < 400; v++) {
      state = apply(state, event({ type: 'destination',
        data: destination({ version: v, status: v % 2 ? 'starting' : 'ready' }) }));
    }
    expect(state.log).toHaveLength(200);
    expect(state.log[0]?.text).toBe('YouTube: Ready → Starting'); // version 399
  });
});

describe('reduce: stats', () => {
  const entry = (at: string, kbps: number): Action => event({ type: 'stats', data: stats(at,
    [{ id: 'ch_main', state: 'running', input: { connected: true, bitrate_kbps: kbps, keyframe_interval_s: 2 },
      hls: { status: 'live', segments: 3 } }],
    [{ id: 'd_yt', channel_id: 'ch_main', status: 'error',
      stats: { bitrate_kbps: kbps - 100, bytes_sent: 1000, uptime_s: 5, reconnects: 1, dropped_packets: 0 } }]) });

  it('feeds the numbers and the charts, but never a status', () => {
    const video = { codec: 'h264', width: 640, height: 360, fps: 30, keyframe_interval_s: 0 };
    const withVideo = channel({ input: { ...channel().input, connected: true, video } });
    const state = apply(initialState(), snapshot([withVideo], [destination({ status: 'streaming' })]),
      entry('2026-11-26T00:00:10.000Z', 1100), entry('2026-11-26T00:00:11.000Z', 1200));
    expect(state.channels.ch_main?.input.bitrate_kbps).toBe(1200);
    expect(state.channels.ch_main?.input.video?.keyframe_interval_s).toBe(2);
    expect(state.channels.ch_main?.state).toBe('idle');
    expect(state.channels.ch_main?.hls).toMatchObject({ status: 'live', segments: 3 });
    expect(state.destinations.d_yt?.stats).toMatchObject({ bitrate_kbps: 1100, reconnects: 1 });
    expect(state.destinations.d_yt?.status).toBe('streaming');
    const t0 = Date.parse('2026-11-26T00:00:10.000Z') / 1000;
    expect(state.inputBitrate.ch_main).toEqual({ t: [t0, t0 + 1], v: [1100, 1200] });
    expect(state.destinationBitrate.d_yt).toEqual({ t: [t0, t0 + 1], v: [1000, 1100] });
  });

  it('keeps only the last five minutes of samples', () => {
    let state = apply(initialState(), snapshot());
    const start = Date.parse('2026-11-26T00:00:00.000Z');
    for (let s = 0; s <= 600; s++) state = apply(state, entry(new Date(start + s * 1000).toISOString(), 1000));
    const series = state.inputBitrate.ch_main!;
    expect(series.t).toHaveLength(301);
    expect(series.t[0]).toBe(start / 1000 + 300);
  });

  it('measures the server clock against the browser clock', () => {
    const state = apply(initialState(), snapshot(), entry('2026-11-26T00:01:02.500Z', 1));
    expect(state.clockSkewMs).toBe(2500);
  });

  it('takes the backup input\'s numbers from a GET, never its state', () => {
    const backup = backupInput({ connected: true, delivering: true, bitrate_kbps: 100 });
    const state = apply(initialState(), snapshot([channel({ backup_input: backup })]), {
      type: 'backup-counters', channelId: 'ch_main',
      backup: backupInput({ connected: false, delivering: false, bitrate_kbps: 2500,
        video: { codec: 'h264', width: 1280, height: 720, fps: 30, keyframe_interval_s: 2 } }) });
    expect(state.channels.ch_main?.backup_input).toMatchObject({ connected: true, delivering: true,
      bitrate_kbps: 2500, video: { width: 1280 } });
    // Nothing to refresh on a channel without a backup.
    const plain = apply(initialState(), snapshot());
    expect(reduce(plain, { type: 'backup-counters', channelId: 'ch_main', backup })).toBe(plain);
  });

  it('refreshes a MediaLive channel\'s cost meter', () => {
    const cost = { running: true, running_seconds: 61, billed_minutes: 10, estimated_usd: 0.17, runs: 1,
      minimum_left_seconds: 539 };
    const tick = event({ type: 'stats', data: stats('2026-11-26T00:00:10.000Z', [{ id: 'ch_main', state: 'running',
      input: { connected: true, bitrate_kbps: 6000, keyframe_interval_s: 2 }, hls: { status: 'off', segments: 0 },
      medialive: cost }]) });
    const onAws = apply(initialState(), snapshot([channel({ engine: 'medialive', medialive: mediaLive() })]), tick);
    expect(onAws.channels.ch_main?.medialive?.cost).toEqual(cost);
    expect(onAws.channels.ch_main?.medialive?.state).toBe('RUNNING');
    // A local channel has no meter to refresh.
    expect(apply(initialState(), snapshot(), tick).channels.ch_main?.medialive).toBeNull();
  });

  it('skips ids it does not know', () => {
    const state = apply(initialState(), entry('2026-11-26T00:00:10.000Z', 1000));
    expect(state.channels).toEqual({});
    expect(state.inputBitrate).toEqual({});
  });
});

describe('reduce: renditions', () => {
  const OVERLOADED = { code: 'rendition_overloaded' as const, rendition: '720p30',
    message: 'rendition "720p30" cannot keep up with real time even at x264\'s fastest preset (ultrafast at 0.71x '
      + 'real time): its destinations stutter. Lower its size, frame rate or bitrate, or run fewer renditions on '
      + 'this machine' };
  const tick = (renditions = [rendition({ state: 'overloaded', stats: renditionStats({ speed: 0.7 }),
    destinations_on: 2 })]) => event({ type: 'stats', data: stats('2026-11-26T00:00:10.000Z', [{ id: 'ch_main',
    state: 'running', input: { connected: true, bitrate_kbps: 6000, keyframe_interval_s: 2 },
    hls: { status: 'off', segments: 0 }, renditions, error: OVERLOADED }]) });

  it('takes a rendition\'s state and the channel\'s error as news at the same version, and logs the error', () => {
    const first = apply(initialState(), snapshot([channel({ version: 4, renditions: [rendition({ state: 'running' })] })]));
    const overloaded = channel({ version: 4, renditions: [rendition({ state: 'overloaded' })], error: OVERLOADED });
    const state = apply(first, event({ type: 'channel', data: overloaded }));
    expect(state.channels.ch_main?.renditions[0]?.state).toBe('overloaded');
    expect(state.channels.ch_main?.error).toEqual(OVERLOADED);
    expect(state.log[0]).toMatchObject({ level: 'error', text: `Channel main: ${OVERLOADED.message}` });
    // Only the counters differ: a copy of what it knows.
    const counted = { ...overloaded, renditions: [rendition({ state: 'overloaded', stats: renditionStats() })] };
    expect(apply(state, event({ type: 'channel', data: counted }))).toBe(state);
    const recovered = apply(state, event({ type: 'channel', data: channel({ version: 4,
      renditions: [rendition({ state: 'running' })] }) }));
    expect(recovered.channels.ch_main?.error).toBeNull();
    expect(recovered.log[0]).toMatchObject({ level: 'info', text: 'Channel main: rendition 720p30 keeps up again' });
  });

  it('refreshes a rendition\'s numbers from the live counters, never its state or the channel\'s error', () => {
    const state = apply(initialState(), snapshot([channel({ renditions: [rendition({ state: 'running' })] })]), tick());
    const r = state.channels.ch_main?.renditions[0];
    expect(r).toMatchObject({ state: 'running', destinations_on: 2, stats: { speed: 0.7 } });
    expect(state.channels.ch_main?.error).toBeNull();
    // A rendition the counters know before the `channel` event announcing it waits for that event.
    const early = apply(initialState(), snapshot(), tick());
    expect(early.channels.ch_main?.renditions).toEqual([]);
  });

  it('takes the destinations\' warnings a GET read again, for the copy it has only', () => {
    const warning = { code: 'video_bitrate' as const, limit: 6000, actual: 8000,
      message: 'Twitch takes at most 6000 kbit/s of video; the rendition sends 8000 kbit/s' };
    const first = apply(initialState(), snapshot([channel()], [destination({ rendition: '720p30', warnings: [warning] }),
      destination({ id: 'd_2', version: 3 })]));
    const state = apply(first, { type: 'destination-warnings', destinations: [
      destination({ rendition: '720p30', warnings: [] }),
      destination({ id: 'd_2', version: 4, warnings: [warning] }), // newer: its own event brings it
      destination({ id: 'd_gone', warnings: [warning] }),
    ] });
    expect(state.destinations.d_yt?.warnings).toEqual([]);
    expect(state.destinations.d_2?.warnings).toEqual([]);
    expect(state.destinations.d_gone).toBeUndefined();
    expect(apply(state, { type: 'destination-warnings', destinations: [destination({ rendition: '720p30' })] }))
      .toBe(state);
  });
});
