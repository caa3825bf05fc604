#include "engine/engine_router.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace lunora::engine {
namespace {

using medialive::RtmpPush;

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// MediaLive states in which the channel pushes (or is about to).
bool pushing(const std::string& state) {
  return state == "RUNNING" || state == "STARTING" || state == "RECOVERING";
}

// MediaLive states after which nothing more happens on its own.
bool settled(const std::string& state) {
  return !state.empty() && !pushing(state) && state != "STOPPING" && state != "UPDATING" &&
         state != "CREATING";
}

medialive::ProvisionRequest provision_request(const MediaLiveSpec& spec) {
  medialive::ProvisionRequest request;
  request.channel_id = spec.channel_id;
  request.input_id = spec.input_id;
  request.role_arn = spec.role_arn;
  request.input.type = spec.input_type;
  request.input.srt_address = spec.srt_address;
  request.input.srt_port = spec.srt_port;
  request.input.stream_id = spec.srt_stream_id;
  request.input.latency_ms = spec.srt_latency_ms;
  request.input.rtmp_stream = spec.rtmp_stream;
  request.input.allowed_cidr = spec.allowed_cidr;
  request.hls_s3_url = spec.hls_s3_url;
  if (spec.mode == "hybrid") {
    request.pushes.push_back({medialive::kRelayId, spec.relay_url, spec.relay_stream_name});
  }
  return request;
}

MediaLiveReport medialive_report(const MediaLiveSpec& spec,
                                 const medialive::MediaLiveEngine::ChannelStatus& s) {
  MediaLiveReport report;
  report.mode = spec.mode;
  report.phase = s.phase;
  report.error = s.phase == "failed" ? s.error : s.observed.error;
  report.channel_id = s.resources.channel_id;
  report.input_id = s.resources.input_id;
  report.input_urls = s.resources.input_urls;
  report.state = s.observed.state;
  report.activity = s.observed.activity;
  report.restart_pending = s.observed.restart_pending;
  report.pushes = s.observed.pushes;
  report.running = s.cost.running;
  report.running_seconds = s.cost.running_seconds;
  report.billed_minutes = s.cost.billed_minutes;
  report.estimated_usd = s.cost.estimated_usd;
  report.runs = s.cost.runs;
  report.minimum_left_seconds = s.cost.minimum_left_seconds;
  return report;
}

MediaLiveReport closed_report(const MediaLiveSpec& spec) {
  MediaLiveReport report;
  report.mode = spec.mode;
  report.phase = "failed";
  report.error = "the MediaLive engine does not drive this channel";
  return report;
}

// One direct-mode output, as MediaLive's last look shows it. `as_wanted`: MediaLive pushes it with the URL
// and stream key wanted (not an old key a restart has yet to replace).
OutputReport push_report(const std::string& id, bool as_wanted, const MediaLiveReport& ml) {
  OutputReport out;
  out.destination_id = id;
  out.phase = OutputPhase::kConnecting;
  const bool pushed = contains(ml.pushes, id);
  if (ml.phase == "failed") {
    out.phase = OutputPhase::kFailed;
    out.error_code = "medialive_failed";
    out.error_message = ml.error;
    out.detail = "the MediaLive input or channel could not be made";
  } else if (ml.phase != "ready") {
    out.detail = "making the MediaLive input and channel";
  } else if (ml.state == "RUNNING" && as_wanted && (ml.activity.empty() || ml.activity == "restarting")) {
    // Within the batch window before a restart the output still streams; it shows `starting` from the
    // stop on.
    out.phase = OutputPhase::kStreaming;
  } else if (ml.state == "RECOVERING" && pushed) {
    // MediaLive retries, not Lunora: no retry time of ours to show.
    out.phase = OutputPhase::kFailed;
    out.error_code = "medialive_pipeline_failure";
    out.error_message = "MediaLive channel " + ml.channel_id + " is RECOVERING: a pipeline failed";
    out.detail = "MediaLive is recovering the pipeline";
  } else if (!ml.error.empty() && ml.activity.empty()) {
    out.phase = OutputPhase::kFailed;
    out.error_code = "medialive_refused";
    out.error_message = ml.error;
    out.detail = "MediaLive refused the change";
  } else if (ml.restart_pending) {
    out.detail = "waiting for a restart of the MediaLive channel (allow it with ?allow_restart=true)";
  } else if (ml.activity == "restarting") {
    out.detail = "the MediaLive channel restarts to apply the changes";
  } else {
    out.detail = "MediaLive channel " + (ml.state.empty() ? std::string("being looked at") : ml.state);
  }
  return out;
}

}  // namespace

