// The name a `lunora serve` node goes by among the nodes sharing one store (logs, leases, channel JSON). Kept
// in the data dir, so that a restarted node is the same node: it takes its channels back at once instead of
// waiting for its old heartbeat to expire. Every node needs a data dir of its own.
#pragma once

#include <string>

#include "core/result.hpp"

namespace lunora::app {

// "<hostname>-<4 random hex digits>", read from <data_dir>/node-id or made and written there on first start.
Result<std::string> load_or_create_node_id(const std::string& data_dir);

// Whether the node URL (http://host:port) names this machine only (127.0.0.0/8, localhost, [::1]): other
// machines' nodes cannot forward commands to it.
bool is_loopback_url(const std::string& url);

}  // namespace lunora::app
