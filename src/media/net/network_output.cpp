#include "media/net/network_output.hpp"

namespace lunora::media {

std::string_view output_state_name(OutputState state) {
  switch (state) {
    case OutputState::kIdle:
      return "idle";
    case OutputState::kConnecting:
      return "connecting";
    case OutputState::kPublishing:
      return "publishing";
    case OutputState::kLive:
      return "live";
    case OutputState::kRetrying:
      return "retrying";
    case OutputState::kFailed:
      return "failed";
    case OutputState::kStopping:
      return "stopping";
    case OutputState::kStopped:
      return "stopped";
  }
  return "unknown";
}

}  // namespace lunora::media
