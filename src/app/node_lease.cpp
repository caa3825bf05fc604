#include "app/node_lease.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <random>
#include <thread>

namespace lunora::app {
namespace {

store::TimestampMs wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

store::LeaseRecord our_lease(const NodeLeaseOptions& options) {
  return {kActiveNodeLease, options.node_id, options.node_url, wall_clock_ms() + options.lease.count()};
}

std::atomic<bool> g_stop_requested{false};

extern "C" void request_stop(int /*signal*/) {
  g_stop_requested.store(true);
}

}  // namespace

bool standby_until_active(store::Leases& leases, const NodeLeaseOptions& options) {
  // Until asio's signal_set takes over: a standby node stops on SIGINT/SIGTERM without ever going active.
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  const bool active = wait_until_active(leases, options, g_stop_requested);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  return active && !g_stop_requested.load();
}

std::string make_node_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "node");
  std::random_device random;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%04x", static_cast<unsigned>(random() & 0xffffU));
  return std::string(host) + "-" + suffix;
}

bool wait_until_active(store::Leases& leases, const NodeLeaseOptions& options,
                       const std::atomic<bool>& stop) {
  // A quarter of the lease: a crashed active node is replaced within 1.25 leases.
  const auto poll = std::max(std::chrono::milliseconds(100), options.lease / 4);
  std::string last_holder;
  while (!stop.load()) {
    // A read first: a failed conditional write costs a write unit, and a standby would pay it every poll.
    auto held = leases.holder(kActiveNodeLease);
    const bool taken =
        held && !held->owner.empty() && held->owner != options.node_id && held->expires_at >= wall_clock_ms();
    if (held && !taken) held = leases.acquire(our_lease(options), wall_clock_ms());
    if (held && held->owner == options.node_id) return true;
    if (!held) {
      spdlog::warn("event=lease_unavailable lease={} error=\"{}\"", kActiveNodeLease, held.error().message());
    } else if (held->owner != last_holder) {
      last_holder = held->owner;
      spdlog::info("event=standby node={} active_node={} active_url={} expires_in_ms={}", options.node_id,
                   held->owner, held->owner_url, held->expires_at - wall_clock_ms());
    }
    for (auto waited = std::chrono::milliseconds(0); waited < poll && !stop.load();
         waited += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return false;
}

NodeLeaseKeeper::NodeLeaseKeeper(const boost::asio::any_io_executor& control, store::Leases& leases,
                                 NodeLeaseOptions options,
                                 std::function<void(const store::LeaseRecord&)> lost)
    : timer_(control), leases_(leases), options_(std::move(options)), lost_(std::move(lost)) {}

void NodeLeaseKeeper::start() {
  schedule();
}

void NodeLeaseKeeper::schedule() {
  timer_.expires_after(options_.lease / 3);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || released_) return;
    renew();
    schedule();
  });
}

void NodeLeaseKeeper::renew() {
  auto held = leases_.acquire(our_lease(options_), wall_clock_ms());
  if (!held) {
    spdlog::warn("event=lease_renewal_failed lease={} error=\"{}\"", kActiveNodeLease,
                 held.error().message());
    return;
  }
  if (held->owner != options_.node_id) {
    released_ = true;
    spdlog::error("event=lease_lost lease={} node={} active_node={}", kActiveNodeLease, options_.node_id,
                  held->owner);
    lost_(*held);
  }
}

void NodeLeaseKeeper::release() {
  released_ = true;
  timer_.cancel();
  if (auto released = leases_.release(kActiveNodeLease, options_.node_id); !released) {
    spdlog::warn("event=lease_release_failed lease={} error=\"{}\"", kActiveNodeLease,
                 released.error().message());
  } else {
    spdlog::info("event=lease_released lease={} node={}", kActiveNodeLease, options_.node_id);
  }
}

}  // namespace lunora::app
