// Warnings when the channel's input does not meet a platform's requirements. A passthrough destination gets the
// input unchanged, so the fix is in the encoder (each warning says what to change there) or, for the bitrate, a
// rendition for that destination.
import type { ChannelInput, PlatformRequirements } from '../api/types';

// Keyframe intervals are measured between two keyframes of a live stream: 2.0 s often reads as 2.03 s.
const KEYFRAME_TOLERANCE_S = 0.25;

export function requirementWarnings(input: ChannelInput | undefined, platformName: string,
  requirements: PlatformRequirements): string[] {
  if (!input || !input.connected) return [];
  const warnings: string[] = [];
  const video = input.video;
  if (video) {
    const codec = video.codec.toLowerCase();
    if (requirements.video_codecs.length > 0 && !requirements.video_codecs.includes(codec)) {
      warnings.push(`${platformName} takes ${list(requirements.video_codecs)} video; the input is ${codec.toUpperCase()}.`);
    }
    const keyframe = video.keyframe_interval_s;
    if (keyframe > 0 && requirements.keyframe_interval_s > 0
      && keyframe > requirements.keyframe_interval_s + KEYFRAME_TOLERANCE_S) {
      warnings.push(`${platformName} wants a keyframe every ${seconds(requirements.keyframe_interval_s)}; `
        + `the input has one every ${seconds(keyframe)}. Set the encoder's keyframe interval to `
        + `${seconds(requirements.keyframe_interval_s)}.`);
    }
    if (requirements.max_width > 0 && requirements.max_height > 0
      && (video.width > requirements.max_width || video.height > requirements.max_height)) {
      warnings.push(`${platformName} takes at most ${requirements.max_width}×${requirements.max_height}; `
        + `the input is ${video.width}×${video.height}.`);
    }
    if (requirements.max_fps > 0 && video.fps > requirements.max_fps + 0.5) {
      warnings.push(`${platformName} takes at most ${requirements.max_fps} fps; the input has ${round(video.fps)}.`);
    }
  }
  const audio = input.audio;
  if (audio && requirements.audio_codecs.length > 0 && !requirements.audio_codecs.includes(audio.codec.toLowerCase())) {
    warnings.push(`${platformName} takes ${list(requirements.audio_codecs)} audio; the input is ${audio.codec.toUpperCase()}.`);
  }
  // The input's bitrate counts video and audio together: compare it with both caps added.
  const cap = requirements.max_video_bitrate_kbps + requirements.max_audio_bitrate_kbps;
  if (requirements.max_video_bitrate_kbps > 0 && input.bitrate_kbps > cap) {
    warnings.push(`${platformName} takes at most ${requirements.max_video_bitrate_kbps} kbps of video; `
      + `the input sends ${Math.round(input.bitrate_kbps)} kbps. Lower the encoder's bitrate or give this `
      + 'destination a rendition.');
  }
  return warnings;
}

function list(codecs: string[]): string {
  const names = codecs.map((c) => c.toUpperCase());
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function round(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function seconds(value: number): string {
  return `${round(value)} s`;
}
