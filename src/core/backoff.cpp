#include "core/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace lunora {

Backoff::Backoff(BackoffPolicy policy, uint64_t seed) : policy_(policy), state_(seed ? seed : 1) {}

uint64_t Backoff::random() {
  // xorshift64*: enough spread for jitter, and deterministic under a test's seed.
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return state_ * 0x2545F4914F6CDD1DULL;
}

std::chrono::milliseconds Backoff::next() {
  const double base = static_cast<double>(policy_.initial.count()) * std::pow(policy_.multiplier, attempt_);
  const auto ceiling = static_cast<double>(policy_.cap.count());
  const auto delay = static_cast<int64_t>(std::min(base, ceiling));
  if (base < ceiling) ++attempt_;
  const int64_t half = delay / 2;
  const int64_t jitter = half > 0 ? static_cast<int64_t>(random() % static_cast<uint64_t>(half + 1)) : 0;
  return std::chrono::milliseconds(delay - half + jitter);
}

}  // namespace lunora
