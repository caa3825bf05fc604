#include "media/failover/input_selector.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace lunora::media {

std::string_view input_role_name(InputRole role) {
  return role == InputRole::kPrimary ? "primary" : "backup";
}

InputSelector::InputSelector(PacketSink& next, InputSelectorOptions options)
    : next_(next), options_(options) {}

void InputSelector::set_options(InputSelectorOptions options) {
  std::lock_guard lock(mutex_);
  options_ = options;
}

bool InputSelector::delivering(const InputState& state, Clock::time_point now) const {
  return state.last_media_at && now - *state.last_media_at < options_.failover_after;
}

void InputSelector::cache(InputState& input, const MediaPacketPtr& packet) {
  // Bounded like the Hub's GOP cache: a stream without keyframes for this long cannot be taken over at once.
  constexpr size_t kMaxGopPackets = 1500;
  if (packet->kind == PacketKind::kVideo && packet->keyframe) {
    input.gop.clear();
  } else if (input.gop.empty() || input.gop.size() >= kMaxGopPackets) {
    input.gop.clear();
    return;
  }
  input.gop.push_back(packet);
}

void InputSelector::publish(InputRole role, const MediaPacketPtr& packet, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  InputState& input = state(role);
  if (packet->kind == PacketKind::kVideoConfig) {
    input.video_config = packet;
  } else if (packet->kind == PacketKind::kAudioConfig) {
    input.audio_config = packet;
  } else {
    // (A new publisher starts a new run even right after the old one's last, flushed, packets.)
    if (!delivering(input, now) || !input.delivering_since) input.delivering_since = now;
    input.last_media_at = now;
    if (options_.has_backup) cache(input, packet);
  }
  if (role == stats_.active) {
    forward(packet);
    return;
  }
  if (!pending_ || pending_->first != role || (role == InputRole::kBackup && !options_.has_backup)) return;
  // The inactive input takes over at a video keyframe (any audio frame when it has no video).
  const bool takes_over = packet->kind == PacketKind::kVideo
                              ? packet->keyframe
                              : packet->kind == PacketKind::kAudio && !input.video_config;
  if (!takes_over) return;
  const std::string reason = pending_->second;
  take_over(role, reason, packet, now);
}

void InputSelector::forward(const MediaPacketPtr& packet) {
  if (audio_resumes_at_ && packet->kind == PacketKind::kAudio) {
    // Audio muxed after the keyframe that took over but stamped before it would overlap the old input's.
    if (packet->epoch == audio_resumes_at_->first && packet->dts < audio_resumes_at_->second) return;
    audio_resumes_at_.reset();
  }
  next_.publish(packet);
}

void InputSelector::take_over(InputRole role, const std::string& reason, const MediaPacketPtr& packet,
                              Clock::time_point now) {
  pending_.reset();
  note_switch(role, reason, now);
  const InputState& input = state(role);
  if (input.codecs) next_.set_input_codecs(*input.codecs);
  // Destinations last saw the other input's configuration: this one's goes out before its keyframe.
  if (input.video_config) next_.publish(input.video_config);
  if (input.audio_config) next_.publish(input.audio_config);
  if (packet->kind == PacketKind::kVideo) {
    next_.publish(with_parameter_sets(*packet, input.video_config.get()));
    audio_resumes_at_ = {packet->epoch, packet->dts};
  } else {
    next_.publish(packet);
    audio_resumes_at_.reset();
  }
}

void InputSelector::note_switch(InputRole role, const std::string& reason, Clock::time_point now) {
  const InputRole from = stats_.active;
  stats_.active = role;
  active_since_ = now;
  stats_.last_reason = reason;
  stats_.last_switch_at = std::chrono::system_clock::now();
  ++(role == InputRole::kBackup ? stats_.failovers : stats_.failbacks);
  held_by_hand_ = role == InputRole::kBackup && reason == "manual";
  audio_resumes_at_.reset();
  spdlog::info("event=input_switched from={} to={} reason={}", input_role_name(from), input_role_name(role),
               reason);
}

void InputSelector::set_input_codecs(InputRole role, const InputCodecs& codecs) {
  std::lock_guard lock(mutex_);
  state(role).codecs = codecs;
  if (role == stats_.active) next_.set_input_codecs(codecs);
}

void InputSelector::input_ended(InputRole role) {
  std::lock_guard lock(mutex_);
  InputState& input = state(role);
  input.delivering_since.reset();
  // A new publisher starts over: its configuration is its own.
  input.video_config.reset();
  input.audio_config.reset();
  input.codecs.reset();
  input.gop.clear();
  if (pending_ && pending_->first == role) pending_.reset();
  if (role == stats_.active) next_.input_ended();
}

void InputSelector::tick(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const InputRole active = stats_.active;
  const InputRole spare = other(active);
  if (!options_.has_backup) {
    if (pending_ && pending_->first == InputRole::kBackup) pending_.reset();
    if (active != InputRole::kBackup) return;
    // The backup was removed while it was on: back to the primary, at its next keyframe while it delivers,
    // at once while it does not (the slate then stands in until it does).
    if (delivering(primary_state_, now)) {
      if (!pending_) pending_ = {InputRole::kPrimary, "backup_removed"};
      return;
    }
    pending_.reset();
    note_switch(InputRole::kPrimary, "backup_removed", now);
    if (primary_state_.codecs) next_.set_input_codecs(*primary_state_.codecs);
    next_.input_ended();  // nothing is on air: no stale picture of the backup for a destination joining now
    return;
  }
  if (pending_ && !delivering(state(pending_->first), now)) pending_.reset();
  if (pending_) return;
  const InputState& current = state(active);
  const Clock::time_point quiet_since =
      current.last_media_at ? std::max(*current.last_media_at, active_since_) : active_since_;
  InputState& standby = state(spare);
  if (now - quiet_since >= options_.failover_after && delivering(standby, now)) {
    const std::string reason = active == InputRole::kPrimary ? "primary_lost" : "backup_lost";
    if (standby.gop.empty()) {
      pending_ = {spare, reason};  // at its next keyframe
      return;
    }
    // At once, from the standby's latest keyframe: the destinations get its current GOP in one go.
    const std::vector<MediaPacketPtr> gop = standby.gop;
    take_over(spare, reason, gop.front(), now);
    for (size_t i = 1; i < gop.size(); ++i) forward(gop[i]);
    return;
  }
  const InputState& primary = primary_state_;
  if (active == InputRole::kBackup && !held_by_hand_ && options_.failback_after.count() > 0 &&
      delivering(primary, now) && primary.delivering_since &&
      now - *primary.delivering_since >= options_.failback_after) {
    pending_ = {InputRole::kPrimary, "failback"};
  }
}

Status InputSelector::request_switch(InputRole to, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!options_.has_backup) return Error(ErrorCode::kConflict, "the channel has no backup input");
  if (to == stats_.active) {
    pending_.reset();  // stay: a switch under way is called off
    held_by_hand_ = to == InputRole::kBackup;
    return ok_status();
  }
  if (!delivering(state(to), now)) {
    return Error(ErrorCode::kConflict,
                 "the " + std::string(input_role_name(to)) + " input delivers no media");
  }
  pending_ = {to, "manual"};
  return ok_status();
}

InputSelectorStats InputSelector::stats(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  InputSelectorStats stats = stats_;
  if (pending_) stats.pending = pending_->first;
  stats.primary_delivering = delivering(primary_state_, now);
  stats.backup_delivering = options_.has_backup && delivering(backup_state_, now);
  return stats;
}

}  // namespace lunora::media
