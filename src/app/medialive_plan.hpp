// `lunora medialive plan CHANNEL`: the UpdateChannel body the next change of a Lunora channel on MediaLive
// would send (issue 8), without sending it: the channel as MediaLive describes it now, with the RTMP outputs
// Lunora wants (the destinations that are on, and those `--start`/`--stop` name). Stream keys show only as
// hints.
#pragma once

#include <string>
#include <vector>

#include "app/serve_settings.hpp"

namespace lunora::app {

struct PlanArgs {
  std::string channel;             // Lunora channel id or name
  std::vector<std::string> start;  // destinations (id or name) to show as on
  std::vector<std::string> stop;   // ... and as off
  SettingValues flags;             // data_dir, store (as `lunora serve` takes them)
  std::string config;
};

int run_medialive_plan(const PlanArgs& args);

}  // namespace lunora::app
