// Exponential backoff with jitter for reconnect loops (DESIGN.md: every output owns its reconnect loop).
// "Equal jitter": half the delay is fixed, half random, so retries spread out yet never fire at once.
#pragma once

#include <chrono>
#include <cstdint>

namespace lunora {

struct BackoffPolicy {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds cap{30000};
  double multiplier = 2.0;
};

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy, uint64_t seed = 0x9E3779B97F4A7C15ULL);

  // The delay before the next attempt; grows with every call until reset().
  std::chrono::milliseconds next();
  void reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  uint64_t random();

  BackoffPolicy policy_;
  uint64_t state_;
  int attempt_ = 0;
};

}  // namespace lunora
