// The MediaLive cost estimate: per run, per minute rounded up, at least 10 minutes, input + outputs.
#include "engine/medialive/cost_meter.hpp"

#include <gtest/gtest.h>

namespace lunora::engine::medialive {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const CostMeter::Clock::time_point kT0{std::chrono::hours(24 * 365 * 56)};

TEST(MediaLiveCostMeter, NothingRunNothingBilled) {
  CostMeter meter({1.0, 2.0});
  meter.observe(false, 3, kT0);
  const CostSummary summary = meter.summary(kT0 + minutes(5));
  EXPECT_EQ(summary.runs, 0);
  EXPECT_EQ(summary.billed_minutes, 0);
  EXPECT_DOUBLE_EQ(summary.estimated_usd, 0);
  EXPECT_FALSE(summary.running);
}

TEST(MediaLiveCostMeter, AShortRunCostsTheTenMinuteMinimum) {
  CostMeter meter({0.6, 1.2});  // 0.6 + 2 × 1.2 = 3 USD an hour = 0.05 a minute
  meter.observe(true, 2, kT0);
  meter.observe(true, 2, kT0 + seconds(30));  // still the same run
  CostSummary running = meter.summary(kT0 + minutes(2));
  EXPECT_TRUE(running.running);
  EXPECT_EQ(running.billed_minutes, 10);
  EXPECT_NEAR(running.estimated_usd, 0.5, 1e-9);
  EXPECT_NEAR(running.minimum_left_seconds, 480, 1e-9);
  meter.observe(false, 2, kT0 + minutes(3));
  const CostSummary stopped = meter.summary(kT0 + minutes(60));
  EXPECT_FALSE(stopped.running);
  EXPECT_EQ(stopped.runs, 1);
  EXPECT_NEAR(stopped.running_seconds, 180, 1e-9);
  EXPECT_EQ(stopped.billed_minutes, 10);
  EXPECT_NEAR(stopped.estimated_usd, 0.5, 1e-9);
}

TEST(MediaLiveCostMeter, LongRunsRoundUpToTheMinuteAndEveryStartHasItsMinimum) {
  CostMeter meter({0.6, 1.2});
  meter.observe(true, 2, kT0);
  meter.observe(false, 2, kT0 + minutes(25) + seconds(1));  // 26 minutes billed
  meter.observe(true, 2, kT0 + minutes(30));
  meter.observe(false, 2, kT0 + minutes(31));  // a restart: 10 more
  const CostSummary summary = meter.summary(kT0 + minutes(40));
  EXPECT_EQ(summary.runs, 2);
  EXPECT_EQ(summary.billed_minutes, 36);
  EXPECT_NEAR(summary.estimated_usd, 36 * 0.05, 1e-9);
  EXPECT_NEAR(summary.running_seconds, 25 * 60 + 1 + 60, 1e-9);
}

TEST(MediaLiveCostMeter, MoreOutputsCostMore) {
  CostMeter one({0.294, 0.702});
  CostMeter seven({0.294, 0.702});
  one.observe(true, 1, kT0);
  seven.observe(true, 7, kT0);
  const auto hour = kT0 + std::chrono::hours(1);
  EXPECT_NEAR(one.summary(hour).estimated_usd, 0.996, 1e-9);
  EXPECT_NEAR(seven.summary(hour).estimated_usd, 0.294 + 7 * 0.702, 1e-9);  // facts 3.8: about 5.2 USD/h
}

}  // namespace
}  // namespace lunora::engine::medialive
