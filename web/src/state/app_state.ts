// Everything the GUI knows, as one immutable value, and the pure function that applies what happens to it:
// a snapshot loaded with GET, an event from the live stream, the stream's own state. No I/O here.
//
// Snapshots and events race: the stream is opened first and the snapshot is loaded after, so events may arrive
// before, during or after the GET. Each record's `version` decides which copy is newer; a deleted id never comes
// back (ids are never reused); a record the snapshot lacks is kept only if an event brought it after the GET
// was sent.
//
// A channel's input health (connected, delivering, which input is on air, the failover counters) and a MediaLive
// channel's state as MediaLive last said are live, not part of the stored record: the server announces their
// changes with `channel` events that keep the version. Such an event is taken when its live part differs; the
// stream is in order, so the last one is the newest. The renditions' state (running, overloaded, ...) and the
// channel's error are live the same way. MediaLive's cost meter and the renditions' numbers move every second: the
// live counters (`stats`) carry them.
//
// Where the server cannot stream events (AWS Lambda), the session polls the lists instead: each `poll` replaces the
// records with the lists' (deletions included), logs what changed as the events would have, and takes the numbers
// (bitrates, counters) as the lists give them.
import type {
  BackupInput, Channel, Destination, InputSwitched, LiveEvent, LiveStats, Platform, Rendition,
} from '../api/types';
import { switchLogLine } from '../domain/failover';
import type { StreamState } from '../api/event_stream';
import { addEntries, channelChanges, destinationChanges, type LogEntry } from './event_log';
import { appendSample, type Series } from './history';

export interface AppState {
  loaded: boolean; // a first snapshot arrived
  channels: Record<string, Channel>;
  destinations: Record<string, Destination>;
  platforms: Platform[];
  deleted: Record<string, true>;
  touchedAt: Record<string, number>; // id -> `seq` of the last event that changed the record
  seq: number; // counts applied events; a snapshot names the seq at which its GET was sent
  inputBitrate: Record<string, Series>; // per channel
  destinationBitrate: Record<string, Series>; // per destination
  log: LogEntry[]; // newest first
  clockSkewMs: number; // server clock minus browser clock, from the stats events
  stream: { state: StreamState; detail: string | null };
}

export type Action =
  | { type: 'snapshot'; channels: Channel[]; destinations: Destination[]; sentAtSeq: number }
  | { type: 'poll'; channels: Channel[]; destinations: Destination[]; sentAtSeq: number; now: number }
  | { type: 'event'; event: LiveEvent; now: number }
  | { type: 'platforms'; platforms: Platform[] }
  | { type: 'backup-counters'; channelId: string; backup: BackupInput }
  | { type: 'destination-warnings'; destinations: Destination[] }
  | { type: 'stream'; state: StreamState; detail: string | null };

export function initialState(): AppState {
  return {
    loaded: false,
    channels: {},
    destinations: {},
    platforms: [],
    deleted: {},
    touchedAt: {},
    seq: 0,
    inputBitrate: {},
    destinationBitrate: {},
    log: [],
    clockSkewMs: 0,
    stream: { state: 'connecting', detail: null },
  };
}

export function reduce(state: AppState, action: Action): AppState {
  switch (action.type) {
    case 'snapshot':
      return applySnapshot(state, action.channels, action.destinations, action.sentAtSeq);
    case 'poll':
      return applyPoll(state, action.channels, action.destinations, action.sentAtSeq, action.now);
    case 'event':
      return applyEvent(state, action.event, action.now);
    case 'platforms':
      return { ...state, platforms: action.platforms };
    case 'backup-counters':
      return applyBackupCounters(state, action.channelId, action.backup);
    case 'destination-warnings':
      return applyWarnings(state, action.destinations);
    case 'stream':
      return { ...state, stream: { state: action.state, detail: action.detail } };
  }
}

interface Versioned {
  id: string;
  version: number;
}

