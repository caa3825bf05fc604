#include "media/transcode/encoder_load.hpp"

#include <algorithm>
#include <array>

namespace lunora::media {
namespace {

constexpr std::array<std::string_view, 10> kPresets = {
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo",
};

}  // namespace

bool is_x264_preset(std::string_view preset) {
  return std::find(kPresets.begin(), kPresets.end(), preset) != kPresets.end();
}

std::optional<std::string> EncoderLoad::judge(double speed, bool dropped) {
  if (speed >= 1.0 && !dropped) {
    slow_ = 0;
    if (overloaded_ && ++good_ >= kGoodWindowsToRecover) overloaded_ = false;
    calm_ = speed >= kSpeedToStepBack ? calm_ + 1 : 0;
    auto at = std::find(kPresets.begin(), kPresets.end(), preset_);
    if (calm_ >= kCalmWindowsToStepBack && preset_ != wanted_ && at != kPresets.end() &&
        at + 1 != kPresets.end()) {
      preset_ = std::string(*(at + 1));
      calm_ = 0;
      ++preset_changes_;
      return preset_;
    }
    return std::nullopt;
  }
  good_ = 0;
  calm_ = 0;
  ++slow_;
  auto at = std::find(kPresets.begin(), kPresets.end(), preset_);
  if (at != kPresets.end() && at != kPresets.begin()) {
    if (slow_ < kSlowWindowsToStep) return std::nullopt;
    // One step at a time: each is a real loss of quality, and the next windows tell whether it was enough.
    preset_ = std::string(*(at - 1));
    slow_ = 0;
    ++preset_changes_;
    return preset_;
  }
  if (slow_ >= kSlowWindowsToOverload) overloaded_ = true;
  return std::nullopt;
}

}  // namespace lunora::media
