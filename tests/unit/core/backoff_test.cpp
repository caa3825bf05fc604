#include "core/backoff.hpp"

#include <gtest/gtest.h>

namespace lunora {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, GrowsExponentiallyWithinJitterAndCaps) {
  Backoff backoff({.initial = milliseconds(1000), .cap = milliseconds(30000), .multiplier = 2.0}, 42);
  const int64_t bases[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
  for (int64_t base : bases) {
    const auto d = backoff.next().count();
    EXPECT_GE(d, base / 2) << "base " << base;
    EXPECT_LE(d, base) << "base " << base;
  }
}

TEST(Backoff, ResetStartsOver) {
  Backoff backoff({.initial = milliseconds(100), .cap = milliseconds(10000)}, 7);
  for (int i = 0; i < 5; ++i) backoff.next();
  backoff.reset();
  EXPECT_LE(backoff.next().count(), 100);
}

TEST(Backoff, JitterSpreadsRetries) {
  Backoff a({.initial = milliseconds(10000)}, 1);
  Backoff b({.initial = milliseconds(10000)}, 2);
  EXPECT_NE(a.next(), b.next());
}

}  // namespace
}  // namespace lunora