function mergeSnapshot<T extends Versioned>(state: AppState, current: Record<string, T>, incoming: T[],
  sentAtSeq: number): Record<string, T> {
  const next: Record<string, T> = {};
  for (const record of incoming) {
    if (state.deleted[record.id]) continue;
    const mine = current[record.id];
    // Same version: an event that arrived after the GET was sent may carry newer live health than the answer
    // (and if the answer is the newer one, the event announcing that change is still on its way).
    const keepMine = mine && (mine.version > record.version
      || (mine.version === record.version && (state.touchedAt[record.id] ?? -1) > sentAtSeq));
    next[record.id] = keepMine ? mine : record;
  }
  for (const [id, record] of Object.entries(current)) {
    if (!(id in next) && (state.touchedAt[id] ?? -1) > sentAtSeq) next[id] = record;
  }
  return next;
}

function applySnapshot(state: AppState, channels: Channel[], destinations: Destination[],
  sentAtSeq: number): AppState {
  const nextChannels = mergeSnapshot(state, state.channels, channels, sentAtSeq);
  const nextDestinations = mergeSnapshot(state, state.destinations, destinations, sentAtSeq);
  return {
    ...state,
    loaded: true,
    channels: nextChannels,
    destinations: nextDestinations,
    inputBitrate: keepKeys(state.inputBitrate, nextChannels),
    destinationBitrate: keepKeys(state.destinationBitrate, nextDestinations),
  };
}

// The lists read by a poll: the snapshot's merge, plus what the events and the live counters would have brought
// with them (the log lines, a sample per chart). The first poll only loads, as a first snapshot does.
function applyPoll(state: AppState, channels: Channel[], destinations: Destination[], sentAtSeq: number,
  now: number): AppState {
  const next = applySnapshot(state, channels, destinations, sentAtSeq);
  let log = state.log;
  if (state.loaded) {
    // In the order the events would have come: channels made or changed, their destinations, channels deleted.
    for (const [id, after] of Object.entries(next.channels)) {
      const before = state.channels[id];
      if (after !== before) log = addEntries(log, now, id, channelChanges(before, after));
    }
    for (const [id, after] of Object.entries(next.destinations)) {
      const before = state.destinations[id];
      if (after !== before) log = addEntries(log, now, after.channel_id, destinationChanges(before, after));
    }
    for (const [id, before] of Object.entries(state.destinations)) {
      if (id in next.destinations) continue;
      log = addEntries(log, now, before.channel_id, [['info', `${before.name}: deleted`]]);
    }
    for (const [id, before] of Object.entries(state.channels)) {
      if (!(id in next.channels)) log = addEntries(log, now, id, [['info', `Channel ${before.name}: deleted`]]);
    }
  }
  const t = (now + state.clockSkewMs) / 1000;
  const inputBitrate = { ...next.inputBitrate };
  for (const channel of Object.values(next.channels)) {
    inputBitrate[channel.id] = appendSample(inputBitrate[channel.id], t, channel.input.bitrate_kbps);
  }
  const destinationBitrate = { ...next.destinationBitrate };
  for (const destination of Object.values(next.destinations)) {
    destinationBitrate[destination.id] = appendSample(destinationBitrate[destination.id], t,
      destination.stats.bitrate_kbps);
  }
  return { ...next, log, inputBitrate, destinationBitrate };
}

function keepKeys<V>(map: Record<string, V>, keys: Record<string, unknown>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [key, value] of Object.entries(map)) if (key in keys) out[key] = value;
  return out;
}

function without<V>(map: Record<string, V>, key: string): Record<string, V> {
  if (!(key in map)) return map;
  const out = { ...map };
  delete out[key];
  return out;
}

