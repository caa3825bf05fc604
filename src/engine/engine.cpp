#include "engine/engine.hpp"

namespace lunora::engine {

std::string_view output_phase_name(OutputPhase phase) {
  switch (phase) {
    case OutputPhase::kWaitingForInput:
      return "waiting_for_input";
    case OutputPhase::kConnecting:
      return "connecting";
    case OutputPhase::kStreaming:
      return "streaming";
    case OutputPhase::kRetrying:
      return "retrying";
    case OutputPhase::kFailed:
      return "failed";
    case OutputPhase::kStopping:
      return "stopping";
  }
  return "unknown";
}

}  // namespace lunora::engine
