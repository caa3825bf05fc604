// Renditions in words (issue 9): what each one encodes to, how it keeps up while it runs, which destinations it
// feeds, what a destination gets, the channel's rendition error, and the question a rendition in use makes the GUI
// ask before it is deleted (the server refuses with 409 rendition_in_use until the call says force). No I/O here.
import { ApiError } from '../api/api_client';
import type { Channel, ChannelError, Destination, Rendition, RenditionSettings, RenditionStats } from '../api/types';

export const PASSTHROUGH_WORDS = 'Passthrough (the input as it comes)';

function number(value: number): string {
  return String(Math.round(value * 100) / 100);
}

// "1280×720 at 30 fps"
export function pictureWords(r: RenditionSettings): string {
  return `${r.width}×${r.height} at ${number(r.fps)} fps`;
}

// "3000 kbps video, 128 kbps audio"; without an audio bitrate the input's audio always passes through.
export function bitrateWords(r: RenditionSettings): string {
  const audio = r.audio_bitrate_kbps === null ? 'audio as it comes' : `${r.audio_bitrate_kbps} kbps audio`;
  return `${r.video_bitrate_kbps} kbps video, ${audio}`;
}

export function keyframeWords(r: RenditionSettings): string {
  return `every ${number(r.keyframe_interval_s)} s`;
}

// One line: "1280×720 at 30 fps, 3000 kbps".
export function profileWords(r: RenditionSettings): string {
  return `${pictureWords(r)}, ${r.video_bitrate_kbps} kbps`;
}

// An option of the destination form's select: "720p30 — 1280×720 at 30 fps, 3000 kbps".
export function renditionOption(r: Rendition): string {
  return `${r.name} — ${profileWords(r)}`;
}

export interface StatsWords {
  frameRate: string;
  speed: string;
  cpu: string;
  preset: string;
  audio: string;
}

// AAC is encoded again only when the input's is well above the rendition's bitrate: the server measures first.
function audioWords(r: Rendition, audio: RenditionStats['audio']): string {
  switch (audio) {
    case 'measuring':
      return 'Measuring the input’s bitrate…';
    case 'passthrough':
      return 'Passed through as it comes';
    case 'transcode':
      return `Re-encoded at ${r.audio_bitrate_kbps ?? '?'} kbps`;
    case null:
      return '—';
    default:
      return String(audio); // a newer server's word
  }
}

// While it runs: "30 in, 29.97 out", "1.3x real time", "42% of a core", the x264 preset (and that it stepped to a
// faster one when the machine could not keep up), and what happens to the audio.
export function statsWords(r: Rendition, stats: RenditionStats): StatsWords {
  const cpu = Number.isFinite(stats.cpu_percent) && stats.cpu_percent >= 0
    ? `${Math.round(stats.cpu_percent)}% of a core` : '—';
  const stepped = stats.preset !== r.preset
    ? `${stats.preset}, stepped from ${r.preset} to keep up` : stats.preset;
  return {
    frameRate: `${number(stats.fps_in)} in, ${number(stats.fps_out)} out`,
    speed: Number.isFinite(stats.speed) ? `${stats.speed.toFixed(1)}x real time` : '—',
    cpu,
    preset: stepped,
    audio: audioWords(r, stats.audio),
  };
}

// "2 destinations: Twitch (on), Kick" or "No destination uses it yet"; a destination the GUI does not know (yet)
// shows as its id.
export function feedsWords(r: Rendition, destinations: Record<string, Destination>): string {
  if (r.destinations.length === 0) return 'No destination uses it yet';
  const names = r.destinations.map((id) => {
    const d = destinations[id];
    return d ? `${d.name}${d.enabled ? ' (on)' : ''}` : id;
  });
  const count = r.destinations.length === 1 ? '1 destination' : `${r.destinations.length} destinations`;
  return `${count}: ${names.join(', ')}`;
}

// What a destination gets: "Passthrough (the input as it comes)" or "Rendition 720p30: 1280×720 at 30 fps,
// 3000 kbps".
export function destinationRenditionWords(d: Destination, channel: Channel): string {
  if (!d.rendition) return PASSTHROUGH_WORDS;
  const r = channel.renditions.find((x) => x.name === d.rendition);
  return r ? `Rendition ${r.name}: ${profileWords(r)}` : `Rendition ${d.rendition}`;
}

// The channel's error as a heading and the server's sentence (which says what to do).
export function channelErrorWords(error: ChannelError): { title: string; message: string } {
  const title = error.code === 'rendition_overloaded'
    ? `Rendition “${error.rendition}” cannot keep up with real time`
    : error.code === 'rendition_failed' ? `Rendition “${error.rendition}” failed`
      : `Rendition “${error.rendition}”: ${String(error.code)}`;
  return { title, message: error.message };
}

// What the settings of a channel's renditions are (not their state): when these change, the destinations'
// warnings may too.
export function renditionSettingsKey(channel: Channel | undefined): string {
  return JSON.stringify((channel?.renditions ?? []).map((r) => [r.name, r.width, r.height, r.fps,
    r.video_bitrate_kbps, r.audio_bitrate_kbps, r.keyframe_interval_s, r.preset]));
}

export function isRenditionInUse(error: unknown): error is ApiError {
  return error instanceof ApiError && error.code === 'rendition_in_use';
}

export interface InUseQuestion {
  message: string; // the server's
  users: Array<{ name: string; live: boolean }>;
}

// Who uses the rendition, as the server named them (their ids looked up when it gave only those).
export function inUseQuestion(error: ApiError, destinations: Record<string, Destination>): InUseQuestion {
  const users = error.destinations.map((id) => ({
    name: destinations[id]?.name ?? id, live: Boolean(destinations[id]?.enabled),
  }));
  return { message: error.message, users };
}

// Deletes, and when the server says destinations use the rendition, asks once and deletes again with force (they
// go back to passthrough). True when it was deleted, false when the person kept it. Other errors throw.
export async function deleteWithForce(call: (force: boolean) => Promise<unknown>,
  ask: (error: ApiError) => Promise<boolean>): Promise<boolean> {
  try {
    await call(false);
    return true;
  } catch (err) {
    if (!isRenditionInUse(err)) throw err;
    if (!(await ask(err))) return false;
  }
  await call(true);
  return true;
}
