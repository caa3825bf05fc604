// Records as the server sends them, with fields a test can override.
import type {
  BackupInput, Channel, ChannelMediaLive, Destination, LiveStats, Platform, Rendition, RenditionStats,
  RenditionSuggestion,
} from '../../src/api/types';

export function channel(over: Partial<Channel> = {}): Channel {
  return {
    id: 'ch_main',
    name: 'main',
    state: 'idle',
    state_message: null,
    engine: 'local',
    medialive: null,
    input: {
      protocol: 'srt',
      ingest_url: 'srt://127.0.0.1:9000?mode=caller',
      port: 9000,
      latency_ms: 120,
      passphrase_set: false,
      streamid_set: false,
      listening: true,
      connected: false,
      connected_protocol: null,
      delivering: false,
      bitrate_kbps: 0,
      video: null,
      audio: null,
      slate: { on: false, count: 0, seconds: 0, error: null },
      connected_since: null,
    },
    backup_input: null,
    active_input: 'primary',
    failover: { switching_to: null, count: 0, failbacks: 0, last_reason: null, last_at: null },
    failover_after_ms: 1000,
    failback_after_s: 10,
    auto_start: true,
    auto_stop_after_s: 30,
    input_loss_slate_after_ms: 1000,
    input_loss_stop_after_s: 0,
    slate_image: 'built-in',
    destinations_on: 0,
    renditions: [],
    error: null,
    public: false,
    playback_url: 'http://127.0.0.1:8080/watch/ch_main?token=t',
    hls: { status: 'off', playlist_url: 'http://127.0.0.1:8080/hls/ch_main/index.m3u8?token=t', segments: 0,
      bytes: 0, dropped_packets: 0, error: null },
    version: 1,
    created_at: '2026-11-26T00:00:00.000Z',
    updated_at: '2026-11-26T00:00:00.000Z',
    ...over,
  };
}

// A backup input as the server shows it (an SRT listener of its own), with fields a test can override.
export function backupInput(over: Partial<BackupInput> = {}): BackupInput {
  return {
    protocol: 'srt',
    ingest_url: 'srt://127.0.0.1:9001?mode=caller',
    port: 9001,
    listening: true,
    connected: false,
    connected_protocol: null,
    delivering: false,
    bitrate_kbps: 0,
    video: null,
    audio: null,
    connected_since: null,
    ...over,
  };
}

// A hybrid MediaLive channel's `medialive`, running one start in, with fields a test can override.
export function mediaLive(over: Partial<ChannelMediaLive> = {}): ChannelMediaLive {
  return {
    mode: 'hybrid',
    channel_id: '1234567',
    input_id: '7654321',
    role_arn: 'arn:aws:iam::123456789012:role/MediaLiveAccessRole',
    input: { type: 'RTMP_PUSH', rtmp_stream: 'live/studio', allowed_cidr: '203.0.113.0/24' },
    hls: null,
    phase: 'ready',
    state: 'RUNNING',
    activity: null,
    restart_pending: false,
    error: null,
    outputs: ['lunora-relay'],
    relay_url: 'rtmp://127.0.0.1:1935/live/…k3y',
    cost: { running: true, running_seconds: 125, billed_minutes: 10, estimated_usd: 0.17, runs: 1,
      minimum_left_seconds: 475 },
    ...over,
  };
}

export function destination(over: Partial<Destination> = {}): Destination {
  return {
    id: 'd_yt',
    channel_id: 'ch_main',
    name: 'YouTube',
    platform: 'youtube',
    url: 'rtmps://a.rtmps.youtube.com:443/live2',
    stream_key_hint: '…3f9a',
    enabled: false,
    status: 'ready',
    status_detail: null,
    status_since: '2026-11-26T00:00:00.000Z',
    last_error: null,
    next_retry_at: null,
    stats: { bitrate_kbps: 0, bytes_sent: 0, uptime_s: 0, reconnects: 0, dropped_packets: 0 },
    rendition: null,
    warnings: [],
    version: 1,
    created_at: '2026-11-26T00:00:01.000Z',
    updated_at: '2026-11-26T00:00:01.000Z',
    ...over,
  };
}

// A 720p30 rendition nobody uses yet, as the server shows it, with fields a test can override.
export function rendition(over: Partial<Rendition> = {}): Rendition {
  return {
    name: '720p30',
    width: 1280,
    height: 720,
    fps: 30,
    video_bitrate_kbps: 3000,
    audio_bitrate_kbps: 128,
    keyframe_interval_s: 2,
    preset: 'veryfast',
    destinations: [],
    destinations_on: 0,
    state: 'idle',
    error: null,
    stats: null,
    ...over,
  };
}

// What a running rendition reports, with fields a test can override.
export function renditionStats(over: Partial<RenditionStats> = {}): RenditionStats {
  return {
    encoders: 1,
    outputs: 2,
    fps_in: 30,
    fps_out: 29.97,
    speed: 1.34,
    cpu_percent: 41.6,
    preset: 'veryfast',
    preset_changes: 0,
    audio: 'passthrough',
    frames_in: 900,
    frames_out: 899,
    dropped_packets: 0,
    ...over,
  };
}

export function suggestion(over: Partial<RenditionSuggestion> = {}): RenditionSuggestion {
  return {
    platform: 'twitch',
    name: 'twitch-1080p30',
    width: 1920,
    height: 1080,
    fps: 30,
    video_bitrate_kbps: 6000,
    audio_bitrate_kbps: 128,
    keyframe_interval_s: 2,
    ...over,
  };
}

export function platform(over: Partial<Platform> = {}): Platform {
  return {
    id: 'youtube',
    name: 'YouTube',
    ingest: { rtmp: 'rtmp://a.rtmp.youtube.com/live2', rtmps: 'rtmps://a.rtmps.youtube.com:443/live2' },
    default_url: 'rtmps://a.rtmps.youtube.com:443/live2',
    stream_key_required: true,
    requirements: {
      max_video_bitrate_kbps: 6000,
      max_audio_bitrate_kbps: 160,
      keyframe_interval_s: 2,
      video_codecs: ['h264'],
      audio_codecs: ['aac'],
      max_width: 1920,
      max_height: 1080,
      max_fps: 60,
      notes: '',
    },
    help_url: null,
    ...over,
  };
}

export function stats(at: string, channels: LiveStats['channels'], destinations: LiveStats['destinations'] = [])
  : LiveStats {
  return { at, channels, destinations };
}
