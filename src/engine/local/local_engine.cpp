#include "engine/local/local_engine.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/ssl/context.hpp>

#include "core/redact.hpp"
#include "engine/rendition_profile.hpp"
#include "media/endpoint_url.hpp"
#include "media/failover/input_selector.hpp"
#include "media/hub/hub.hpp"
#include "media/net/input_stats.hpp"
#include "media/net/rtmp_ingest_server.hpp"
#include "media/net/rtmp_output.hpp"
#include "media/slate/slate_inserter.hpp"
#include "media/srt/srt_input.hpp"
#include "media/srt/srt_output.hpp"
#include "media/transcode/rendition.hpp"

namespace lunora::engine {
namespace {

using Clock = std::chrono::steady_clock;

// Bits per second over windows of at least a second (report() runs a few times a second).
class RateMeter {
 public:
  double update(uint64_t bytes, Clock::time_point now) {
    if (last_at_ == Clock::time_point{}) {
      last_at_ = now;
      last_bytes_ = bytes;
      return kbps_;
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_at_).count();
    if (elapsed >= 1000) {
      kbps_ = static_cast<double>(bytes - last_bytes_) * 8.0 / static_cast<double>(elapsed);
      last_at_ = now;
      last_bytes_ = bytes;
    }
    return kbps_;
  }

 private:
  Clock::time_point last_at_{};
  uint64_t last_bytes_ = 0;
  double kbps_ = 0;
};

OutputPhase phase_of(media::OutputState state) {
  switch (state) {
    case media::OutputState::kIdle:
    case media::OutputState::kConnecting:
    case media::OutputState::kPublishing:
      return OutputPhase::kConnecting;
    case media::OutputState::kLive:
      return OutputPhase::kStreaming;
    case media::OutputState::kRetrying:
      return OutputPhase::kRetrying;
    case media::OutputState::kFailed:
      return OutputPhase::kFailed;
    case media::OutputState::kStopping:
    case media::OutputState::kStopped:
      return OutputPhase::kStopping;
  }
  return OutputPhase::kConnecting;
}

std::string codec_word(media::Codec codec) {
  return codec == media::Codec::kUnknown ? std::string() : std::string(media::codec_name(codec));
}

HlsReport hls_report(const media::HlsOutput& output) {
  const media::HlsOutputStats stats = output.stats();
  HlsReport report;
  report.running = true;
  report.segments = stats.segmenter.segments;
  report.window_segments = stats.window_segments;
  report.window_bytes = stats.window_bytes;
  report.dropped_packets = stats.dropped_packets;
  report.error = !stats.codec_error.empty() ? stats.codec_error : stats.segmenter.last_error;
  return report;
}

std::string base36(uint64_t value) {
  std::string text;
  do {
    text.insert(text.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[value % 36]);
    value /= 36;
  } while (value != 0);
  return text;
}

// Runs `done` once `count` completions have arrived (from any thread).
std::function<void()> countdown(size_t count, std::function<void()> done) {
  if (count == 0) {
    done();
    return {};
  }
  auto remaining = std::make_shared<std::atomic<size_t>>(count);
  auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
  return [remaining, shared_done] {
    if (remaining->fetch_sub(1) == 1) (*shared_done)();
  };
}

// The HTTP server's read-only view of a channel's HlsOutput.
class LocalHlsStream final : public HlsStream {
 public:
  explicit LocalHlsStream(std::shared_ptr<media::HlsOutput> output) : output_(std::move(output)) {}
  std::string playlist() const override {
    // The packager's playlist before its first segment is a valid but empty one; players want none at all.
    return output_->stats().window_segments == 0 ? std::string() : output_->playlist();
  }
  std::shared_ptr<const std::vector<uint8_t>> segment(std::string_view name) const override {
    return output_->segment(name);
  }

