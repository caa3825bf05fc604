#include "control/control_plane.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "control/model.hpp"
#include "control/platforms.hpp"
#include "control/time_format.hpp"
#include "core/redact.hpp"

namespace lunora::control {
namespace {

// What of MediaLive's report is worth an event (the cost meter moves every second: the stats carry it).
bool medialive_moved(const engine::MediaLiveReport& before, const engine::MediaLiveReport& now) {
  return before.phase != now.phase || before.state != now.state || before.activity != now.activity ||
         before.error != now.error || before.pushes != now.pushes ||
         before.restart_pending != now.restart_pending || before.channel_id != now.channel_id ||
         before.input_urls != now.input_urls;
}

}  // namespace

ControlPlane::ControlPlane(boost::asio::any_io_executor executor, store::Store& store, engine::Engine& engine,
                           SecretBox secrets, ControlOptions options)
    : executor_(std::move(executor)),
      store_(store),
      engine_(engine),
      secrets_(secrets),
      options_(std::move(options)),
      timer_(executor_),
      alive_(std::make_shared<bool>(true)) {}

ControlPlane::~ControlPlane() {
  *alive_ = false;
}

void ControlPlane::restart_destination(Destination& destination, const std::string& why) {
  auto& record = destination.record;
  const std::string wanted = record.desired_on ? "starting" : "ready";
  if (record.status != wanted || !record.desired_on) {
    if (record.status != wanted) {
      record.status = wanted;
      record.status_since = now_ms();
    }
    record.next_retry_at = 0;
    destination.status_detail = record.desired_on ? why : "";
    save_destination(destination);
  }
  drive_destination(destination);
}

Result<std::optional<nlohmann::json>> ControlPlane::start() {
  if (clustered()) {
    if (auto unused = check_node_id_unused(); !unused) return unused.error();
  }
  // The log position first, the records after: a change another node commits in between is then both in the
  // records and replayed from the log (harmless: applying an event re-reads its record), never in neither.
  auto last = store_.last_event_id();
  if (!last) return last.error().wrap("reading the event log");
  auto channels = store_.list_channels();
  if (!channels) return channels.error().wrap("loading channels");
  auto destinations = store_.list_destinations();
  if (!destinations) return destinations.error().wrap("loading destinations");
  newest_event_known_ = *last;
  if (*last > 0) {
    auto tail = store_.events_after(*last > 1000 ? *last - 1000 : 0, 1000);
    if (tail) recent_events_.assign(tail->begin(), tail->end());
    last_synced_event_id_ = *last;
  }
  for (auto& record : *channels) {
    auto channel = load_channel(std::move(record));
    if (!channel) return channel.error();
    channels_[(*channel)->record.id] = std::move(*channel);
  }
  for (auto& record : *destinations) {
    auto destination = load_destination(std::move(record));
    if (!destination) return destination.error();
    destinations_[(*destination)->record.id] = std::move(*destination);
  }

  std::optional<nlohmann::json> created;
  // Several nodes on an empty store: the one that takes the `bootstrap` lease first creates `main`.
  // A Lambda relay node makes none either: it serves the function's channels.
  bool create_main = channels_.empty() && options_.local_engine_refusal.empty() &&
                     !(clustered() && options_.cluster->local_part_only);
  if (create_main && clustered()) {
    const auto& node = *options_.cluster;
    // For one lease: a node that dies before creating `main` does not keep the others from it for ever.
    const int64_t now = now_ms();
    auto held =
        store_.leases()->acquire({"bootstrap", node.node_id, node.node_url, now + node.lease.count()}, now);
    create_main = held && held->owner == node.node_id;
  }
  if (create_main) {
    Outcome made = create_channel(
        {{"name", "main"}, {"input", {{"protocol", "srt"}, {"port", options_.first_srt_port}}}});
    if (made.status != 201) {
      return Error(ErrorCode::kIo,
                   "creating the channel `main`: " + made.body["error"]["message"].get<std::string>());
    }
    created = made.body["ingest"];
    (*created)["playback_url"] = made.body["playback_url"];
  } else if (!clustered()) {
    for (auto& [id, channel] : channels_) {
      channel->driven = runs_here(*channel);
      if (!channel->driven) continue;         // the relay node's: its records are read, never written, here
      if (channel->playback_token.empty()) {  // a channel from before playback tokens
        channel->playback_token = random_token(18);
        save_channel(*channel);
      }
      auto opened = engine_.open_channel(ingest_spec(*channel));
      channel->listen_error = opened ? "" : opened.error().message();
      update_channel_state(*channel);
    }
  }
  // What was on comes back on: `starting` until the engine reports it streams. (Several nodes: when this node
  // takes a channel, bring_up() does this for it.)
  if (!clustered()) {
    for (auto& [id, destination] : destinations_) {
      const Channel* channel = find_channel(destination->record.channel_id);
      if (channel == nullptr || !channel->driven) continue;
      restart_destination(*destination, "restarting after a restart of Lunora");
    }
  }
  if (clustered()) cluster_tick();
  for (auto& [id, channel] : channels_) update_channel_state(*channel);
  publish_snapshot();
  schedule_tick();
  return created;
}

void ControlPlane::shutdown(std::function<void()> done) {
  stopping_ = true;
  timer_.cancel();
  // Outputs closed first, leases given up after: another node takes the channels over at once, and never
  // while this one still publishes.
  engine_.shutdown([this, done = std::move(done)]() mutable {
    boost::asio::post(executor_, [this, done = std::move(done)] {
      release_cluster_leases();
      done();
    });
  });
}

void ControlPlane::schedule_tick() {
  if (stopping_) return;
  timer_.expires_after(options_.tick);
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive || stopping_) return;
    tick();
    publish_snapshot(true);
    schedule_tick();
  });
}

