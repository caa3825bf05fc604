// A MediaLive channel in words: which mode and what it means for restarts, where MediaLive stands and what Lunora
// is doing to it, what it pushes to, and what it costs (MediaLive bills each start for at least 10 minutes).
import type { Channel, ChannelMediaLive, Destination, MediaLiveActivity, MediaLiveCost, MediaLiveMode }
  from '../api/types';

const MODE_WORDS: Record<MediaLiveMode, { name: string; explanation: string }> = {
  hybrid: {
    name: 'Hybrid',
    explanation: 'MediaLive encodes, Lunora fans out: starting or stopping a destination never restarts MediaLive',
  },
  direct: {
    name: 'Direct',
    explanation: 'MediaLive pushes every destination: a change while it runs restarts it',
  },
};

const ACTIVITY_WORDS: Record<MediaLiveActivity, string> = {
  updating: 'Lunora is updating it',
  starting: 'Lunora is starting it',
  stopping: 'Lunora is stopping it',
  restarting: 'Lunora is restarting it to apply the changes',
};

// The relay output's name in `outputs` (hybrid mode): MediaLive's one push, to Lunora's RTMP ingest.
export const RELAY_OUTPUT = 'lunora-relay';

// A newer server's mode still shows, as it is spelled.
export function modeWords(mode: MediaLiveMode): { name: string; explanation: string } {
  return MODE_WORDS[mode] ?? { name: mode, explanation: '' };
}

// "RUNNING", "IDLE · Lunora is starting it", "Being made in AWS…": MediaLive's own state word, kept as AWS spells
// it so that it matches the console, then what Lunora is doing about it.
export function stateWords(ml: ChannelMediaLive): string {
  if (ml.phase === 'provisioning') return 'Being made in AWS…';
  const state = ml.phase === 'failed' ? 'Could not be made' : ml.state ?? 'Unknown';
  return ml.activity ? `${state} · ${ACTIVITY_WORDS[ml.activity] ?? ml.activity}` : state;
}

// Where the feed goes, in one line: what the channel page shows of it and why.
export function feedWords(mode: MediaLiveMode): string {
  return mode === 'direct'
    ? 'MediaLive takes the encoder’s feed and Lunora never sees it: the state above is how the stream is doing '
      + '(no input health or backup input here).'
    : 'MediaLive takes the encoder’s feed and relays one stream to Lunora: the Input card shows it arriving.';
}

export function restartPendingWords(): string {
  return 'MediaLive pushes to other destinations than wanted: the changes wait until a restart is allowed '
    + '(start or stop a destination and confirm the restart).';
}

// What MediaLive pushes to now: the relay to Lunora (hybrid), or the destinations by name (direct).
export function outputWords(ml: ChannelMediaLive, destinations: Record<string, Destination>): string {
  if (ml.outputs.length === 0) return 'Nothing';
  return ml.outputs
    .map((id) => (id === RELAY_OUTPUT ? 'Lunora’s relay' : destinations[id]?.name ?? id))
    .join(', ');
}

// 0:00:42, 0:12:05, 3:07:09: running time with its hours always shown, as a meter reads.
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(Number.isFinite(totalSeconds) ? totalSeconds : 0));
  const hours = Math.floor(s / 3600);
  const minutes = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  return `${hours}:${minutes}:${String(s % 60).padStart(2, '0')}`;
}

export function formatUsd(usd: number): string {
  return `$${(Number.isFinite(usd) ? Math.max(0, usd) : 0).toFixed(2)}`;
}

export interface CostWords {
  runningTime: string;
  billed: string;
  estimate: string;
  minimumLeft: string | null; // only while running and within the current start's 10 minutes
}

export function costWords(cost: MediaLiveCost): CostWords {
  const runs = cost.runs === 1 ? '1 start' : `${cost.runs} starts`;
  const minutesLeft = Math.ceil(cost.minimum_left_seconds / 60);
  return {
    runningTime: formatClock(cost.running_seconds),
    billed: `${cost.billed_minutes} min (${runs})`,
    estimate: formatUsd(cost.estimated_usd),
    minimumLeft: cost.running && minutesLeft > 0
      ? `MediaLive bills each start for at least 10 minutes: ${minutesLeft} min of this start's minimum left`
      : null,
  };
}

// What the preview card can show: Lunora's player page in a frame, MediaLive's HLS (on S3 or CloudFront, another
// origin the GUI cannot frame) as a link, or nothing (a direct channel without HLS).
export type PlaybackKind = 'player' | 'external' | 'none';

export function playbackKind(channel: Channel): PlaybackKind {
  if (!channel.playback_url) return 'none';
  const hls = channel.medialive?.hls;
  return hls && hls.playback_url === channel.playback_url ? 'external' : 'player';
}

// MediaLive's RTMP push URL (rtmp://203.0.113.7:1935/live/studio) as OBS asks for it: the server (up to the last
// "/") and the stream key (after it). Null when the URL has no key part.
export function splitPushUrl(url: string): { server: string; key: string } | null {
  const match = /^(rtmps?:\/\/[^/]+\/.+)\/([^/]+)$/.exec(url);
  return match ? { server: match[1]!, key: match[2]! } : null;
}