function applyEvent(state: AppState, event: LiveEvent, now: number): AppState {
  switch (event.type) {
    case 'channel':
      return applyChannel(state, event.data, now);
    case 'destination':
      return applyDestination(state, event.data, now);
    case 'channel_deleted':
      return deleteChannel(state, event.data.id, now);
    case 'destination_deleted':
      return deleteDestination(state, event.data.id, now);
    case 'input_switched':
      return logSwitch(state, event.data, now);
    case 'stats':
      return applyStats(state, event.data, now);
    case 'resync':
      return state; // the session reloads the snapshot; nothing to change before it arrives
  }
}

function touched(state: AppState, id: string): Pick<AppState, 'seq' | 'touchedAt'> {
  const seq = state.seq + 1;
  return { seq, touchedAt: { ...state.touchedAt, [id]: seq } };
}

// The channel without what the live counters (`stats`, backup-counters) refresh: what tells a live change
// from a copy of what is known.
function liveKey(channel: Channel): string {
  const input = channel.input;
  const backup = channel.backup_input;
  return JSON.stringify([
    { ...input, bitrate_kbps: 0, video: input.video && { ...input.video, keyframe_interval_s: 0 } },
    backup && { ...backup, bitrate_kbps: 0, video: backup.video && { ...backup.video, keyframe_interval_s: 0 } },
    channel.active_input,
    channel.failover,
    channel.medialive && { ...channel.medialive, cost: null },
    channel.renditions.map((r) => ({ ...r, stats: null, destinations_on: 0 })),
    channel.error,
  ]);
}

function applyChannel(state: AppState, channel: Channel, now: number): AppState {
  const before = state.channels[channel.id];
  if (state.deleted[channel.id]) return state;
  if (before && (before.version > channel.version
    || (before.version === channel.version && liveKey(before) === liveKey(channel)))) return state;
  return {
    ...state,
    ...touched(state, channel.id),
    channels: { ...state.channels, [channel.id]: channel },
    log: addEntries(state.log, now, channel.id, channelChanges(before, channel)),
  };
}

function applyDestination(state: AppState, destination: Destination, now: number): AppState {
  const before = state.destinations[destination.id];
  if (state.deleted[destination.id] || (before && before.version >= destination.version)) return state;
  return {
    ...state,
    ...touched(state, destination.id),
    destinations: { ...state.destinations, [destination.id]: destination },
    log: addEntries(state.log, now, destination.channel_id, destinationChanges(before, destination)),
  };
}

function deleteDestination(state: AppState, id: string, now: number): AppState {
  const before = state.destinations[id];
  return {
    ...state,
    ...touched(state, id),
    deleted: { ...state.deleted, [id]: true },
    destinations: without(state.destinations, id),
    destinationBitrate: without(state.destinationBitrate, id),
    log: before ? addEntries(state.log, now, before.channel_id, [['info', `${before.name}: deleted`]]) : state.log,
  };
}

function deleteChannel(state: AppState, id: string, now: number): AppState {
  const before = state.channels[id];
  let next: AppState = {
    ...state,
    ...touched(state, id),
    deleted: { ...state.deleted, [id]: true },
    channels: without(state.channels, id),
    inputBitrate: without(state.inputBitrate, id),
    log: before ? addEntries(state.log, now, id, [['info', `Channel ${before.name}: deleted`]]) : state.log,
  };
  // The server announces each destination's deletion first; this only covers one that slipped through.
  for (const destination of Object.values(next.destinations)) {
    if (destination.channel_id === id) next = deleteDestination(next, destination.id, now);
  }
  return next;
}

function logSwitch(state: AppState, switched: InputSwitched, now: number): AppState {
  if (state.deleted[switched.channel_id]) return state;
  const name = state.channels[switched.channel_id]?.name ?? switched.channel_id;
  return { ...state, log: addEntries(state.log, now, switched.channel_id, [switchLogLine(name, switched.to, switched.reason)]) };
}

