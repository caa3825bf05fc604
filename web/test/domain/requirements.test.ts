import { describe, expect, it } from 'vitest';
import { requirementWarnings } from '../../src/domain/requirements';
import type { ChannelInput } from '../../src/api/types';
import { channel, platform } from '../support/fixtures';

const REQ = platform().requirements; // H.264/AAC, 2 s keyframes, 6000 + 160 kbps, 1920x1080, 60 fps

function input(over: Partial<ChannelInput> = {}): ChannelInput {
  return {
    ...channel().input,
    connected: true,
    bitrate_kbps: 2500,
    video: { codec: 'h264', width: 1280, height: 720, fps: 30, keyframe_interval_s: 2.03 },
    audio: { codec: 'aac', sample_rate: 48000, channels: 2 },
    ...over,
  };
}

describe('requirementWarnings', () => {
  it('says nothing for an input that fits', () => {
    expect(requirementWarnings(input(), 'YouTube', REQ)).toEqual([]);
  });

  it('says nothing while no input is connected', () => {
    expect(requirementWarnings(input({ connected: false, bitrate_kbps: 99999 }), 'YouTube', REQ)).toEqual([]);
    expect(requirementWarnings(undefined, 'YouTube', REQ)).toEqual([]);
  });

  it('warns about a keyframe interval longer than asked, with what to set', () => {
    const video = { codec: 'h264', width: 1280, height: 720, fps: 30, keyframe_interval_s: 4 };
    expect(requirementWarnings(input({ video }), 'Twitch', REQ)).toEqual([
      'Twitch wants a keyframe every 2 s; the input has one every 4 s. Set the encoder\'s keyframe interval to 2 s.',
    ]);
  });

  it('ignores a keyframe interval not measured yet', () => {
    const video = { codec: 'h264', width: 1280, height: 720, fps: 30, keyframe_interval_s: 0 };
    expect(requirementWarnings(input({ video }), 'YouTube', REQ)).toEqual([]);
  });

  it('warns about a bitrate above the platform cap', () => {
    expect(requirementWarnings(input({ bitrate_kbps: 8000 }), 'Twitch', REQ)).toEqual([
      'Twitch takes at most 6000 kbps of video; the input sends 8000 kbps. Lower the encoder\'s bitrate or give this '
        + 'destination a rendition.',
    ]);
  });

  it('warns about codecs, size and frame rate', () => {
    const warnings = requirementWarnings(input({
      video: { codec: 'hevc', width: 3840, height: 2160, fps: 120, keyframe_interval_s: 2 },
      audio: { codec: 'opus', sample_rate: 48000, channels: 2 },
    }), 'Kick', { ...REQ, video_codecs: ['h264', 'av1'] });
    expect(warnings).toEqual([
      'Kick takes H264 or AV1 video; the input is HEVC.',
      'Kick takes at most 1920×1080; the input is 3840×2160.',
      'Kick takes at most 60 fps; the input has 120.',
      'Kick takes AAC audio; the input is OPUS.',
    ]);
  });
});