void ControlPlane::tick() {
  if (clustered()) {
    sync_from_store();
    // By the clock, not by counting ticks: a slow store call stretches ticks, and the heartbeat must not
    // fall behind with them.
    if (std::chrono::steady_clock::now() >= next_cluster_tick_) cluster_tick();
  }
  for (const auto& report : engine_.report()) apply_report(report);
  reopen_failed_ingests();
  for (auto& [id, destination] : destinations_) {
    if (!destination->record.desired_on || destination->in_engine) continue;
    drive_destination(*destination);
    if (!destination->in_engine) report_input_unavailable(*destination);
  }
  for (auto& [id, channel] : channels_) {
    stop_after_input_loss(*channel);
    update_channel_state(*channel);
    update_hls(*channel);
  }
  if (++ticks_since_stats_ * options_.tick >= std::chrono::seconds(1)) {
    ticks_since_stats_ = 0;
    publish_stats();
  }
  if (++ticks_since_prune_ >= 240) {  // about once a minute
    ticks_since_prune_ = 0;
    if (auto pruned = store_.prune_events(options_.events_kept); !pruned) {
      spdlog::warn("event=store_prune_failed error=\"{}\"", pruned.error().message());
    }
  }
}

void ControlPlane::reconcile_now() {
  if (stopping_) return;
  tick();
  publish_snapshot(true);
}

Result<bool> ControlPlane::store_written_elsewhere() {
  auto last = store_.last_event_id();
  if (!last) return last.error();
  return events_skipped_ || *last > newest_event_known_;
}

void ControlPlane::stop_after_input_loss(Channel& channel) {
  if (!drives(channel)) return;
  const int64_t limit_ms = int64_t{channel.input_loss_stop_after_s} * 1000;
  if (limit_ms == 0 || channel.slate_on_since_ms == 0 || now_ms() - channel.slate_on_since_ms < limit_ms) {
    return;
  }
  channel.slate_on_since_ms = 0;  // once per loss
  int stopped = 0;
  for (auto& [id, destination] : destinations_) {
    if (destination->record.channel_id != channel.record.id || !destination->record.desired_on) continue;
    if (stop_destination(id).status < 400) ++stopped;
  }
  spdlog::warn("event=input_loss_stop channel={} after_s={} destinations_stopped={}", channel.record.id,
               channel.input_loss_stop_after_s, stopped);
}

void ControlPlane::reopen_failed_ingests() {
  // A port taken by another program at start may be free later: try again every few seconds.
  const int64_t now = now_ms();
  for (auto& [id, channel] : channels_) {
    if (!drives(*channel) || channel->listen_error.empty() || now < channel->next_open_attempt_ms) continue;
    channel->next_open_attempt_ms = now + 5000;
    auto opened = engine_.open_channel(ingest_spec(*channel));
    channel->listen_error = opened ? "" : opened.error().message();
    if (opened) spdlog::info("event=ingest_reopened channel={}", id);
  }
}

