// Several `lunora serve` nodes on one shared store (DynamoDB): one is active and drives every channel, the
// others wait on standby and take over when it stops renewing its lease: within the lease time of a crash,
// at once after a clean stop (the lease is released).
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "store/store.hpp"

namespace lunora::app {

inline constexpr const char* kActiveNodeLease = "active-node";

struct NodeLeaseOptions {
  std::string node_id;
  std::string node_url;  // where this node's API answers, shown to the nodes waiting
  std::chrono::milliseconds lease{10000};
};

// A node id a person can read in logs: "<hostname>-<4 random hex digits>".
std::string make_node_id();

// Blocks (before the node binds any port) until this node holds the lease; false when `stop` became true
// first. Store errors are retried: a standby node has nothing to lose by waiting.
bool wait_until_active(store::Leases& leases, const NodeLeaseOptions& options, const std::atomic<bool>& stop);

// wait_until_active() stopped by SIGINT or SIGTERM; false when one came first.
bool standby_until_active(store::Leases& leases, const NodeLeaseOptions& options);

// Renews the lease on the control thread (the store's thread) every third of the lease. When a renewal finds
// another node holding it, that node is driving the channels already: `lost` is called (the caller stops at
// once, so that no destination is published twice). A renewal the store cannot answer is retried; the node
// keeps streaming meanwhile (README: what an unreachable table means).
class NodeLeaseKeeper {
 public:
  NodeLeaseKeeper(const boost::asio::any_io_executor& control, store::Leases& leases,
                  NodeLeaseOptions options, std::function<void(const store::LeaseRecord& holder)> lost);

  void start();
  // Cancels the renewals and gives the lease up, so that a standby takes over at once. Control thread only.
  void release();

 private:
  void schedule();
  void renew();

  boost::asio::steady_timer timer_;  // runs on the control thread, as do renew() and release()
  store::Leases& leases_;
  const NodeLeaseOptions options_;
  std::function<void(const store::LeaseRecord&)> lost_;
  bool released_ = false;
};

}  // namespace lunora::app
