// The REST API's records, as docs/openapi.yaml declares them (snake_case, as on the wire).

export type ChannelState = 'idle' | 'starting' | 'running' | 'stopping' | 'error';
export type DestinationStatus = 'ready' | 'starting' | 'streaming' | 'stopping' | 'error';
export type HlsStatus = 'off' | 'starting' | 'live' | 'error';
export type PlatformId = 'youtube' | 'twitch' | 'facebook' | 'restream' | 'kick' | 'custom';
export type InputProtocol = 'srt' | 'rtmp';
export type InputRole = 'primary' | 'backup';
export type SwitchReason = 'primary_lost' | 'backup_lost' | 'failback' | 'manual' | 'backup_removed';
export type ChannelEngine = 'local' | 'medialive';
export type MediaLiveMode = 'direct' | 'hybrid';
export type MediaLivePhase = 'provisioning' | 'ready' | 'failed';
export type MediaLiveActivity = 'updating' | 'starting' | 'stopping' | 'restarting';
export type MediaLiveInputType = 'SRT_CALLER' | 'RTMP_PUSH';
export type RenditionState = 'idle' | 'starting' | 'running' | 'overloaded' | 'error';
export type RenditionAudio = 'measuring' | 'passthrough' | 'transcode';

export interface VideoInfo {
  codec: string;
  width: number;
  height: number;
  fps: number;
  keyframe_interval_s: number; // 0 until two keyframes were seen
}

export interface AudioInfo {
  codec: string;
  sample_rate: number;
  channels: number;
}

export interface ChannelInput {
  protocol: InputProtocol;
  ingest_url: string; // secrets shown as hints only
  port: number;
  latency_ms: number;
  passphrase_set: boolean;
  streamid_set: boolean;
  listening: boolean;
  connected: boolean;
  connected_protocol: InputProtocol | null;
  delivering: boolean; // media arrived within failover_after_ms
  bitrate_kbps: number;
  video: VideoInfo | null;
  audio: AudioInfo | null;
  slate: InputSlate;
  connected_since: string | null;
}

// A second encoder the channel fails over to when the primary delivers nothing (issue 6): its own SRT listener,
// or only its own RTMP key on the shared RTMP port.
export interface BackupInput {
  protocol: InputProtocol;
  ingest_url: string; // secrets shown as hints only
  port: number;
  listening: boolean;
  connected: boolean;
  connected_protocol: InputProtocol | null;
  delivering: boolean;
  bitrate_kbps: number;
  video: VideoInfo | null;
  audio: AudioInfo | null;
  connected_since: string | null;
}

export interface ChannelFailover {
  switching_to: InputRole | null; // taken over at that input's next keyframe
  count: number; // switches to the backup since Lunora started
  failbacks: number; // switches back to the primary
  last_reason: SwitchReason | null;
  last_at: string | null;
}

// The slate that stands in for a lost input (issue 6).
export interface InputSlate {
  on: boolean;
  count: number;
  seconds: number;
  error: string | null;
}

export interface ChannelHls {
  status: HlsStatus;
  playlist_url: string;
  segments: number;
  bytes: number;
  dropped_packets: number;
  error: string | null;
}

// What a MediaLive channel was made with: the encoder's SRT listener MediaLive calls, or MediaLive's RTMP push
// input (its push URL is in the ingest's `medialive`).
export interface MediaLiveInputSettings {
  type: MediaLiveInputType;
  srt_address?: string;
  srt_port?: number;
  stream_id?: string;
  latency_ms?: number;
  rtmp_stream?: string;
  allowed_cidr?: string;
}

// Running time and money: MediaLive bills each start for at least 10 minutes.
export interface MediaLiveCost {
  running: boolean;
  running_seconds: number;
  billed_minutes: number;
  estimated_usd: number;
  runs: number;
  minimum_left_seconds: number; // of the current start's 10 minutes; 0 when not running
}

// A channel on AWS Elemental MediaLive (`engine: "medialive"`); null for Lunora's own engine.
export interface ChannelMediaLive {
  mode: MediaLiveMode;
  channel_id: string | null; // MediaLive's id, null until made
  input_id: string | null;
  role_arn: string;
  input: MediaLiveInputSettings;
  hls: { s3_url: string; playback_url: string } | null;
  phase: MediaLivePhase;
  state: string | null; // MediaLive's own: IDLE, STARTING, RUNNING, RECOVERING, STOPPING, ...
  activity: MediaLiveActivity | null;
  restart_pending: boolean;
  error: string | null; // in AWS's words
  outputs: string[]; // destination ids MediaLive pushes to now, or "lunora-relay" in hybrid mode
  relay_url: string | null; // hybrid: where MediaLive's one output publishes (key as a hint)
  cost: MediaLiveCost;
}