void ControlPlane::report_input_unavailable(Destination& destination) {
  Channel* channel = find_channel(destination.record.channel_id);
  if (channel == nullptr || !drives(*channel) || channel->listen_error.empty()) return;
  const std::string message = "the channel's input cannot listen: " + channel->listen_error;
  if (destination.record.status == "error" && destination.record.last_error_message == message) return;
  Destination updated = destination;
  auto& record = updated.record;
  const int64_t now = now_ms();
  if (record.status != "error") record.status_since = now;
  record.status = "error";
  record.last_error_code = "input_unavailable";
  record.last_error_message = message;
  record.last_error_at = now;
  record.next_retry_at = channel->next_open_attempt_ms;
  updated.status_detail = "waiting for the channel's input";
  if (save_destination(updated)) destination = std::move(updated);
}

void ControlPlane::apply_report(const engine::ChannelReport& report) {
  Channel* channel = find_channel(report.channel_id);
  if (channel == nullptr) return;
  const auto& before = channel->input;
  const bool input_changed =
      channel->input_reported &&
      (before.connected != report.input.connected || before.video_codec != report.input.video_codec ||
       before.width != report.input.width || before.height != report.input.height ||
       before.audio_codec != report.input.audio_codec || before.listening != report.input.listening ||
       before.slate_on != report.input.slate_on || before.slate_error != report.input.slate_error ||
       before.active != report.input.active || before.switching_to != report.input.switching_to ||
       before.backup.has_value() != report.input.backup.has_value() ||
       (before.backup && (before.backup->connected != report.input.backup->connected ||
                          before.backup->delivering != report.input.backup->delivering ||
                          before.backup->listening != report.input.backup->listening)) ||
       before.delivering != report.input.delivering);
  const bool switched = channel->input_reported && before.active != report.input.active;
  const bool connection_changed = before.connected != report.input.connected;
  const std::string switched_from = before.active;
  const bool medialive_changed =
      report.medialive && medialive_moved(channel->medialive_report, *report.medialive);
  if (report.medialive) channel->medialive_report = *report.medialive;
  const bool renditions_changed = renditions_moved(channel->rendition_reports, report.renditions);
  channel->rendition_reports = report.renditions;
  channel->input = report.input;
  channel->input_reported = true;
  channel->hls_report = report.hls;
  if (report.input.slate_on != (channel->slate_on_since_ms != 0)) {
    channel->slate_on_since_ms = report.input.slate_on ? now_ms() : 0;
  }
  if (medialive_changed) {
    // MediaLive's state as seen here goes into the record (medialive_seen): the processes that do not drive
    // the channel show it from there. It moves seldom (phases, state changes), so the writes are few.
    save_channel(*channel);
  } else if (renditions_changed && !input_changed) {
    // The renditions' state is live, not part of the record: announced like input health.
    store::Change change;
    change.events.push_back(channel_event(*channel));
    commit(std::move(change));
  }
  if (input_changed) {
    // One line per kind of change: the primary's publisher came or went, or only the health around it did
    // (codec, slate, backup, the input on air).
    const char* what = !connection_changed      ? "input_health"
                       : report.input.connected ? "input_up"
                                                : "input_down";
    spdlog::info("event={} channel={} codec={} size={}x{} slate={} active={} backup={}", what,
                 channel->record.id, report.input.video_codec, report.input.width, report.input.height,
                 report.input.slate_on ? "on" : "off", report.input.active,
                 !report.input.backup              ? "none"
                 : report.input.backup->delivering ? "delivering"
                                                   : "silent");
    // Input health is live, not part of the record; the event is still logged so resumes replay it.
    store::Change change;
    if (switched) {
      spdlog::warn("event=input_switched channel={} from={} to={} reason={}", channel->record.id,
                   switched_from, report.input.active, report.input.last_switch_reason);
      change.events.push_back({0, "input_switched",
                               nlohmann::json{{"channel_id", channel->record.id},
                                              {"from", switched_from},
                                              {"to", report.input.active},
                                              {"reason", report.input.last_switch_reason}}
                                   .dump(),
                               now_ms()});
    }
    change.events.push_back(channel_event(*channel));
    commit(std::move(change));
  }
  std::map<std::string, const engine::OutputReport*> outputs;
  for (const auto& output : report.outputs) outputs[output.destination_id] = &output;
  for (auto& [id, destination] : destinations_) {
    if (destination->record.channel_id != report.channel_id) continue;
    auto it = outputs.find(id);
    update_destination_status(*destination, it == outputs.end() ? nullptr : it->second);
  }
}

