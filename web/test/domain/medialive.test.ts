import { describe, expect, it } from 'vitest';
import type { MediaLiveActivity, MediaLiveMode } from '../../src/api/types';
import {
  costWords, feedWords, formatClock, formatUsd, modeWords, outputWords, playbackKind, splitPushUrl, stateWords,
} from '../../src/domain/medialive';
import { channel, destination, mediaLive } from '../support/fixtures';

describe('a MediaLive channel in words', () => {
  it('explains what each mode means for restarts, and spells out a newer one', () => {
    expect(modeWords('hybrid')).toEqual({ name: 'Hybrid',
      explanation: 'MediaLive encodes, Lunora fans out: starting or stopping a destination never restarts MediaLive' });
    expect(modeWords('direct').explanation)
      .toBe('MediaLive pushes every destination: a change while it runs restarts it');
    expect(modeWords('multiplex' as MediaLiveMode)).toEqual({ name: 'multiplex', explanation: '' });
  });

  it('keeps MediaLive\'s state word and adds what Lunora is doing to it', () => {
    expect(stateWords(mediaLive())).toBe('RUNNING');
    expect(stateWords(mediaLive({ state: 'IDLE', activity: 'starting' }))).toBe('IDLE · Lunora is starting it');
    expect(stateWords(mediaLive({ activity: 'restarting' })))
      .toBe('RUNNING · Lunora is restarting it to apply the changes');
    expect(stateWords(mediaLive({ phase: 'provisioning', state: null }))).toBe('Being made in AWS…');
    expect(stateWords(mediaLive({ phase: 'failed', state: null }))).toBe('Could not be made');
    expect(stateWords(mediaLive({ state: null }))).toBe('Unknown');
    expect(stateWords(mediaLive({ activity: 'dancing' as MediaLiveActivity }))).toBe('RUNNING · dancing');
  });

  it('says where the feed goes: Lunora never sees it in direct mode, gets the relay in hybrid mode', () => {
    expect(feedWords('direct')).toMatch(/^MediaLive takes the encoder’s feed and Lunora never sees it/);
    expect(feedWords('direct')).toContain('no input health or backup input');
    expect(feedWords('hybrid')).toContain('relays one stream to Lunora: the Input card shows it arriving');
  });

  it('names what MediaLive pushes to: the relay, or the destinations by name', () => {
    const destinations = { d_yt: destination(), d_tw: destination({ id: 'd_tw', name: 'Twitch' }) };
    expect(outputWords(mediaLive(), destinations)).toBe('Lunora’s relay');
    expect(outputWords(mediaLive({ mode: 'direct', outputs: ['d_yt', 'd_tw', 'd_gone'] }), destinations))
      .toBe('YouTube, Twitch, d_gone');
    expect(outputWords(mediaLive({ outputs: [] }), destinations)).toBe('Nothing');
  });
});

describe('the MediaLive cost meter', () => {
  it('reads running time as h:mm:ss and money in dollars and cents', () => {
    expect(formatClock(0)).toBe('0:00:00');
    expect(formatClock(125.9)).toBe('0:02:05');
    expect(formatClock(3 * 3600 + 7 * 60 + 9)).toBe('3:07:09');
    expect(formatClock(-5)).toBe('0:00:00');
    expect(formatUsd(0.17)).toBe('$0.17');
    expect(formatUsd(12)).toBe('$12.00');
    expect(formatUsd(0.125)).toBe('$0.13');
  });

  it('says how much of a start\'s 10-minute minimum is left while it runs, in whole minutes up', () => {
    expect(costWords(mediaLive().cost)).toEqual({
      runningTime: '0:02:05',
      billed: '10 min (1 start)',
      estimate: '$0.17',
      minimumLeft: 'MediaLive bills each start for at least 10 minutes: 8 min of this start\'s minimum left',
    });
    const stopped = { running: false, running_seconds: 3725, billed_minutes: 72, estimated_usd: 1.2, runs: 2,
      minimum_left_seconds: 0 };
    expect(costWords(stopped)).toEqual(
      { runningTime: '1:02:05', billed: '72 min (2 starts)', estimate: '$1.20', minimumLeft: null });
    expect(costWords({ ...stopped, running: true }).minimumLeft).toBeNull(); // past the minimum
    expect(costWords({ ...stopped, running: true, minimum_left_seconds: 1 }).minimumLeft)
      .toBe('MediaLive bills each start for at least 10 minutes: 1 min of this start\'s minimum left');
  });
});

describe('where a MediaLive channel plays', () => {
  it('frames Lunora\'s player, links MediaLive\'s HLS and shows nothing without HLS', () => {
    expect(playbackKind(channel())).toBe('player');
    expect(playbackKind(channel({ engine: 'medialive', medialive: mediaLive() }))).toBe('player'); // Lunora's HLS
    const cdn = 'https://d1234.cloudfront.net/live/index.m3u8';
    expect(playbackKind(channel({ engine: 'medialive', playback_url: cdn,
      medialive: mediaLive({ hls: { s3_url: 's3ssl://bucket/live/index', playback_url: cdn } }) }))).toBe('external');
    expect(playbackKind(channel({ engine: 'medialive', playback_url: null,
      medialive: mediaLive({ mode: 'direct' }) }))).toBe('none');
  });

  it('splits MediaLive\'s push URL into the server and the key OBS asks for', () => {
    expect(splitPushUrl('rtmp://203.0.113.7:1935/live/studio'))
      .toEqual({ server: 'rtmp://203.0.113.7:1935/live', key: 'studio' });
    expect(splitPushUrl('rtmp://203.0.113.7:1935/studio')).toBeNull();
    expect(splitPushUrl('srt://203.0.113.7:9000')).toBeNull();
  });
});