Result<RtmpPush> rtmp_push_of(const std::string& destination_id, const std::string& url) {
  const bool rtmp = url.starts_with("rtmp://") || url.starts_with("rtmps://");
  const auto slash = url.rfind('/');
  const auto host_end = url.find('/', url.find("://") + 3);
  if (!rtmp) {
    return Error(ErrorCode::kInvalidArgument,
                 "MediaLive pushes to rtmp:// and rtmps:// URLs only (a channel in direct mode)");
  }
  if (slash == std::string::npos || host_end == std::string::npos || slash <= host_end ||
      slash + 1 == url.size()) {
    return Error(ErrorCode::kInvalidArgument,
                 "MediaLive needs an RTMP URL with an app and a stream key (rtmp://host/app/key)");
  }
  return RtmpPush{destination_id, url.substr(0, slash), url.substr(slash + 1)};
}

Status validate_medialive_output_url(const std::string& url) {
  auto push = rtmp_push_of("", url);
  if (!push) return push.error();
  return ok_status();
}

EngineRouter::EngineRouter(Engine& local, std::unique_ptr<medialive::MediaLiveEngine> medialive,
                           std::string medialive_unavailable)
    : local_(local),
      medialive_(std::move(medialive)),
      medialive_unavailable_(std::move(medialive_unavailable)) {}

EngineRouter::~EngineRouter() = default;

bool EngineRouter::direct(const std::string& channel_id) const {
  auto it = medialive_channels_.find(channel_id);
  return it != medialive_channels_.end() && it->second.spec.mode == "direct";
}

Status EngineRouter::open_channel(const IngestSpec& spec) {
  if (!spec.medialive) return local_.open_channel(spec);
  if (!medialive_) {
    return Error(ErrorCode::kInvalidArgument,
                 "MediaLive is not available on this node: " + medialive_unavailable_);
  }
  if (spec.medialive->mode == "hybrid") {
    IngestSpec relay_ingest = spec;
    relay_ingest.medialive.reset();
    relay_ingest.protocol = "rtmp";  // MediaLive's relay publishes to the channel's RTMP key
    relay_ingest.backup.reset();
    if (auto opened = local_.open_channel(relay_ingest); !opened) return opened;
  }
  auto [it, inserted] = medialive_channels_.try_emplace(spec.channel_id);
  MediaLiveChannel& channel = it->second;
  if (!inserted && !channel.closing) return ok_status();  // the MediaLive side is fixed once made
  std::vector<std::function<void()>> done;  // closing, and opened again: what waited on the close is over
  if (!inserted) {
    medialive_->close_channel(spec.channel_id);
    for (auto& [destination_id, stopped] : channel.stopping) done.push_back(std::move(stopped));
    if (channel.closed) done.push_back(std::move(channel.closed));
  }
  channel = MediaLiveChannel{};
  channel.spec = *spec.medialive;
  medialive_->open_channel(spec.channel_id, provision_request(channel.spec));
  push_desired(spec.channel_id, channel);
  spdlog::info("event=medialive_channel_open channel={} mode={} adopt={}", spec.channel_id, channel.spec.mode,
               channel.spec.channel_id.empty() ? "no" : channel.spec.channel_id);
  for (auto& callback : done) callback();
  return ok_status();
}

void EngineRouter::push_desired(const std::string& channel_id, MediaLiveChannel& channel) {
  if (channel.fresh) return;  // report() sends the first wish (engine_router.hpp)
  medialive::ChannelDriver::Desired desired;
  if (channel.spec.mode == "hybrid") {
    // The relay never changes: starting or stopping a destination never touches MediaLive's outputs.
    desired.pushes.push_back({medialive::kRelayId, channel.spec.relay_url, channel.spec.relay_stream_name});
    desired.running = !channel.closing && (channel.started || !channel.local_outputs.empty());
  } else {
    for (const auto& [id, push] : channel.pushes) desired.pushes.push_back(push);
    desired.running = !channel.closing && (channel.started || !channel.pushes.empty());
  }
  // Hybrid: the relay changes only when another node (another --public-rtmp-url) takes the channel over, and
  // then MediaLive pushes to a node that no longer listens: a restart loses nothing.
  desired.allow_restart = channel.spec.mode == "hybrid" || channel.restart_allowed;
  medialive_->set_desired(channel_id, std::move(desired));
}

void EngineRouter::close_channel(const std::string& channel_id, std::function<void()> done) {
  auto it = medialive_channels_.find(channel_id);
  if (it == medialive_channels_.end()) {
    local_.close_channel(channel_id, std::move(done));
    return;
  }
  MediaLiveChannel& channel = it->second;
  if (channel.spec.mode == "hybrid") local_.close_channel(channel_id, {});
  // A deleted channel must not keep running (and billing): MediaLive stops it and takes the outputs off;
  // report() lets it go once it is IDLE. Its input and channel stay in the AWS account (README).
  channel.closing = true;
  channel.closed = std::move(done);
  channel.pushes.clear();
  channel.local_outputs.clear();
  channel.restart_allowed = false;
  push_desired(channel_id, channel);
}