void ControlPlane::update_destination_status(Destination& destination, const engine::OutputReport* report) {
  auto& record = destination.record;
  if (report != nullptr) destination.output = *report;
  if (!record.desired_on || record.status == "stopping" || !destination.in_engine) return;
  const int64_t now = now_ms();
  std::string status = record.status;
  std::string detail = destination.status_detail;
  std::string code = record.last_error_code;
  std::string message = record.last_error_message;
  int64_t next_retry_at = 0;
  const auto phase = report != nullptr ? report->phase : engine::OutputPhase::kWaitingForInput;
  switch (phase) {
    case engine::OutputPhase::kWaitingForInput:
      status = "starting";
      detail = report != nullptr && !report->detail.empty() ? report->detail : "waiting for input";
      break;
    case engine::OutputPhase::kConnecting:
      status = "starting";
      detail = report->detail.empty() ? "connecting" : report->detail;
      break;
    case engine::OutputPhase::kStreaming:
      status = "streaming";
      detail.clear();
      break;
    case engine::OutputPhase::kRetrying:
    case engine::OutputPhase::kFailed:
      status = "error";
      code = report->error_code.empty() ? "internal" : report->error_code;
      message = report->error_message;
      detail = !report->detail.empty()                   ? report->detail
               : phase == engine::OutputPhase::kRetrying ? "retrying"
                                                         : "waiting for a new input";
      if (phase == engine::OutputPhase::kRetrying) next_retry_at = now + report->next_retry_in.count();
      break;
    case engine::OutputPhase::kStopping:
      return;
  }
  const bool retry_moved = (next_retry_at == 0) != (record.next_retry_at == 0) ||
                           std::llabs(next_retry_at - record.next_retry_at) > 1500;
  if (status == record.status && detail == destination.status_detail && code == record.last_error_code &&
      message == record.last_error_message && !retry_moved) {
    return;
  }
  Destination updated = destination;
  auto& next = updated.record;
  if (status != next.status) next.status_since = now;
  if (code != next.last_error_code || message != next.last_error_message ||
      (status == "error" && next.status != "error")) {
    next.last_error_at = now;
  }
  next.status = status;
  next.last_error_code = code;
  next.last_error_message = message;
  next.next_retry_at = next_retry_at;
  updated.status_detail = detail;
  if (save_destination(updated)) {
    if (status != record.status) {
      spdlog::info("event=destination_status id={} status={} error={}", record.id, status, code);
    }
    destination.record = updated.record;
    destination.status_detail = detail;
  }
}

void ControlPlane::update_channel_state(Channel& channel) {
  if (!drives(channel)) return;  // its node reports its state
  if (channel.medialive) {
    update_medialive_state(channel);
    return;
  }
  auto& record = channel.record;
  bool any_on = false;
  bool any_stopping = false;
  bool any_streaming = false;
  for (const auto& [id, destination] : destinations_) {
    if (destination->record.channel_id != record.id) continue;
    any_on = any_on || destination->record.desired_on;
    any_stopping = any_stopping || destination->record.status == "stopping";
    any_streaming = any_streaming || destination->record.status == "streaming";
  }
  const int64_t now = now_ms();
  // auto_start only decides whether starting a destination may start the channel; once destinations are on
  // (or it was started by hand) the channel runs.
  const bool wanted = channel.manual_start || any_on;
  std::string state = record.state;
  std::string message;
  if (!channel.listen_error.empty()) {
    state = "error";
    message = channel.listen_error;
  } else if (wanted) {
    channel.idle_since_ms = 0;
    const bool up = any_streaming || (channel.manual_start && channel.input.on_air_connected());
    state = up || record.state == "running" ? "running" : "starting";
    if (state == "starting") {
      message = channel.input.on_air_connected() ? "connecting destinations" : "waiting for input";
    }
  } else if (record.state == "running" || record.state == "starting" || record.state == "stopping") {
    // Auto stop: keep running `auto_stop_after_s` after the last destination went off, then release.
    if (channel.idle_since_ms == 0) channel.idle_since_ms = now;
    const bool expired = now - channel.idle_since_ms >= int64_t{record.auto_stop_after_s} * 1000;
    state = any_stopping ? "stopping" : (expired || record.state != "running") ? "idle" : "running";
  } else {
    state = "idle";
  }
  if (state == record.state && message == record.state_message) return;
  Channel updated = channel;
  updated.record.state = state;
  updated.record.state_message = message;
  if (save_channel(updated)) {
    spdlog::info("event=channel_state id={} state={}", record.id, state);
    channel.record = updated.record;
  }
}

