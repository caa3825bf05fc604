#include "engine/medialive/cost_meter.hpp"

#include <algorithm>
#include <cmath>

namespace lunora::engine::medialive {
namespace {

constexpr int64_t kMinimumMinutes = 10;

double seconds_between(CostMeter::Clock::time_point from, CostMeter::Clock::time_point to) {
  return std::max(0.0, std::chrono::duration<double>(to - from).count());
}

}  // namespace

void CostMeter::observe(bool running, int outputs, Clock::time_point at) {
  const double usd_per_hour = rates_.input + rates_.output * std::max(outputs, 0);
  if (!running) {
    if (current_) {
      int64_t minutes = 0;
      closed_usd_ += run_cost(*current_, at, &minutes);
      closed_minutes_ += minutes;
      closed_seconds_ += seconds_between(current_->started, at);
      current_.reset();
    }
    return;
  }
  // A running channel's outputs cannot change (MediaLive edits only IDLE channels): a run keeps its rate.
  if (!current_) {
    current_ = Run{at, usd_per_hour};
    ++runs_;
  }
}

double CostMeter::run_cost(const Run& run, Clock::time_point end, int64_t* minutes) const {
  const double seconds = seconds_between(run.started, end);
  *minutes = std::max(kMinimumMinutes, static_cast<int64_t>(std::ceil(seconds / 60.0)));
  return run.usd_per_hour * static_cast<double>(*minutes) / 60.0;
}

CostSummary CostMeter::summary(Clock::time_point now) const {
  CostSummary summary;
  summary.running_seconds = closed_seconds_;
  summary.billed_minutes = closed_minutes_;
  summary.estimated_usd = closed_usd_;
  summary.runs = runs_;
  if (current_) {
    int64_t minutes = 0;
    summary.estimated_usd += run_cost(*current_, now, &minutes);
    summary.billed_minutes += minutes;
    const double seconds = seconds_between(current_->started, now);
    summary.running_seconds += seconds;
    summary.running = true;
    summary.minimum_left_seconds = std::max(0.0, static_cast<double>(kMinimumMinutes) * 60.0 - seconds);
  }
  return summary;
}

}  // namespace lunora::engine::medialive