// What a rendition encodes to (issue 9): the fields of POST and PATCH /api/v1/channels/{id}/renditions.
export interface RenditionSettings {
  width: number;
  height: number;
  fps: number;
  video_bitrate_kbps: number;
  audio_bitrate_kbps: number | null; // null: the input's audio always passes through
  keyframe_interval_s: number;
  preset?: string; // x264's; the server's default when left out
}

export interface RenditionCreate extends RenditionSettings {
  name: string; // 1 to 40 letters, digits, '-', '_' or '.': part of URLs, never changes
}

// The name never changes (a different one is refused): make another rendition instead.
export type RenditionPatch = Partial<RenditionSettings>;

// How a running rendition keeps up, once a second in the live counters.
export interface RenditionStats {
  encoders: number; // 1: one encode however many destinations use it
  outputs: number; // destinations it feeds now
  fps_in: number;
  fps_out: number;
  speed: number; // x real time
  cpu_percent: number; // of one core
  preset: string; // x264's preset now: it steps to faster ones when the machine cannot keep up
  preset_changes: number;
  audio: RenditionAudio | null;
  frames_in: number;
  frames_out: number;
  dropped_packets: number;
}

// One encode of the channel's input, shared by every destination that names it; runs while one of them is on.
export interface Rendition extends RenditionCreate {
  preset: string;
  destinations: string[]; // ids of the destinations that use it
  destinations_on: number;
  state: RenditionState;
  error: string | null;
  stats: RenditionStats | null; // null while it does not run
}

// A built-in starting point, one per platform (GET /api/v1/channels/{id}/renditions).
export interface RenditionSuggestion extends RenditionCreate {
  platform: PlatformId;
}

export interface RenditionList {
  renditions: Rendition[];
  suggestions: RenditionSuggestion[];
}

// What is wrong with a channel as a whole right now: a rendition that cannot keep real time or failed.
export interface ChannelError {
  code: 'rendition_overloaded' | 'rendition_failed';
  rendition: string;
  message: string;
}

