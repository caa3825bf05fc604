// The name a `lunora serve` node goes by among the nodes sharing one store (logs, leases, channel JSON).
#pragma once

#include <string>

namespace lunora::app {

// "<hostname>-<4 random hex digits>": a person can tell the machines apart, and two processes on one differ.
std::string make_node_id();

}  // namespace lunora::app
