// What a MediaLive channel has cost so far, estimated (issue 8 "Truth and cost"). MediaLive bills a running
// channel per minute, rounded up, with a 10-minute minimum per start, at an hourly rate for its input and for
// each output (medialive-facts 3.8): toggling a channel to add one destination costs at least ten minutes of
// everything. The rates are the user's (they depend on region, resolution and reservations).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace lunora::engine::medialive {

struct HourlyRates {
  double input = 0.294;   // USD per running hour of the input (us-east-1 HD AVC input, facts 3.8)
  double output = 0.702;  // USD per running hour of each output (us-east-1 HD AVC output)
};

struct CostSummary {
  double running_seconds = 0;  // time the channel ran, the current run included
  int64_t billed_minutes = 0;  // what MediaLive bills for it: per run, rounded up, at least 10
  double estimated_usd = 0;
  int runs = 0;                     // starts seen
  bool running = false;             // a run is going on now
  double minimum_left_seconds = 0;  // of the current run's 10-minute minimum, billed even if it stops now
};

class CostMeter {
 public:
  using Clock = std::chrono::system_clock;

  explicit CostMeter(HourlyRates rates) : rates_(rates) {}

  // The channel was seen running (with `outputs` outputs: its rate for the whole run) or not at `at`.
  void observe(bool running, int outputs, Clock::time_point at);
  CostSummary summary(Clock::time_point now) const;

 private:
  struct Run {
    Clock::time_point started;
    double usd_per_hour;
  };
  double run_cost(const Run& run, Clock::time_point end, int64_t* minutes) const;

  HourlyRates rates_;
  std::optional<Run> current_;
  double closed_seconds_ = 0;
  int64_t closed_minutes_ = 0;
  double closed_usd_ = 0;
  int runs_ = 0;
};

}  // namespace lunora::engine::medialive