void ControlPlane::drive_destination(Destination& destination) {
  auto& record = destination.record;
  if (!record.desired_on || destination.in_engine) return;
  Channel* channel = find_channel(record.channel_id);
  if (channel == nullptr || !drives(*channel) || !channel->listen_error.empty()) return;  // next tick
  const Platform* platform = find_platform(record.platform);
  auto url = platform != nullptr
                 ? publish_url(*platform, destination.url, destination.stream_key)
                 : Result<std::string>(Error(ErrorCode::kInvalidArgument, "unknown platform"));
  std::optional<engine::RenditionSpec> rendition;
  for (const auto& spec : channel->renditions) {
    if (spec.name == destination.rendition) rendition = spec;
  }
  if (!destination.rendition.empty() && !rendition) {
    // Not expected: a forced delete of a rendition moves its destinations to passthrough first.
    spdlog::warn("event=destination_rendition_missing id={} rendition={}", record.id, destination.rendition);
  }
  Status started =
      url ? engine_.start_output(record.channel_id, {record.id, *url, rendition}) : Status(url.error());
  if (!started) {
    spdlog::warn("event=destination_start_failed id={} error=\"{}\"", record.id, started.error().message());
    return;
  }
  destination.in_engine = true;
}

bool ControlPlane::drives(const Channel& channel) const {
  return channel.driven;
}

bool ControlPlane::runs_here(const Channel& channel) const {
  const bool local_part = !channel.medialive || channel.medialive->mode == "hybrid";
  if (!options_.local_engine_refusal.empty()) return !local_part;
  return !clustered() || !options_.cluster->local_part_only || local_part;
}

ControlPlane::Channel* ControlPlane::find_channel(const std::string& id) {
  auto it = channels_.find(id);
  return it == channels_.end() ? nullptr : it->second.get();
}

ControlPlane::Destination* ControlPlane::find_destination(const std::string& id) {
  auto it = destinations_.find(id);
  return it == destinations_.end() ? nullptr : it->second.get();
}

int64_t ControlPlane::creation_time() {
  // Strictly increasing: records created within one millisecond still list in creation order.
  last_created_at_ = std::max(now_ms(), last_created_at_ + 1);
  return last_created_at_;
}

Outcome ControlPlane::store_failed() const {
  // The store's own words: "database or disk is full", or DynamoDB's throttling after the retries.
  return error_outcome(503, "store_unavailable",
                       "the change could not be saved (" + last_store_error_ + "); nothing was changed");
}

engine::IngestSpec ControlPlane::ingest_spec(const Channel& channel) const {
  engine::IngestSpec spec;
  spec.channel_id = channel.record.id;
  spec.protocol = channel.record.input_protocol;
  spec.srt_port = channel.record.srt_port;
  spec.latency_ms = channel.record.latency_ms;
  spec.streamid = channel.record.streamid;
  spec.passphrase = channel.passphrase;
  spec.rtmp_key = channel.rtmp_key;
  spec.input_loss_slate_after_ms = channel.input_loss_slate_after_ms;
  spec.slate_image = channel.slate_image;
  spec.backup = channel.backup;
  spec.failover_after_ms = channel.failover_after_ms;
  spec.failback_after_s = channel.failback_after_s;
  spec.medialive = channel.medialive;
  if (spec.medialive) {
    spec.medialive->relay_url = relay_url();
    spec.medialive->relay_stream_name = channel.rtmp_key;
  }
  return spec;
}

}  // namespace lunora::control
