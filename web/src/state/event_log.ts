// The events log of the monitoring page: what changed, in words, computed from the record before and after an
// event (the server sends whole records, not diffs).
import type { Channel, ChannelMediaLive, Destination } from '../api/types';
import { channelStateWord, statusWord } from '../domain/status_words';

export type LogLevel = 'info' | 'warning' | 'error';

export interface LogEntry {
  at: number; // ms since the epoch (the browser's clock)
  level: LogLevel;
  channelId: string | null;
  text: string;
}

export const LOG_LIMIT = 200;

export function destinationChanges(before: Destination | undefined, after: Destination): Array<[LogLevel, string]> {
  if (!before) return [['info', `${after.name}: added (${statusWord(after.status)})`]];
  const out: Array<[LogLevel, string]> = [];
  if (before.status !== after.status) {
    // "Starting (starting)" says nothing more: a detail that only repeats the status is left out.
    const detail = after.status_detail && after.status_detail !== after.status ? ` (${after.status_detail})` : '';
    if (after.status === 'error' && after.last_error) {
      out.push(['error', `${after.name}: ${statusWord(before.status)} → Error: ${after.last_error.message}`]);
    } else {
      out.push(['info', `${after.name}: ${statusWord(before.status)} → ${statusWord(after.status)}${detail}`]);
    }
  } else if (after.status === 'error' && after.last_error && after.last_error.at !== before.last_error?.at) {
    out.push(['error', `${after.name}: failed again: ${after.last_error.message}`]);
  }
  if (before.name !== after.name) out.push(['info', `${before.name}: renamed to ${after.name}`]);
  if (before.url !== after.url || before.stream_key_hint !== after.stream_key_hint) {
    out.push(['info', `${after.name}: settings changed`]);
  }
  return out;
}

export function channelChanges(before: Channel | undefined, after: Channel): Array<[LogLevel, string]> {
  if (!before) return [['info', `Channel ${after.name}: added`]];
  const out: Array<[LogLevel, string]> = [];
  if (before.state !== after.state) {
    const level: LogLevel = after.state === 'error' ? 'error' : 'info';
    const why = after.state_message ? ` (${after.state_message})` : '';
    out.push([level, `Channel ${after.name}: ${channelStateWord(before.state)} → ${channelStateWord(after.state)}${why}`]);
  }
  if (before.input.connected !== after.input.connected) {
    const how = after.input.connected_protocol ? ` over ${after.input.connected_protocol.toUpperCase()}` : '';
    out.push(after.input.connected
      ? ['info', `Channel ${after.name}: input connected${how}`]
      : ['warning', `Channel ${after.name}: input disconnected`]);
  }
  const backupBefore = before.backup_input;
  const backupAfter = after.backup_input;
  if (!backupBefore && backupAfter) {
    out.push(['info', `Channel ${after.name}: backup input added (${backupAfter.protocol.toUpperCase()})`]);
  } else if (backupBefore && !backupAfter) {
    out.push(['info', `Channel ${after.name}: backup input removed`]);
  } else if (backupBefore && backupAfter && backupBefore.connected !== backupAfter.connected) {
    const how = backupAfter.connected_protocol ? ` over ${backupAfter.connected_protocol.toUpperCase()}` : '';
    out.push(backupAfter.connected
      ? ['info', `Channel ${after.name}: backup input connected${how}`]
      : ['warning', `Channel ${after.name}: backup input disconnected`]);
  }
  if (before.hls.status !== after.hls.status && (after.hls.status === 'live' || after.hls.status === 'error')) {
    const level: LogLevel = after.hls.status === 'error' ? 'warning' : 'info';
    out.push([level, `Channel ${after.name}: preview ${after.hls.status === 'live' ? 'live' : `failed: ${after.hls.error ?? ''}`}`]);
  }
  if (after.medialive) out.push(...mediaLiveChanges(before.medialive, after.medialive));
  out.push(...channelErrorChanges(before, after));
  return out;
}

// The channel's error (a rendition that cannot keep real time, or failed) in the server's words, and its end.
function channelErrorChanges(before: Channel, after: Channel): Array<[LogLevel, string]> {
  const was = before.error;
  const is = after.error;
  if (is && (is.code !== was?.code || is.message !== was?.message)) {
    return [['error', `Channel ${after.name}: ${is.message}`]];
  }
  if (was && !is) return [['info', `Channel ${after.name}: rendition ${was.rendition} keeps up again`]];
  return [];
}

// MediaLive's states that say something went wrong (CREATE_FAILED, UPDATE_FAILED) or is being mended (RECOVERING).
function mediaLiveStateLevel(state: string): LogLevel {
  if (state.endsWith('_FAILED')) return 'error';
  return state === 'RECOVERING' ? 'warning' : 'info';
}

// A MediaLive channel's changes as MediaLive and Lunora report them: "MediaLive channel 1234567: RUNNING" (the
// state as AWS spells it), a restart under way, changes waiting for one, and AWS's errors in its own words.
export function mediaLiveChanges(before: ChannelMediaLive | null, after: ChannelMediaLive): Array<[LogLevel, string]> {
  const name = after.channel_id ? `MediaLive channel ${after.channel_id}` : 'MediaLive channel';
  const out: Array<[LogLevel, string]> = [];
  if (before?.phase !== after.phase && after.phase === 'failed') {
    out.push(['error', `${name}: could not be made in AWS`]);
  }
  if (after.state && before?.state !== after.state) {
    out.push([mediaLiveStateLevel(after.state), `${name}: ${after.state}`]);
  }
  if (after.activity === 'restarting' && before?.activity !== 'restarting') {
    out.push(['info', `${name}: restarting to apply the destination changes`]);
  }
  if (after.restart_pending && !before?.restart_pending) {
    out.push(['warning', `${name}: changes wait until a restart is allowed`]);
  }
  if (after.error && after.error !== before?.error) out.push(['error', `MediaLive: ${after.error}`]);
  return out;
}

export function addEntries(log: LogEntry[], at: number, channelId: string | null,
  changes: Array<[LogLevel, string]>): LogEntry[] {
  if (changes.length === 0) return log;
  const entries = changes.map(([level, text]) => ({ at, level, channelId, text })).reverse();
  return [...entries, ...log].slice(0, LOG_LIMIT); // newest first
}
