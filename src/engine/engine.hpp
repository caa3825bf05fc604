// An Engine runs the media of channels (DESIGN.md "Rooms": local/ drives media/, medialive/ drives aws/).
// control/ tells it what should run; it reports what really runs. Calls come from the control thread; an
// engine never blocks it (network work happens on the engine's own threads).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace lunora::engine {

// A channel's backup input (issue 6): its own SRT listener (with the primary's latency, streamid and
// passphrase) or only its own RTMP key.
struct BackupIngestSpec {
  std::string protocol = "srt";  // "srt" | "rtmp"
  int srt_port = 0;              // when protocol is srt
  std::string rtmp_key;          // always: a second key on the shared RTMP listener
  bool operator==(const BackupIngestSpec&) const = default;
};

// A channel on AWS Elemental MediaLive (issue 8). In `direct` mode MediaLive pushes to every destination
// itself (one RTMP output group each); in `hybrid` mode it pushes ONE RTMP output (`relay_url` +
// `relay_stream_name`) to this channel's own RTMP ingest and Lunora fans out from there.
struct MediaLiveSpec {
  std::string mode = "direct";  // "direct" | "hybrid"
  std::string channel_id;  // MediaLive's channel id: adopted, or recorded once Lunora made it ("" = make one)
  std::string input_id;    // MediaLive's input id ("" = make one, unless the channel is adopted)
  std::string role_arn;    // the IAM role MediaLive assumes
  std::string input_type =
      "SRT_CALLER";         // "SRT_CALLER" | "RTMP_PUSH": how the encoder's feed reaches MediaLive
  std::string srt_address;  // SRT_CALLER: the encoder's SRT listener MediaLive calls
  int srt_port = 0;
  std::string srt_stream_id;
  int srt_latency_ms = 120;
  std::string rtmp_stream = "live/lunora";  // RTMP_PUSH: "app/instance" of the push URL
  std::string allowed_cidr = "0.0.0.0/0";   // RTMP_PUSH: who may push (the input security group's rule)
  std::string hls_s3_url;                   // where MediaLive writes HLS ("" = no HLS output group)
  std::string hls_playback_url;             // where viewers read it (S3 or CloudFront)
  std::string relay_url;                    // hybrid: Lunora's RTMP ingest as MediaLive reaches it
  std::string relay_stream_name;            // hybrid: the channel's RTMP key
  bool operator==(const MediaLiveSpec&) const = default;
};

struct IngestSpec {
  std::string channel_id;
  std::string protocol = "srt";  // the primary input: "srt" | "rtmp"
  int srt_port = 0;              // SRT listener port when protocol is srt
  int latency_ms = 120;
  std::string streamid;    // required SRT streamid ("" = any)
  std::string passphrase;  // SRT passphrase ("" = none), plain: the engine needs it
  std::string rtmp_key;    // RTMP publish key on the shared RTMP listener (app "live")
  // Input loss (issue 6): the slate goes out after this long without input media (0 = never) ...
  int input_loss_slate_after_ms = 1000;
  std::vector<uint8_t> slate_image;  // ... showing this PNG/JPEG (empty = the built-in card)
  // Backup input (issue 6): taken when the active input sent nothing for failover_after_ms; the primary takes
  // over again after delivering for failback_after_s (0 = only by hand).
  std::optional<BackupIngestSpec> backup;
  int failover_after_ms = 1000;
  int failback_after_s = 10;
  std::optional<MediaLiveSpec>
      medialive;  // set: the channel runs on MediaLive (no local input in direct mode)
};

// A rendition (issue 9): the channel's video encoded again to this profile, once however many outputs use it.
struct RenditionSpec {
  std::string name;  // unique in its channel
  int width = 1280;
  int height = 720;
  double fps = 30;
  int video_bitrate_kbps = 3000;
  int audio_bitrate_kbps = 128;  // the input's AAC is re-encoded only when clearly above it; 0 = never
  double keyframe_interval_s = 2;
  std::string preset = "veryfast";  // x264's, the first one tried (a slower machine steps to faster ones)
  bool operator==(const RenditionSpec&) const = default;
};

struct OutputSpec {
  std::string destination_id;
  std::string url;  // complete publish URL including the stream key (plain; never logged whole)
  std::optional<RenditionSpec> rendition;  // none: the input as it comes (passthrough)
};