// The backup input's bitrate and media as GET read them (the live counters carry the primary's only): numbers,
// never a state (those come with `channel` events).
function applyBackupCounters(state: AppState, channelId: string, backup: BackupInput): AppState {
  const channel = state.channels[channelId];
  if (!channel?.backup_input) return state;
  const backupInput = { ...channel.backup_input, bitrate_kbps: backup.bitrate_kbps, video: backup.video,
    audio: backup.audio };
  return { ...state, channels: { ...state.channels, [channelId]: { ...channel, backup_input: backupInput } } };
}

// A rendition's settings changed without the destinations that use it changing version: their `warnings` as a
// GET read them then. Only for the copy the GUI has (same version); a newer one comes with its own event.
function applyWarnings(state: AppState, incoming: Destination[]): AppState {
  let destinations = state.destinations;
  for (const fresh of incoming) {
    const mine = destinations[fresh.id];
    if (!mine || mine.version !== fresh.version) continue;
    if (JSON.stringify(mine.warnings) === JSON.stringify(fresh.warnings)) continue;
    destinations = { ...destinations, [fresh.id]: { ...mine, warnings: fresh.warnings } };
  }
  return destinations === state.destinations ? state : { ...state, destinations };
}

// A rendition's numbers from the live counters (how it keeps up, how many destinations are on); its state and
// error come with `channel` events.
function renditionCounters(renditions: Rendition[], live: Rendition[] | undefined): Rendition[] {
  if (!live || renditions.length === 0) return renditions;
  return renditions.map((r) => {
    const counters = live.find((l) => l.name === r.name);
    return counters ? { ...r, stats: counters.stats, destinations_on: counters.destinations_on } : r;
  });
}

// Live counters: they refresh the numbers and feed the charts, but never a status (statuses come with versions
// in `destination` and `channel` events, so that the GUI and a GET always agree).
function applyStats(state: AppState, stats: LiveStats, now: number): AppState {
  const at = Date.parse(stats.at);
  const t = (Number.isFinite(at) ? at : now) / 1000;
  const channels = { ...state.channels };
  const inputBitrate = { ...state.inputBitrate };
  for (const entry of stats.channels) {
    const channel = channels[entry.id];
    if (!channel) continue;
    const video = channel.input.video && entry.input.keyframe_interval_s > 0
      ? { ...channel.input.video, keyframe_interval_s: entry.input.keyframe_interval_s }
      : channel.input.video;
    channels[entry.id] = {
      ...channel,
      input: { ...channel.input, bitrate_kbps: entry.input.bitrate_kbps, video },
      // The packager's status changes without a stored event (it follows viewers): the counters carry it.
      hls: { ...channel.hls, status: entry.hls.status, segments: entry.hls.segments },
      medialive: channel.medialive && entry.medialive
        ? { ...channel.medialive, cost: entry.medialive } : channel.medialive,
      renditions: renditionCounters(channel.renditions, entry.renditions),
    };
    inputBitrate[entry.id] = appendSample(inputBitrate[entry.id], t, entry.input.bitrate_kbps);
  }
  const destinations = { ...state.destinations };
  const destinationBitrate = { ...state.destinationBitrate };
  for (const entry of stats.destinations) {
    const destination = destinations[entry.id];
    if (!destination) continue;
    destinations[entry.id] = { ...destination, stats: entry.stats };
    destinationBitrate[entry.id] = appendSample(destinationBitrate[entry.id], t, entry.stats.bitrate_kbps);
  }
  return {
    ...state,
    channels,
    destinations,
    inputBitrate,
    destinationBitrate,
    clockSkewMs: Number.isFinite(at) ? at - now : state.clockSkewMs,
  };
}

// Selectors.

export function channelList(state: AppState): Channel[] {
  return Object.values(state.channels).sort((a, b) =>
    a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id.localeCompare(b.id));
}

export function destinationsOf(state: AppState, channelId: string): Destination[] {
  return Object.values(state.destinations)
    .filter((d) => d.channel_id === channelId)
    .sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id.localeCompare(b.id)));
}

export function platformOf(state: AppState, id: string): Platform | undefined {
  return state.platforms.find((p) => p.id === id);
}
