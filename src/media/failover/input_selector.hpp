// Primary and backup input (issue 6): sits between a channel's two InputRecorders and what follows them (the
// slate, then the Hub) and lets exactly one input through. When the active input has delivered no media for
// `failover_after`, and the other one is delivering, it switches to the other at once, starting from the
// other's latest keyframe (it keeps each input's current GOP for that), so no slate is needed; without a
// cached keyframe it switches at the next one. The new input's codec configuration goes first, then the
// keyframe (with its SPS/PPS in-band); audio stamped before the keyframe is held back. It switches back to
// the primary at the primary's next keyframe once the primary has delivered for `failback_after` (0 = only by
// hand), or when asked to (request_switch).
//
// Timestamps: every publisher connection has an epoch of its own (next_input_epoch), so each destination's
// OutputClock splices the new input one frame after the old one: the timestamps a destination sees stay
// continuous across a switch whatever the two encoders' clocks say.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "media/hub/packet_sink.hpp"

namespace lunora::media {

enum class InputRole : uint8_t { kPrimary, kBackup };
std::string_view input_role_name(InputRole role);  // "primary" | "backup"

struct InputSelectorOptions {
  bool has_backup = false;                          // without one the primary always passes
  std::chrono::milliseconds failover_after{1000};   // failover_after_ms
  std::chrono::milliseconds failback_after{10000};  // failback_after_s; 0 = only by hand
};

struct InputSelectorStats {
  InputRole active = InputRole::kPrimary;
  std::optional<InputRole> pending;  // switching to it at its next keyframe
  uint64_t failovers = 0;            // switches to the backup
  uint64_t failbacks = 0;            // switches back to the primary
  std::string last_reason;           // of the latest switch: primary_lost|backup_lost|failback|manual
  std::optional<std::chrono::system_clock::time_point> last_switch_at;
  bool primary_delivering = false;  // media within failover_after
  bool backup_delivering = false;
};

class InputSelector {
 public:
  using Clock = std::chrono::steady_clock;

  InputSelector(PacketSink& next, InputSelectorOptions options);

  // What the role's InputRecorder hands its packets to.
  PacketSink& input(InputRole role) { return role == InputRole::kPrimary ? primary_ : backup_; }

  void set_options(InputSelectorOptions options);
  // Decides on a failover or failback; call it every few milliseconds (it never blocks on media).
  void tick(Clock::time_point now);
  // A switch by hand to `to` at its next keyframe; an error when `to` has no backup or delivers nothing.
  Status request_switch(InputRole to, Clock::time_point now);

  InputSelectorStats stats(Clock::time_point now) const;

  // The role's packets, as its InputRecorder hands them on (public for tests, which pass their own `now`).
  void publish(InputRole role, const MediaPacketPtr& packet, Clock::time_point now);

 private:
  class Side final : public PacketSink {
   public:
    Side(InputSelector& owner, InputRole role) : owner_(owner), role_(role) {}
    void publish(const MediaPacketPtr& packet) override { owner_.publish(role_, packet, Clock::now()); }
    void set_input_codecs(const InputCodecs& codecs) override { owner_.set_input_codecs(role_, codecs); }
    void input_ended() override { owner_.input_ended(role_); }

   private:
    InputSelector& owner_;
    InputRole role_;
  };

  struct InputState {
    std::optional<Clock::time_point> last_media_at;
    std::optional<Clock::time_point> delivering_since;  // start of the current run without a gap
    MediaPacketPtr video_config;
    MediaPacketPtr audio_config;
    std::optional<InputCodecs> codecs;
    std::vector<MediaPacketPtr> gop;  // media since the latest video keyframe (empty: none cached)
  };

  void set_input_codecs(InputRole role, const InputCodecs& codecs);
  void input_ended(InputRole role);
  bool delivering(const InputState& state, Clock::time_point now) const;
  void take_over(InputRole role, const std::string& reason, const MediaPacketPtr& keyframe,
                 Clock::time_point now);
  void note_switch(InputRole role, const std::string& reason, Clock::time_point now);
  void forward(const MediaPacketPtr& packet);
  static void cache(InputState& input, const MediaPacketPtr& packet);
  InputState& state(InputRole role) { return role == InputRole::kPrimary ? primary_state_ : backup_state_; }
  const InputState& state(InputRole role) const {
    return role == InputRole::kPrimary ? primary_state_ : backup_state_;
  }
  static InputRole other(InputRole role) {
    return role == InputRole::kPrimary ? InputRole::kBackup : InputRole::kPrimary;
  }

  PacketSink& next_;
  Side primary_{*this, InputRole::kPrimary};
  Side backup_{*this, InputRole::kBackup};

  // Guards everything below: the two inputs publish from their own threads, tick() runs on the slate thread,
  // request_switch() on the control thread. Held while handing packets on, which keeps the two inputs from
  // interleaving.
  mutable std::mutex mutex_;
  InputSelectorOptions options_;
  const Clock::time_point created_ = Clock::now();
  Clock::time_point active_since_ = created_;  // when the active input became active
  InputState primary_state_;
  InputState backup_state_;
  std::optional<std::pair<InputRole, std::string>> pending_;  // (target, reason)
  bool held_by_hand_ = false;  // switched to the backup by hand: no automatic failback
  std::optional<std::pair<uint32_t, int64_t>> audio_resumes_at_;  // (epoch, dts) of the keyframe taken over
  InputSelectorStats stats_;
};

}  // namespace lunora::media
