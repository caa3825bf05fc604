import { describe, expect, it } from 'vitest';
import { channelChanges, mediaLiveChanges } from '../../src/state/event_log';
import { channel, mediaLive } from '../support/fixtures';

const onAws = (over: Parameters<typeof mediaLive>[0]) =>
  channel({ engine: 'medialive', medialive: mediaLive({ mode: 'direct', outputs: [], ...over }) });

describe('mediaLiveChanges', () => {
  it('says MediaLive\'s state as AWS spells it, with the channel\'s id', () => {
    expect(mediaLiveChanges(mediaLive({ state: 'STARTING' }), mediaLive({ state: 'RUNNING' })))
      .toEqual([['info', 'MediaLive channel 1234567: RUNNING']]);
    expect(mediaLiveChanges(mediaLive({ state: 'RUNNING' }), mediaLive({ state: 'RECOVERING' })))
      .toEqual([['warning', 'MediaLive channel 1234567: RECOVERING']]);
    expect(mediaLiveChanges(mediaLive({ state: 'UPDATING' }), mediaLive({ state: 'UPDATE_FAILED' })))
      .toEqual([['error', 'MediaLive channel 1234567: UPDATE_FAILED']]);
  });

  it('logs the first state once the channel is made in AWS', () => {
    const provisioning = mediaLive({ phase: 'provisioning', channel_id: null, state: null, outputs: [] });
    expect(mediaLiveChanges(provisioning, mediaLive({ channel_id: '1000001', state: 'IDLE', outputs: [] })))
      .toEqual([['info', 'MediaLive channel 1000001: IDLE']]);
  });

  it('logs AWS\'s error in its own words, once, and a channel that could not be made', () => {
    const refused = 'Access denied: the role cannot be assumed';
    const failed = mediaLive({ phase: 'failed', channel_id: null, state: null, error: refused });
    const provisioning = mediaLive({ phase: 'provisioning', channel_id: null, state: null });
    expect(mediaLiveChanges(provisioning, failed)).toEqual([
      ['error', 'MediaLive channel: could not be made in AWS'],
      ['error', `MediaLive: ${refused}`],
    ]);
    // The same error again says nothing new; another one does.
    expect(mediaLiveChanges(failed, { ...failed })).toEqual([]);
    expect(mediaLiveChanges(mediaLive({ error: refused }), mediaLive({ error: 'Pipeline 0 failed' })))
      .toEqual([['error', 'MediaLive: Pipeline 0 failed']]);
    expect(mediaLiveChanges(mediaLive({ error: refused }), mediaLive({ error: null }))).toEqual([]);
  });

  it('logs a restart under way and changes that wait for one', () => {
    expect(mediaLiveChanges(mediaLive({ state: 'RUNNING' }), mediaLive({ state: 'RUNNING', activity: 'restarting' })))
      .toEqual([['info', 'MediaLive channel 1234567: restarting to apply the destination changes']]);
    expect(mediaLiveChanges(mediaLive({ activity: 'restarting' }),
      mediaLive({ state: 'STOPPING', activity: 'restarting' })))
      .toEqual([['info', 'MediaLive channel 1234567: STOPPING']]);
    expect(mediaLiveChanges(mediaLive(), mediaLive({ restart_pending: true })))
      .toEqual([['warning', 'MediaLive channel 1234567: changes wait until a restart is allowed']]);
  });

  it('says nothing when only the cost meter or the outputs moved', () => {
    const later = mediaLive({ cost: { ...mediaLive().cost, running_seconds: 999 }, outputs: [] });
    expect(mediaLiveChanges(mediaLive(), later)).toEqual([]);
  });
});

describe('channelChanges on MediaLive', () => {
  it('adds MediaLive\'s lines to the channel\'s own', () => {
    const before = onAws({ state: 'IDLE', activity: 'starting' });
    const after = { ...onAws({ state: 'RUNNING' }), state: 'running' as const };
    expect(channelChanges(before, after)).toEqual([
      ['info', 'Channel main: Idle → Running'],
      ['info', 'MediaLive channel 1234567: RUNNING'],
    ]);
  });

  it('logs nothing of MediaLive for a local channel or a channel just added', () => {
    expect(channelChanges(channel(), channel({ version: 2 }))).toEqual([]);
    expect(channelChanges(undefined, onAws({ state: 'IDLE' }))).toEqual([['info', 'Channel main: added']]);
  });
});