export interface Channel {
  id: string;
  name: string;
  state: ChannelState;
  state_message: string | null;
  engine: ChannelEngine;
  medialive: ChannelMediaLive | null;
  input: ChannelInput;
  backup_input: BackupInput | null;
  active_input: InputRole; // whose media the destinations and the HLS stream get now
  failover: ChannelFailover;
  failover_after_ms: number;
  failback_after_s: number; // 0: back to the primary only by hand
  auto_start: boolean;
  auto_stop_after_s: number;
  input_loss_slate_after_ms: number;
  input_loss_stop_after_s: number;
  slate_image: 'built-in' | 'custom';
  destinations_on: number;
  renditions: Rendition[];
  error: ChannelError | null;
  public: boolean;
  playback_url: string | null; // null: no HLS anywhere (a direct MediaLive channel without `hls`)
  hls: ChannelHls;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface Ingest {
  channel_id: string;
  srt_url: string | null;
  rtmp_url: string;
  rtmp_server: string;
  rtmp_key: string;
  ingest_url: string;
  passphrase: string | null;
  streamid: string | null;
  backup: IngestBackup | null;
  medialive: IngestMediaLive | null; // where the encoder sends for a MediaLive channel
}

// A MediaLive channel's ingest: MediaLive's RTMP push URL, or the encoder's SRT listener MediaLive calls.
export interface IngestMediaLive {
  type: MediaLiveInputType;
  ingest_url: string | null; // RTMP_PUSH: null until MediaLive's input is made
  input_urls: string[];
  srt_listener: string | null; // SRT_CALLER
  note: string;
}

export interface IngestBackup {
  ingest_url: string; // the URL of the backup's protocol
  srt_url: string | null; // null for an RTMP backup
  rtmp_url: string; // its own key included
  rtmp_key: string;
}

export interface ChannelCreated extends Channel {
  ingest: Ingest;
}

export interface ChannelCreate {
  name: string;
  input?: { protocol?: InputProtocol; port?: number; passphrase?: string | null; latency_ms?: number };
  auto_start?: boolean;
  auto_stop_after_s?: number;
  public?: boolean;
}

export interface BackupInputSettings {
  protocol: InputProtocol;
  port?: number; // SRT only; the next free one when left out
}

export interface ChannelPatch {
  name?: string;
  backup_input?: BackupInputSettings | null; // null removes it
  failover_after_ms?: number; // 200..60000
  failback_after_s?: number; // 0..86400, 0 = only by hand
}

export interface DestinationError {
  code: string; // refused, timeout, dns, tls, publish_rejected, closed, unsupported_codec, input_unavailable, ...
  message: string;
  at: string;
}

export interface DestinationStats {
  bitrate_kbps: number;
  bytes_sent: number;
  uptime_s: number;
  reconnects: number;
  dropped_packets: number;
}

export type WarningCode = 'video_codec' | 'audio_codec' | 'video_bitrate' | 'audio_bitrate' | 'keyframe_interval'
  | 'resolution' | 'frame_rate';

// Where the stream a destination gets (the input, or its rendition) breaks its platform's requirements.
export interface DestinationWarning {
  code: WarningCode;
  message: string; // with the numbers: "Twitch takes at most 6000 kbit/s of video; the rendition sends 8000 kbit/s"
  limit: unknown;
  actual: unknown;
}

export interface Destination {
  id: string;
  channel_id: string;
  name: string;
  platform: PlatformId;
  url: string;
  stream_key_hint: string;
  enabled: boolean;
  status: DestinationStatus;
  status_detail: string | null;
  status_since: string;
  last_error: DestinationError | null;
  next_retry_at: string | null;
  stats: DestinationStats;
  rendition: string | null; // null: passthrough, the input as it comes
  warnings: DestinationWarning[];
  version: number;
  created_at: string;
  updated_at: string;
}

export interface DestinationCreate {
  channel_id: string;
  name: string;
  platform: PlatformId;
  url?: string | null;
  stream_key?: string | null;
  rendition?: string | null;
}

export interface DestinationPatch {
  name?: string;
  url?: string;
  stream_key?: string;
  platform?: PlatformId;
  rendition?: string | null; // a live destination reconnects, alone
}

export interface PlatformRequirements {
  max_video_bitrate_kbps: number;
  max_audio_bitrate_kbps: number; // 0 when the platform states none
  keyframe_interval_s: number;
  video_codecs: string[];
  audio_codecs: string[];
  max_width: number;
  max_height: number;
  max_fps: number;
  notes: string;
}

export interface Platform {
  id: PlatformId;
  name: string;
  ingest: { rtmp: string | null; rtmps: string | null };
  default_url: string | null;
  stream_key_required: boolean;
  requirements: PlatformRequirements;
  help_url: string | null;
}

// `event: stats` of GET /api/v1/events?stats=1: live counters once a second, not stored, not replayed.
export interface LiveStats {
  at: string;
  channels: Array<{
    id: string;
    state: ChannelState;
    input: { connected: boolean; bitrate_kbps: number; keyframe_interval_s: number };
    hls: { status: HlsStatus; segments: number };
    medialive?: MediaLiveCost | null; // a MediaLive channel's cost meter; null for a local channel
    renditions?: Rendition[];
    error?: ChannelError | null;
  }>;
  destinations: Array<{
    id: string;
    channel_id: string;
    status: DestinationStatus;
    stats: DestinationStats;
  }>;
}

// What GET /api/v1/events carries, decoded.
export type LiveEvent =
  | { type: 'channel'; data: Channel }
  | { type: 'destination'; data: Destination }
  | { type: 'channel_deleted'; data: { id: string } }
  | { type: 'destination_deleted'; data: { id: string; channel_id?: string } }
  | { type: 'stats'; data: LiveStats }
  | { type: 'input_switched'; data: InputSwitched }
  | { type: 'resync'; data: { reason?: string } };

// `event: input_switched`: a channel's destinations went over to its other input (the `channel` event follows).
export interface InputSwitched {
  channel_id: string;
  from: InputRole;
  to: InputRole;
  reason: SwitchReason;
}

export const LIVE_EVENT_TYPES: ReadonlySet<string> = new Set([
  'channel', 'destination', 'channel_deleted', 'destination_deleted', 'input_switched', 'stats', 'resync',
]);
