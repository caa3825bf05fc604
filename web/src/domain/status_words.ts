// Statuses are shown as words (the issue: "Ready", "Starting", "Streaming", "Stopping", "Error"), never as the
// API's lower-case codes or as a colour alone.
import type { ChannelState, DestinationStatus, HlsStatus, RenditionState } from '../api/types';

const DESTINATION_WORDS: Record<DestinationStatus, string> = {
  ready: 'Ready',
  starting: 'Starting',
  streaming: 'Streaming',
  stopping: 'Stopping',
  error: 'Error',
};

const CHANNEL_WORDS: Record<ChannelState, string> = {
  idle: 'Idle',
  starting: 'Starting',
  running: 'Running',
  stopping: 'Stopping',
  error: 'Error',
};

const HLS_WORDS: Record<HlsStatus, string> = {
  off: 'Off',
  starting: 'Starting',
  live: 'Live',
  error: 'Error',
};

const RENDITION_WORDS: Record<RenditionState, string> = {
  idle: 'Idle',
  starting: 'Starting',
  running: 'Running',
  overloaded: 'Overloaded',
  error: 'Error',
};

// A newer server's status still shows, as it is spelled.
export function statusWord(status: DestinationStatus): string {
  return DESTINATION_WORDS[status] ?? status;
}

export function channelStateWord(state: ChannelState): string {
  return CHANNEL_WORDS[state] ?? state;
}

export function hlsWord(status: HlsStatus): string {
  return HLS_WORDS[status] ?? status;
}

export function renditionStateWord(state: RenditionState): string {
  return RENDITION_WORDS[state] ?? state;
}

// The badge colour: good, busy, bad or neutral (the word carries the meaning; colour only repeats it).
export type Tone = 'good' | 'busy' | 'bad' | 'neutral';

export function statusTone(status: DestinationStatus | ChannelState | HlsStatus | RenditionState): Tone {
  switch (status) {
    case 'streaming':
    case 'running':
    case 'live':
      return 'good';
    case 'starting':
    case 'stopping':
      return 'busy';
    case 'error':
    case 'overloaded':
      return 'bad';
    default:
      return 'neutral';
  }
}
