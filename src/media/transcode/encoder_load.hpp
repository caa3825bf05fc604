// How a rendition's encoder keeps up (issue 9): judged over windows of media time, it steps the x264 preset
// down to a faster one when the encoder falls behind real time, and says "overloaded" only when even the
// fastest preset cannot keep up. After a long calm with plenty of headroom it steps back toward the preset it
// started with (a passing spike of load must not cost quality for good). Pure bookkeeping (no clock, no
// encoder), so the policy is testable.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace lunora::media {

// x264's presets, fastest first.
bool is_x264_preset(std::string_view preset);

class EncoderLoad {
 public:
  explicit EncoderLoad(std::string preset) : wanted_(preset), preset_(std::move(preset)) {}

  // One window: its encode speed (media time / busy time; 1 = real time) and whether the queue in front of
  // the encoder dropped packets in it (after a drop the media time jumps, so the speed alone looks fine).
  // Answers the preset to switch to now, if any.
  std::optional<std::string> judge(double speed, bool dropped);

  const std::string& preset() const { return preset_; }
  // The fastest preset fell behind for several windows in a row.
  bool overloaded() const { return overloaded_; }
  int preset_changes() const { return preset_changes_; }

  // Slow windows in a row before a step to a faster preset, before "overloaded" (at the fastest preset), and
  // good windows in a row before "overloaded" clears.
  static constexpr int kSlowWindowsToStep = 2;
  static constexpr int kSlowWindowsToOverload = 3;
  static constexpr int kGoodWindowsToRecover = 3;
  // A step back to a slower preset: this many windows in a row at least this fast (a slower preset costs
  // up to about twice the time).
  static constexpr int kCalmWindowsToStepBack = 30;
  static constexpr double kSpeedToStepBack = 2.0;

 private:
  const std::string wanted_;  // the profile's preset: never stepped back beyond
  std::string preset_;
  int calm_ = 0;
  int slow_ = 0;
  int good_ = 0;
  bool overloaded_ = false;
  int preset_changes_ = 0;
};

}  // namespace lunora::media
