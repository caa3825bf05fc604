// The JSON shape of `lunora relay --stats` lines (documented in docs/relay.md).
#pragma once

#include <nlohmann/json.hpp>

#include "media/relay.hpp"

namespace lunora::app {

// Rates are computed against the previous sample of the same output or input.
class StatsSampler {
 public:
  nlohmann::json sample(const media::Relay& relay, std::chrono::steady_clock::time_point now);

 private:
  std::chrono::steady_clock::time_point last_time_{};
  uint64_t last_input_bytes_ = 0;
  std::map<uint64_t, uint64_t> last_output_bytes_;
};

}  // namespace lunora::app