 private:
  std::shared_ptr<media::HlsOutput> output_;
};

}  // namespace

// What one input listens with: the part of a spec that needs its listener taken down and up again.
struct LocalEngine::IngestParams {
  std::string protocol;  // "srt": an SRT listener and the RTMP key; "rtmp": the key only
  int srt_port = 0;
  int latency_ms = 120;
  std::string streamid;
  std::string passphrase;
  std::string rtmp_key;
  bool operator==(const IngestParams&) const = default;
};

namespace {

LocalEngine::IngestParams primary_params(const IngestSpec& spec) {
  return {spec.protocol, spec.srt_port, spec.latency_ms, spec.streamid, spec.passphrase, spec.rtmp_key};
}

std::optional<LocalEngine::IngestParams> backup_params(const IngestSpec& spec) {
  if (!spec.backup) return std::nullopt;
  return LocalEngine::IngestParams{spec.backup->protocol, spec.backup->srt_port, spec.latency_ms,
                                   spec.streamid,         spec.passphrase,       spec.backup->rtmp_key};
}

}  // namespace

struct LocalEngine::OutputEntry {
  std::string url;
  std::optional<RenditionSpec> rendition;        // none: fed by the channel's Hub (passthrough)
  std::shared_ptr<media::NetworkOutput> output;  // null while waiting for input
  std::shared_ptr<media::Rendition> source;      // the rendition whose Hub feeds the output, once connected
  RateMeter rate;
};

struct LocalEngine::RenditionEntry {
  RenditionSpec spec;
  std::shared_ptr<media::Rendition> rendition;
  int outputs = 0;
};

// One input's listeners: its SRT listener and its key on the shared RTMP listener.
struct LocalEngine::Ingest {
  std::optional<IngestParams> params;  // what it was brought up with (none: no such input)
  std::unique_ptr<media::SrtInput> srt;
  std::string listen_error;
  bool rtmp_mounted = false;
  RateMeter rate;
};

struct LocalEngine::Pipeline {
  IngestSpec spec;
  media::Hub hub;
  media::SlateInserter slate{hub, {}};       // between the selected input and the hub
  media::InputSelector selector{slate, {}};  // lets the primary or the backup through
  media::InputRecorder recorder{selector.input(media::InputRole::kPrimary)};
  media::InputRecorder backup_recorder{selector.input(media::InputRole::kBackup)};
  Ingest primary;
  Ingest backup;