// What an output is doing, in the control plane's words.
enum class OutputPhase {
  kWaitingForInput,  // started, no input media yet: not connected
  kConnecting,       // connecting, handshaking, publishing
  kStreaming,        // publish accepted and media bytes flow
  kRetrying,         // failed, waiting to reconnect (error + next retry)
  kFailed,           // failed and will not retry until the input changes (unsupported codec)
  kStopping,
};
std::string_view output_phase_name(OutputPhase phase);

struct OutputReport {
  std::string destination_id;
  OutputPhase phase = OutputPhase::kWaitingForInput;
  std::string error_code;  // "refused", "timeout", "publish_rejected", ... ("" = none)
  std::string error_message;
  std::string detail;  // what it waits for, in words, when the phase alone does not say ("" = the phase does)
  std::chrono::milliseconds next_retry_in{0};
  uint64_t bytes_sent = 0;
  double bitrate_kbps = 0;
  uint64_t uptime_s = 0;
  uint32_t reconnects = 0;
  uint64_t dropped_packets = 0;
};

// One input's listener and publisher.
struct InputHealth {
  bool listening = false;    // the ingest listener is up
  std::string listen_error;  // why not ("port 9000 is in use")
  bool connected = false;
  std::string protocol;  // of the connected publisher
  uint64_t bytes = 0;
  double bitrate_kbps = 0;
  std::string video_codec;  // "h264", "" when unknown
  int width = 0;
  int height = 0;
  double fps = 0;
  double keyframe_interval_s = 0;  // between the last two video keyframes; 0 = not known yet
  std::string audio_codec;
  int sample_rate = 0;
  int channels = 0;
  std::optional<std::chrono::system_clock::time_point> connected_since;
  bool delivering = false;  // media arrived within failover_after_ms
};

// The channel's input: the primary's health (inherited), the backup's, which one is on air, and the slate.
struct InputReport : InputHealth {
  std::optional<InputHealth> backup;  // set when the channel has a backup input
  std::string active = "primary";     // "primary" | "backup": whose media the destinations get
  std::string switching_to;           // "" or the input taken at its next keyframe
  uint64_t failovers = 0;             // switches to the backup
  uint64_t failbacks = 0;             // switches back to the primary
  std::string last_switch_reason;     // primary_lost|backup_lost|failback|manual|backup_removed
  std::optional<std::chrono::system_clock::time_point> last_switch_at;
  // A publisher is connected on the input on air (the one HLS and the destinations get).
  bool on_air_connected() const { return active == "backup" && backup ? backup->connected : connected; }
  // The slate (issue 6).
  bool slate_on = false;
  uint64_t slates = 0;       // times it went on
  double slate_seconds = 0;  // on the wire in all
  std::string slate_error;   // why none could be made ("" = fine)
};

// The channel's HLS packager (issue 4), while it runs.
struct HlsReport {
  bool running = false;
  uint64_t segments = 0;         // segments published since it started
  uint64_t window_segments = 0;  // segments listed in the playlist now
  uint64_t window_bytes = 0;     // bytes those hold in memory
  uint64_t dropped_packets = 0;  // dropped because the packager fell behind
  std::string error;             // why it cannot package ("" = fine), e.g. an unsupported codec
};

// A channel on MediaLive (issue 8): its resources, MediaLive's last word on it, and what its runs cost.
struct MediaLiveReport {
  std::string mode;        // "direct" | "hybrid"
  std::string phase;       // "provisioning" | "ready" | "failed" (error says why)
  std::string error;       // the last refusal or failure, in AWS's words ("" = none)
  std::string channel_id;  // once provisioned
  std::string input_id;
  std::vector<std::string> input_urls;  // RTMP_PUSH: where the encoder pushes
  std::string state;                    // MediaLive's channel state ("" before the first look)
  std::string activity;                 // "", "updating", "starting", "stopping", "restarting"
  bool restart_pending = false;         // running with other outputs wanted, and no restart allowed
  std::vector<std::string> pushes;      // the RTMP outputs the channel has now (destination ids)
  // The cost meter (MediaLive bills each start for at least 10 minutes).
  bool running = false;
  double running_seconds = 0;
  int64_t billed_minutes = 0;
  double estimated_usd = 0;
  int runs = 0;
  int64_t minimum_left_seconds = 0;
};

