import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/api_client';
import type { RenditionState } from '../../src/api/types';
import {
  bitrateWords, channelErrorWords, deleteWithForce, destinationRenditionWords, feedsWords, inUseQuestion,
  isRenditionInUse, keyframeWords, pictureWords, profileWords, renditionOption, renditionSettingsKey, statsWords,
} from '../../src/domain/renditions';
import { renditionStateWord, statusTone } from '../../src/domain/status_words';
import { channel, destination, rendition, renditionStats } from '../support/fixtures';

const IN_USE = 'rendition "tw" is used by 1 destination(s): Twitch. Give them another rendition first, or delete '
  + 'with ?force=true: they then send the input as it comes';

describe('a rendition in words', () => {
  it('says what it encodes to', () => {
    const r = rendition();
    expect(pictureWords(r)).toBe('1280×720 at 30 fps');
    expect(pictureWords(rendition({ fps: 29.97 }))).toBe('1280×720 at 29.97 fps');
    expect(bitrateWords(r)).toBe('3000 kbps video, 128 kbps audio');
    expect(bitrateWords(rendition({ audio_bitrate_kbps: null }))).toBe('3000 kbps video, audio as it comes');
    expect(keyframeWords(r)).toBe('every 2 s');
    expect(profileWords(r)).toBe('1280×720 at 30 fps, 3000 kbps');
    expect(renditionOption(r)).toBe('720p30 — 1280×720 at 30 fps, 3000 kbps');
  });

  it('names its states, overloaded in the colour of an error, and spells out a newer one', () => {
    expect(renditionStateWord('overloaded')).toBe('Overloaded');
    expect(renditionStateWord('running')).toBe('Running');
    expect(renditionStateWord('paused' as RenditionState)).toBe('paused');
    expect(statusTone('overloaded')).toBe('bad');
    expect(statusTone('running')).toBe('good');
  });

  it('says how a running one keeps up: frame rates, speed, CPU share of a core, preset and audio', () => {
    expect(statsWords(rendition(), renditionStats())).toEqual({
      frameRate: '30 in, 29.97 out',
      speed: '1.3x real time',
      cpu: '42% of a core',
      preset: 'veryfast',
      audio: 'Passed through as it comes',
    });
  });

  it('says when the preset stepped to a faster one, and what happens to the audio', () => {
    const words = statsWords(rendition({ audio_bitrate_kbps: 96 }),
      renditionStats({ preset: 'superfast', preset_changes: 1, audio: 'transcode' }));
    expect(words.preset).toBe('superfast, stepped from veryfast to keep up');
    expect(words.audio).toBe('Re-encoded at 96 kbps');
    expect(statsWords(rendition(), renditionStats({ audio: 'measuring' })).audio).toBe('Measuring the input’s bitrate…');
    expect(statsWords(rendition(), renditionStats({ audio: null })).audio).toBe('—');
  });

  it('shows no CPU share rather than a negative one', () => {
    expect(statsWords(rendition(), renditionStats({ cpu_percent: -189 })).cpu).toBe('—');
    expect(statsWords(rendition(), renditionStats({ cpu_percent: 152.2 })).cpu).toBe('152% of a core');
  });

  it('names the destinations that use it, the live ones marked, an unknown one by its id', () => {
    const destinations = { d_yt: destination({ enabled: true }), d_tw: destination({ id: 'd_tw', name: 'Twitch' }) };
    expect(feedsWords(rendition(), destinations)).toBe('No destination uses it yet');
    expect(feedsWords(rendition({ destinations: ['d_yt', 'd_tw', 'd_new'], destinations_on: 1 }), destinations))
      .toBe('3 destinations: YouTube (on), Twitch, d_new');
    expect(feedsWords(rendition({ destinations: ['d_tw'] }), destinations)).toBe('1 destination: Twitch');
  });

  it('says what a destination gets: the input as it comes, or its rendition', () => {
    const ch = channel({ renditions: [rendition()] });
    expect(destinationRenditionWords(destination(), ch)).toBe('Passthrough (the input as it comes)');
    expect(destinationRenditionWords(destination({ rendition: '720p30' }), ch))
      .toBe('Rendition 720p30: 1280×720 at 30 fps, 3000 kbps');
    expect(destinationRenditionWords(destination({ rendition: 'gone' }), ch)).toBe('Rendition gone');
  });
});

describe('the channel\'s rendition error', () => {
  it('is a heading and the server\'s sentence', () => {
    const message = 'rendition "1080p60" cannot keep up with real time even at x264\'s fastest preset';
    expect(channelErrorWords({ code: 'rendition_overloaded', rendition: '1080p60', message })).toEqual({
      title: 'Rendition “1080p60” cannot keep up with real time', message });
    expect(channelErrorWords({ code: 'rendition_failed', rendition: 'tw', message: 'x264 could not open' }).title)
      .toBe('Rendition “tw” failed');
  });
});

describe('what tells a rendition\'s settings from its state', () => {
  it('changes with the settings, not with the state or the counters', () => {
    const before = channel({ renditions: [rendition()] });
    const running = channel({ renditions: [rendition({ state: 'running', stats: renditionStats(), destinations: ['d'] })] });
    expect(renditionSettingsKey(running)).toBe(renditionSettingsKey(before));
    expect(renditionSettingsKey(channel({ renditions: [rendition({ video_bitrate_kbps: 6000 })] })))
      .not.toBe(renditionSettingsKey(before));
    expect(renditionSettingsKey(channel())).not.toBe(renditionSettingsKey(before));
  });
});

describe('deleting a rendition in use', () => {
  const inUse = () => new ApiError(409, 'rendition_in_use', IN_USE, null, ['d_tw']);

  it('is what a 409 rendition_in_use means, and nothing else', () => {
    expect(isRenditionInUse(inUse())).toBe(true);
    expect(isRenditionInUse(new ApiError(409, 'conflict', 'more than 8'))).toBe(false);
  });

  it('names the destinations by the names the GUI knows, or by their ids', () => {
    const idsOnly = new ApiError(409, 'rendition_in_use', IN_USE, null, ['d_yt', 'd_gone']);
    expect(inUseQuestion(idsOnly, { d_yt: destination() }).users)
      .toEqual([{ name: 'YouTube', live: false }, { name: 'd_gone', live: false }]);
  });

  it('asks, then deletes again with force', async () => {
    const calls: boolean[] = [];
    const asked: ApiError[] = [];
    const deleted = await deleteWithForce(async (force) => {
      calls.push(force);
      if (!force) throw inUse();
    }, async (error) => { asked.push(error); return true; });
    expect(deleted).toBe(true);
    expect(calls).toEqual([false, true]);
    expect(asked[0]?.destinations).toEqual(['d_tw']);
  });

  it('keeps it when the person says no, asks nothing when it is unused, passes other errors on', async () => {
    const calls: boolean[] = [];
    const refuse = async (force: boolean) => {
      calls.push(force);
      if (!force) throw inUse();
    };
    expect(await deleteWithForce(refuse, async () => false)).toBe(false);
    expect(calls).toEqual([false]);
    let asked = false;
    expect(await deleteWithForce(async () => undefined, async () => { asked = true; return true; })).toBe(true);
    expect(asked).toBe(false);
    const broken = new ApiError(404, 'not_found', 'channel ch_main has no rendition "tw"');
    await expect(deleteWithForce(async () => { throw broken; }, async () => true)).rejects.toBe(broken);
  });
});