void EngineRouter::release_channel(const std::string& channel_id) {
  auto it = medialive_channels_.find(channel_id);
  if (it == medialive_channels_.end()) {
    local_.release_channel(channel_id);
    return;
  }
  // The node that takes the channel over finds the same MediaLive channel (its id is recorded) and drives it
  // on: no restart for a takeover.
  if (it->second.spec.mode == "hybrid") local_.close_channel(channel_id, {});
  medialive_->close_channel(channel_id);
  std::vector<std::function<void()>> done;
  for (auto& [destination_id, stopped] : it->second.stopping) done.push_back(std::move(stopped));
  if (it->second.closed) done.push_back(std::move(it->second.closed));
  medialive_channels_.erase(it);
  for (auto& callback : done) callback();
}

Status EngineRouter::switch_input(const std::string& channel_id, const std::string& to) {
  if (direct(channel_id)) {
    return Error(ErrorCode::kConflict, "a channel on MediaLive in direct mode has no backup input in Lunora");
  }
  return local_.switch_input(channel_id, to);
}

Status EngineRouter::start_output(const std::string& channel_id, const OutputSpec& spec) {
  auto it = medialive_channels_.find(channel_id);
  if (it == medialive_channels_.end()) return local_.start_output(channel_id, spec);
  MediaLiveChannel& channel = it->second;
  if (channel.spec.mode == "hybrid") {
    if (auto started = local_.start_output(channel_id, spec); !started) return started;
    channel.local_outputs[spec.destination_id] = true;
  } else {
    auto push = rtmp_push_of(spec.destination_id, spec.url);
    if (!push) return push.error();
    channel.pushes[spec.destination_id] = *push;
    std::erase_if(channel.stopping, [&spec](const auto& stop) { return stop.first == spec.destination_id; });
  }
  push_desired(channel_id, channel);
  return ok_status();
}

void EngineRouter::stop_output(const std::string& channel_id, const std::string& destination_id,
                               std::function<void()> done) {
  auto it = medialive_channels_.find(channel_id);
  if (it == medialive_channels_.end()) {
    local_.stop_output(channel_id, destination_id, std::move(done));
    return;
  }
  MediaLiveChannel& channel = it->second;
  if (channel.spec.mode == "hybrid") {
    local_.stop_output(channel_id, destination_id, std::move(done));
    channel.local_outputs.erase(destination_id);
  } else {
    channel.pushes.erase(destination_id);
    if (done) channel.stopping.emplace_back(destination_id, std::move(done));
  }
  push_desired(channel_id, channel);
}

Result<std::shared_ptr<const HlsStream>> EngineRouter::start_hls(const std::string& channel_id) {
  if (direct(channel_id)) {
    return Error(ErrorCode::kConflict, "MediaLive packages this channel's HLS (its hls.playback_url)");
  }
  return local_.start_hls(channel_id);
}

void EngineRouter::stop_hls(const std::string& channel_id) {
  if (!direct(channel_id)) local_.stop_hls(channel_id);
}

void EngineRouter::set_started(const std::string& channel_id, bool started) {
  auto it = medialive_channels_.find(channel_id);
  if (it == medialive_channels_.end() || it->second.started == started) return;
  it->second.started = started;
  push_desired(channel_id, it->second);
}

void EngineRouter::allow_restart(const std::string& channel_id) {
  auto it = medialive_channels_.find(channel_id);
  if (it == medialive_channels_.end() || it->second.restart_allowed) return;
  it->second.restart_allowed = true;
  push_desired(channel_id, it->second);
}

ChannelReport EngineRouter::direct_report(const std::string& channel_id, const MediaLiveChannel& channel,
                                          const MediaLiveReport& medialive,
                                          const std::vector<RtmpPush>& outputs) {
  ChannelReport report;
  report.channel_id = channel_id;
  // Lunora does not see the feed of a direct channel: MediaLive takes it. The input listens once MediaLive's
  // input exists.
  report.input.listening = medialive.phase == "ready";
  for (const auto& [id, push] : channel.pushes) {
    const bool as_wanted = std::find(outputs.begin(), outputs.end(), push) != outputs.end();
    report.outputs.push_back(push_report(id, as_wanted, medialive));
  }
  report.medialive = medialive;
  return report;
}