// A rendition while it runs (one of its outputs is on).
struct RenditionReport {
  std::string name;
  int outputs = 0;  // the outputs it feeds
  double fps_in = 0;
  double fps_out = 0;
  double speed = 0;        // encode speed, x real time
  double cpu_percent = 0;  // of one core
  double cpu_seconds = 0;
  std::string preset;  // x264's preset now
  int preset_changes = 0;
  bool overloaded = false;  // cannot keep real time even at the fastest preset
  std::string audio;        // "" | "measuring" | "passthrough" | "transcode"
  uint64_t frames_in = 0;
  uint64_t frames_out = 0;
  uint64_t dropped_packets = 0;
  std::string error;  // why it does not encode ("" = fine)
};

struct ChannelReport {
  std::string channel_id;
  InputReport input;
  std::vector<OutputReport> outputs;
  std::vector<RenditionReport> renditions;  // the running ones
  HlsReport hls;
  std::optional<MediaLiveReport> medialive;  // set for a channel on MediaLive
};

// A channel's live HLS stream as the HTTP server reads it: any thread, never blocking on the media path.
class HlsStream {
 public:
  virtual ~HlsStream() = default;
  // The live media playlist; "" until the first segment is out. Segment URIs are relative names.
  virtual std::string playlist() const = 0;
  // A listed segment's bytes by its URI name; nullptr when it is unknown or has slid out of the window.
  virtual std::shared_ptr<const std::vector<uint8_t>> segment(std::string_view name) const = 0;
};

// Checks a destination URL the way an output will read it (scheme rtmp/rtmps/srt, host, port, SRT caller):
// an error says what is wrong.
Status validate_output_url(const std::string& url);
// Checks a destination URL the way MediaLive's RTMP output will take it (a channel in direct mode):
// rtmp:// or rtmps://, with an app and a stream key.
Status validate_medialive_output_url(const std::string& url);
// Checks a rendition the way its encoder will take it: an error says which value is wrong.
Status validate_rendition(const RenditionSpec& rendition);
// Checks a slate picture the way the slate encoder will read it (a PNG or JPEG that decodes).
Status validate_slate_image(const std::vector<uint8_t>& image);
// The built-in slate card (PNG), for showing what destinations get without a picture of one's own.
std::vector<uint8_t> default_slate_image();

class Engine {
 public:
  virtual ~Engine() = default;

  // Brings the channel's ingest up (SRT listener and/or RTMP key); replaces the previous spec of the channel.
  virtual Status open_channel(const IngestSpec& spec) = 0;
  // Stops every output and the ingest of the channel; `done` runs (on any thread) when all is down.
  virtual void close_channel(const std::string& channel_id, std::function<void()> done) = 0;
  // This node stops driving the channel because another node takes it over: what runs here stops, what runs
  // elsewhere (a MediaLive channel) is left running for the other node to drive on.
  virtual void release_channel(const std::string& channel_id) { close_channel(channel_id, {}); }

  // Switches the channel to its "primary" or "backup" input at that input's next keyframe; an error when the
  // channel has no backup or that input delivers nothing.
  virtual Status switch_input(const std::string& channel_id, const std::string& to) = 0;

  // Starts an output (idempotent: the same spec again changes nothing; another URL reconnects it).
  virtual Status start_output(const std::string& channel_id, const OutputSpec& spec) = 0;
  // Stops with a proper close; `done` runs (on any thread) when it is torn down. Unknown ids finish at once.
  virtual void stop_output(const std::string& channel_id, const std::string& destination_id,
                           std::function<void()> done) = 0;

  // Starts packaging the channel's input as HLS (idempotent: the running stream again). The stream stays
  // readable after stop_hls (its last window), but no longer changes.
  virtual Result<std::shared_ptr<const HlsStream>> start_hls(const std::string& channel_id) = 0;
  // Stops the packager; unknown channels and a stopped packager are fine.
  virtual void stop_hls(const std::string& channel_id) = 0;

  // Whether the channel runs with no output on (started by hand). Engines whose channels cost nothing idle
  // ignore it; MediaLive runs (and bills) only while something wants it.
  virtual void set_started(const std::string& channel_id, bool started) {
    (void)channel_id;
    (void)started;
  }
  // The channel's next change of outputs may restart it (MediaLive direct mode: a running channel cannot be
  // edited, so the change stops and starts it, interrupting every output). Engines that never restart a
  // channel ignore it.
  virtual void allow_restart(const std::string& channel_id) { (void)channel_id; }

  // A snapshot of every open channel; cheap enough to call a few times a second.
  virtual std::vector<ChannelReport> report() = 0;

  // Stops everything (process exit); `done` runs when all is down.
  virtual void shutdown(std::function<void()> done) = 0;
};

}  // namespace lunora::engine