  std::map<std::string, OutputEntry> outputs;  // by destination id
  // Running renditions: one per profile, however many outputs use it.
  std::vector<RenditionEntry> renditions;
  std::shared_ptr<media::HlsOutput> hls;        // null while HLS is off
  std::shared_ptr<const HlsStream> hls_stream;  // the HTTP server's view of `hls`
};

LocalEngine::LocalEngine(boost::asio::io_context& io, LocalEngineOptions options)
    : io_(io), options_(std::move(options)) {}

LocalEngine::~LocalEngine() {
  // Renditions own their threads: told to end here too, should shutdown() not have run.
  for (auto& [id, pipeline] : channels_) {
    for (auto& running : pipeline->renditions) running.rendition->stop();
  }
  stopping_ = true;
  if (slate_thread_.joinable()) slate_thread_.join();
  if (rtmp_) rtmp_->stop();
}

Status LocalEngine::start() {
  rtmp_ = std::make_unique<media::RtmpIngestServer>(io_, options_.rtmp_host, options_.rtmp_port);
  auto started = rtmp_->start();
  if (started && !slate_thread_.joinable()) slate_thread_ = std::thread([this] { run_slates(); });
  return started;
}

void LocalEngine::run_slates() {
  pthread_setname_np(pthread_self(), "lunora-slate");
  std::vector<std::weak_ptr<Pipeline>> pipelines;
  while (!stopping_) {
    {
      std::lock_guard lock(ticked_mutex_);
      std::erase_if(ticked_, [](const auto& pipeline) { return pipeline.expired(); });
      pipelines = ticked_;
    }
    const auto now = Clock::now();
    for (const auto& weak : pipelines) {
      if (auto pipeline = weak.lock()) {
        // The selector first: a failover it starts can spare the slate.
        pipeline->selector.tick(now);
        pipeline->slate.tick(now);
      }
    }
    // A slate frame is due every 33 ms at 30 fps; 5 ms keeps its pacing within a few milliseconds.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

uint16_t LocalEngine::rtmp_port() const {
  return rtmp_ ? rtmp_->port() : 0;
}

Status LocalEngine::open_channel(const IngestSpec& spec) {
  auto& pipeline = channels_[spec.channel_id];
  if (!pipeline) {
    pipeline = std::make_shared<Pipeline>();
    std::lock_guard lock(ticked_mutex_);
    ticked_.emplace_back(pipeline);
  }
  pipeline->spec = spec;
  pipeline->slate.set_options({std::chrono::milliseconds(spec.input_loss_slate_after_ms), spec.slate_image});
  pipeline->selector.set_options({spec.backup.has_value(), std::chrono::milliseconds(spec.failover_after_ms),
                                  std::chrono::seconds(spec.failback_after_s)});
  if (auto up = bring_up(*pipeline, pipeline->primary, primary_params(spec), pipeline->recorder); !up) {
    return up;
  }
  if (auto up = bring_up(*pipeline, pipeline->backup, backup_params(spec), pipeline->backup_recorder); !up) {
    return Error(up.error().code(), "backup input: " + up.error().message());
  }
  return ok_status();
}

Status LocalEngine::bring_up(Pipeline& pipeline, Ingest& ingest, const std::optional<IngestParams>& wanted,
                             media::InputRecorder& recorder) {
  if (ingest.params == wanted && ingest.listen_error.empty()) return ok_status();
  // Take the old listeners down before binding the new ones (the SRT port may stay the same).
  take_down(ingest);
  ingest.params = wanted;
  if (!wanted) return ok_status();
  if (rtmp_ && !wanted->rtmp_key.empty()) {
    // Aliasing shared_ptr: the mount keeps the whole pipeline (hub included) alive while it uses the
    // recorder.
    rtmp_->mount(options_.rtmp_app, wanted->rtmp_key,
                 std::shared_ptr<media::InputRecorder>(channels_.at(pipeline.spec.channel_id), &recorder));
    ingest.rtmp_mounted = true;
  }
  if (wanted->protocol != "srt") return ok_status();

  media::EndpointUrl url;
  url.scheme = media::EndpointUrl::Scheme::kSrt;
  url.host = options_.ingest_host;
  url.port = static_cast<uint16_t>(wanted->srt_port);
  url.mode = "listener";
  url.passphrase = wanted->passphrase;
  url.streamid = wanted->streamid;
  url.latency_ms = wanted->latency_ms;
  url.redacted = "srt://" + url.host + ":" + std::to_string(url.port) + "?mode=listener";
  auto input = std::make_unique<media::SrtInput>(std::move(url), recorder);
  auto started = input->start();
  if (!started) {
    ingest.listen_error = started.error().message();
    spdlog::warn("event=ingest_failed channel={} input={} error=\"{}\"", pipeline.spec.channel_id,
                 &ingest == &pipeline.primary ? "primary" : "backup", ingest.listen_error);
    return started.error();
  }
  ingest.srt = std::move(input);
  return ok_status();
}

void LocalEngine::take_down(Ingest& ingest) {
  ingest.srt.reset();
  if (ingest.rtmp_mounted && ingest.params) rtmp_->unmount(ingest.params->rtmp_key);
  ingest.rtmp_mounted = false;
  ingest.listen_error.clear();
}

Status LocalEngine::switch_input(const std::string& channel_id, const std::string& to) {
  auto it = channels_.find(channel_id);
  if (it == channels_.end()) return Error(ErrorCode::kNotFound, "channel " + channel_id + " is not open");
  if (to != "primary" && to != "backup") {
    return Error(ErrorCode::kInvalidArgument, "an input is \"primary\" or \"backup\"");
  }
  return it->second->selector.request_switch(
      to == "primary" ? media::InputRole::kPrimary : media::InputRole::kBackup, Clock::now());
}

void LocalEngine::close_channel(const std::string& channel_id, std::function<void()> done) {
  auto it = channels_.find(channel_id);
  if (it == channels_.end()) {
    if (done) done();
    return;
  }
  auto pipeline = it->second;
  channels_.erase(it);
  take_down(pipeline->primary);
  take_down(pipeline->backup);
  std::vector<std::shared_ptr<media::NetworkOutput>> running;
  for (auto& [id, entry] : pipeline->outputs) {
    if (entry.output) running.push_back(entry.output);
    detach(*pipeline, entry);
  }
  pipeline->outputs.clear();
  stop_hls(*pipeline);
  // The last completion drops the pipeline (outputs reference its hub until they are down).
  auto finished = countdown(running.size(), [pipeline, done = std::move(done)] {
    if (done) done();
  });
  for (auto& output : running) output->stop([output, finished] { finished(); });
}

Status LocalEngine::start_output(const std::string& channel_id, const OutputSpec& spec) {
  auto it = channels_.find(channel_id);
  if (it == channels_.end()) return Error(ErrorCode::kNotFound, "channel " + channel_id + " is not open");
  auto url = media::parse_endpoint_url(spec.url);
  if (!url) return url.error();
  if (url->scheme == media::EndpointUrl::Scheme::kSrt && url->mode != "caller") {
    return Error(ErrorCode::kInvalidArgument, "SRT destinations are callers; remove mode=listener");
  }
  if (spec.rendition) {
    if (auto valid = validate_rendition(*spec.rendition); !valid) return valid;
  }
  auto& pipeline = *it->second;
  auto existing = pipeline.outputs.find(spec.destination_id);
  if (existing != pipeline.outputs.end()) {
    if (existing->second.url == spec.url && existing->second.rendition == spec.rendition) return ok_status();
    // Another URL, key or rendition: reconnect this destination only.
    detach(pipeline, existing->second);
    if (auto old = existing->second.output) old->stop([old] {});
    pipeline.outputs.erase(existing);
  }
  auto& entry = pipeline.outputs[spec.destination_id];
  entry.url = spec.url;
  entry.rendition = spec.rendition;
  return ok_status();
}

void LocalEngine::stop_output(const std::string& channel_id, const std::string& destination_id,
                              std::function<void()> done) {
  auto it = channels_.find(channel_id);
  if (it == channels_.end()) {
    if (done) done();
    return;
  }
  auto& pipeline = *it->second;
  auto entry = pipeline.outputs.find(destination_id);
  if (entry == pipeline.outputs.end() || !entry->second.output) {
    if (entry != pipeline.outputs.end()) pipeline.outputs.erase(entry);
    if (done) done();
    return;
  }
  auto output = entry->second.output;
  detach(pipeline, entry->second);
  pipeline.outputs.erase(entry);
  output->stop([output, pipeline = it->second, done = std::move(done)] {
    if (done) done();
  });
}

Result<std::shared_ptr<const HlsStream>> LocalEngine::start_hls(const std::string& channel_id) {
  auto it = channels_.find(channel_id);
  if (it == channels_.end()) return Error(ErrorCode::kNotFound, "channel " + channel_id + " is not open");
  auto& pipeline = *it->second;
  if (pipeline.hls) return pipeline.hls_stream;
  media::HlsOutputOptions hls_options = options_.hls;
  // Names unique to this start: a viewer's cache (segments are served as immutable) never mixes up a
  // segment of an earlier run of the packager with a new one of the same number.
  hls_options.segmenter.uri_prefix +=
      base36(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count())) +
      "-";
  auto output = std::make_shared<media::HlsOutput>(hls_options);
  output->start();
  // The Hub hands a new output the configuration and the cached GOP first: the first segment starts at
  // once with a keyframe instead of waiting for the next one.
  pipeline.hub.add_output(output);
  pipeline.hls = output;
  pipeline.hls_stream = std::make_shared<LocalHlsStream>(output);
  spdlog::info("event=hls_started channel={}", channel_id);
  return pipeline.hls_stream;
}

void LocalEngine::stop_hls(const std::string& channel_id) {
  auto it = channels_.find(channel_id);
  if (it == channels_.end()) return;
  stop_hls(*it->second);
}

void LocalEngine::stop_hls(Pipeline& pipeline) {
  if (!pipeline.hls) return;
  pipeline.hub.remove_output(pipeline.hls.get());
  // Joins the packager's thread, which only finishes the batch it holds (it does not drain the queue).
  pipeline.hls->stop();
  pipeline.hls.reset();
  pipeline.hls_stream.reset();
  spdlog::info("event=hls_stopped channel={}", pipeline.spec.channel_id);
}

std::vector<ChannelReport> LocalEngine::report() {
  const auto now = Clock::now();
  std::vector<ChannelReport> reports;
  reports.reserve(channels_.size());
  for (auto& [channel_id, pipeline] : channels_) {
    const media::InputStats in = pipeline->recorder.stats();
    const media::InputSelectorStats selected = pipeline->selector.stats(now);
    ChannelReport report;
    report.channel_id = channel_id;
    auto& input = report.input;
    static_cast<InputHealth&>(input) = input_health(pipeline->primary, in, now);
    input.delivering = selected.primary_delivering;
    bool input_ready = input_has_codecs(in);
    if (pipeline->spec.backup) {
      const media::InputStats backup = pipeline->backup_recorder.stats();
      input.backup = input_health(pipeline->backup, backup, now);
      input.backup->delivering = selected.backup_delivering;
      input_ready = input_ready || input_has_codecs(backup);
    }
    input.active = media::input_role_name(selected.active);
    if (selected.pending) input.switching_to = media::input_role_name(*selected.pending);
    input.failovers = selected.failovers;
    input.failbacks = selected.failbacks;
    input.last_switch_reason = selected.last_reason;
    input.last_switch_at = selected.last_switch_at;
    const media::SlateInserterStats slate = pipeline->slate.stats(now);
    input.slate_on = slate.slate_on;
    input.slates = slate.slates;
    input.slate_seconds = slate.slate_seconds;
    input.slate_error = slate.last_error;

    for (auto& [destination_id, entry] : pipeline->outputs) {
      if (!entry.output && input_ready) connect(*pipeline, destination_id, entry);
      report.outputs.push_back(output_report(destination_id, entry, now));
    }
    for (const auto& rendition : pipeline->renditions) {
      report.renditions.push_back(rendition_report(rendition));
    }
    if (pipeline->hls) report.hls = hls_report(*pipeline->hls);
    reports.push_back(std::move(report));
  }
  return reports;
}

bool LocalEngine::input_has_codecs(const media::InputStats& in) {
  return in.connected &&
         (in.video_codec != media::Codec::kUnknown || in.audio_codec != media::Codec::kUnknown);
}

InputHealth LocalEngine::input_health(Ingest& ingest, const media::InputStats& in, Clock::time_point now) {
  InputHealth health;
  health.listening = ingest.listen_error.empty();
  health.listen_error = ingest.listen_error;
  health.connected = in.connected;
  health.protocol = in.connected ? in.protocol : "";
  health.bytes = in.bytes;
  health.bitrate_kbps = in.connected ? ingest.rate.update(in.bytes, now) : 0;
  if (!in.connected) ingest.rate = RateMeter();
  health.video_codec = codec_word(in.video_codec);
  health.width = in.video.width;
  health.height = in.video.height;
  health.fps = in.video.fps;
  health.keyframe_interval_s = in.keyframe_interval_s;
  health.audio_codec = codec_word(in.audio_codec);
  health.sample_rate = in.audio.sample_rate;
  health.channels = in.audio.channels;
  if (in.connected) health.connected_since = in.connected_since;
  return health;
}

void LocalEngine::connect(Pipeline& pipeline, const std::string& destination_id, OutputEntry& entry) {
  auto url = media::parse_endpoint_url(entry.url);
  if (!url) return;  // validated by start_output
  if (url->scheme == media::EndpointUrl::Scheme::kSrt) {
    entry.output = media::make_srt_output(std::move(url.value()), options_.output);
  } else {
    if (url->scheme == media::EndpointUrl::Scheme::kRtmps && !tls_) {
      tls_ = media::make_client_tls_context(options_.output.insecure_tls);
    }
    entry.output = media::make_rtmp_output(io_, std::move(url.value()), options_.output, tls_);
  }
  media::Hub* hub = &pipeline.hub;
  if (entry.rendition) {
    entry.source = acquire_rendition(pipeline, *entry.rendition);
    if (!entry.source) {
      entry.output.reset();
      return;
    }
    hub = &entry.source->hub();
  }
  spdlog::info("event=output_connecting channel={} destination={} url={} rendition={}",
               pipeline.spec.channel_id, destination_id, entry.output->redacted_url(),
               entry.rendition ? entry.rendition->name : "-");
  hub->add_output(entry.output);
  entry.output->start();
}

void LocalEngine::detach(Pipeline& pipeline, OutputEntry& entry) {
  if (entry.output) (entry.source ? entry.source->hub() : pipeline.hub).remove_output(entry.output.get());
  if (entry.source) release_rendition(pipeline, entry.source.get());
  entry.source.reset();
}

std::shared_ptr<media::Rendition> LocalEngine::acquire_rendition(Pipeline& pipeline,
                                                                 const RenditionSpec& spec) {
  for (auto& running : pipeline.renditions) {
    if (running.spec == spec) {
      ++running.outputs;
      return running.rendition;
    }
  }
  auto started = media::Rendition::start(rendition_profile(spec));
  if (!started) {  // start_output validated the profile: not expected
    spdlog::error("event=rendition_failed channel={} rendition={} error=\"{}\"", pipeline.spec.channel_id,
                  spec.name, started.error().message());
    return nullptr;
  }
  pipeline.renditions.push_back({spec, *started, 1});
  // Joined like any output: it gets the configuration and the cached GOP first, so it starts on a keyframe.
  pipeline.hub.add_output(*started);
  spdlog::info(
      "event=rendition_started channel={} rendition={} size={}x{} fps={} video_kbps={} audio_kbps={}",
      pipeline.spec.channel_id, spec.name, spec.width, spec.height, spec.fps, spec.video_bitrate_kbps,
      spec.audio_bitrate_kbps);
  return *started;
}

void LocalEngine::release_rendition(Pipeline& pipeline, const media::Rendition* rendition) {
  auto it = std::find_if(pipeline.renditions.begin(), pipeline.renditions.end(),
                         [rendition](const RenditionEntry& e) { return e.rendition.get() == rendition; });
  if (it == pipeline.renditions.end() || --it->outputs > 0) return;
  // Its last output is gone: the encoder stops (its thread ends on its own; nothing here waits for it).
  pipeline.hub.remove_output(it->rendition.get());
  it->rendition->stop();
  spdlog::info("event=rendition_stopped channel={} rendition={}", pipeline.spec.channel_id, it->spec.name);
  pipeline.renditions.erase(it);
}

RenditionReport LocalEngine::rendition_report(const RenditionEntry& entry) {
  const media::Rendition::Stats stats = entry.rendition->stats();
  RenditionReport report;
  report.name = entry.spec.name;
  report.outputs = entry.outputs;
  report.fps_in = stats.fps_in;
  report.fps_out = stats.fps_out;
  report.speed = stats.speed;
  report.cpu_percent = stats.cpu_percent;
  report.cpu_seconds = stats.cpu_seconds;
  report.preset = stats.preset;
  report.preset_changes = stats.preset_changes;
  report.overloaded = stats.overloaded;
  report.audio = stats.audio;
  report.frames_in = stats.video.frames_decoded;
  report.frames_out = stats.video.frames_encoded;
  report.dropped_packets = stats.dropped_packets;
  report.error = stats.error;
  return report;
}

OutputReport LocalEngine::output_report(const std::string& destination_id, OutputEntry& entry,
                                        std::chrono::steady_clock::time_point now) {
  OutputReport out;
  out.destination_id = destination_id;
  if (!entry.output) return out;  // kWaitingForInput
  const media::OutputStats stats = entry.output->stats();
  out.phase = phase_of(stats.state);
  if (out.phase == OutputPhase::kRetrying || out.phase == OutputPhase::kFailed) {
    out.error_code = stats.last_error_code;
    out.error_message = stats.last_error;
    out.next_retry_in = stats.next_retry_in;
  }
  out.bytes_sent = stats.bytes;
  out.bitrate_kbps = entry.rate.update(stats.bytes, now);
  if (stats.state == media::OutputState::kLive && stats.live_since != Clock::time_point{}) {
    out.uptime_s = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(now - stats.live_since).count());
  }
  out.reconnects = stats.reconnects;
  out.dropped_packets = stats.dropped_packets;
  return out;
}

void LocalEngine::shutdown(std::function<void()> done) {
  std::vector<std::string> ids;
  for (const auto& [id, pipeline] : channels_) ids.push_back(id);
  auto finished = countdown(ids.size(), [this, done = std::move(done)] {
    if (done) done();
  });
  for (const auto& id : ids) close_channel(id, finished);
  if (rtmp_) rtmp_->stop();
}

}  // namespace lunora::engine