bool EngineRouter::settle(MediaLiveChannel& channel, const MediaLiveReport& medialive,
                          const std::vector<RtmpPush>& outputs, std::vector<std::function<void()>>& done) {
  const bool ready = medialive.phase == "ready";
  std::erase_if(channel.stopping, [&](auto& stop) {
    const bool gone = !ready || !pushing(medialive.state) || !contains(medialive.pushes, stop.first);
    if (gone) done.push_back(std::move(stop.second));
    return gone;
  });
  if (channel.restart_allowed && medialive.activity.empty()) {
    // Applied when MediaLive shows every output with the URL and key wanted (a new key keeps the id).
    std::vector<RtmpPush> wanted;
    for (const auto& [id, push] : channel.pushes) wanted.push_back(push);
    if (channel.spec.mode == "hybrid" || wanted == outputs) channel.restart_allowed = false;
  }
  if (!channel.closing) return false;
  // A deleted channel goes once MediaLive shows it stopped, or when there never was a MediaLive channel.
  // Until then the driver keeps asking (a failed StopChannel is tried again): it must not keep billing.
  const bool never_made = medialive.phase == "failed" && medialive.channel_id.empty();
  return never_made || (ready && settled(medialive.state) && medialive.activity.empty());
}

std::vector<ChannelReport> EngineRouter::report() {
  std::vector<ChannelReport> reports = local_.report();
  std::vector<std::function<void()>> done;  // run after the loop: a callback may call back into the router
  for (auto it = medialive_channels_.begin(); it != medialive_channels_.end();) {
    const std::string& id = it->first;
    MediaLiveChannel& channel = it->second;
    auto status = medialive_->status(id);
    const MediaLiveReport medialive =
        status ? medialive_report(channel.spec, *status) : closed_report(channel.spec);
    const std::vector<RtmpPush> outputs = status ? status->observed.outputs : std::vector<RtmpPush>{};
    const bool allowed = channel.restart_allowed;
    if (channel.fresh) {
      // Opened since the last report: what it should be is known now (the control plane restored its
      // destinations in the same turn), so MediaLive hears it for the first time.
      channel.fresh = false;
      push_desired(id, channel);
    }
    if (settle(channel, medialive, outputs, done)) {
      spdlog::info("event=medialive_channel_closed channel={} state={}", id, medialive.state);
      medialive_->close_channel(id);
      if (channel.closed) done.push_back(std::move(channel.closed));
      it = medialive_channels_.erase(it);
      continue;
    }
    if (allowed != channel.restart_allowed) push_desired(id, channel);
    retry_provisioning(id, channel, medialive);
    if (!channel.closing) {
      if (channel.spec.mode == "direct") {
        reports.push_back(direct_report(id, channel, medialive, outputs));
      } else {
        auto local = std::find_if(reports.begin(), reports.end(),
                                  [&id](const ChannelReport& r) { return r.channel_id == id; });
        if (local != reports.end()) local->medialive = medialive;
      }
    }
    ++it;
  }
  for (auto& callback : done) callback();
  return reports;
}

void EngineRouter::retry_provisioning(const std::string& channel_id, MediaLiveChannel& channel,
                                      const MediaLiveReport& report) {
  if (report.phase != "failed" || channel.closing) {
    if (report.phase == "ready") channel.provision_backoff.reset();
    channel.provision_retry_at.reset();
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!channel.provision_retry_at) {
    channel.provision_retry_at = now + channel.provision_backoff.next();
    return;
  }
  if (now < *channel.provision_retry_at) return;
  channel.provision_retry_at.reset();
  spdlog::info("event=medialive_provision_retry channel={} attempt={}", channel_id,
               channel.provision_backoff.attempts());
  medialive_->close_channel(channel_id);
  medialive_->open_channel(channel_id, provision_request(channel.spec));
  push_desired(channel_id, channel);
}

void EngineRouter::shutdown(std::function<void()> done) {
  // MediaLive is left as it is: a running channel keeps running while Lunora restarts, and the next start
  // drives it again (its resources are found by their ids and idempotency tokens).
  std::vector<std::function<void()>> waiting;
  for (auto& [id, channel] : medialive_channels_) {
    if (channel.closing) {
      // Deleted, and MediaLive has not shown it stopped yet: nothing will drive it after this process.
      spdlog::warn(
          "event=medialive_left_running channel={} hint=\"a deleted channel's MediaLive channel may "
          "still run: stop it in the console or with aws medialive stop-channel\"",
          id);
    }
    medialive_->close_channel(id);
    for (auto& [destination_id, stopped] : channel.stopping) waiting.push_back(std::move(stopped));
    if (channel.closed) waiting.push_back(std::move(channel.closed));
  }
  medialive_channels_.clear();
  for (auto& callback : waiting) callback();
  local_.shutdown(std::move(done));
}

}  // namespace lunora::engine
