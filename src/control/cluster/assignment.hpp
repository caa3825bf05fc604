// Which channels a node drives when several nodes share one store (README "Several nodes, one table"): each
// channel has one owner, named by its lease; a node is alive while its heartbeat lease has not expired. This
// is the decision only, from a snapshot of the leases: no I/O, so that it can be tested on its own.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace lunora::control::cluster {

using TimestampMs = int64_t;

struct NodeHeartbeat {
  std::string node_id;
  std::string url;  // where its API answers
  TimestampMs expires_at = 0;
};

struct ChannelOwner {
  std::string channel_id;
  std::string node_id;  // "" = nobody
};

struct ClusterSnapshot {
  std::vector<NodeHeartbeat> nodes;
  std::vector<ChannelOwner> owners;
};

struct Claim {
  std::string channel_id;
  std::string previous_owner;  // "" = unassigned; else a node whose heartbeat expired
};

struct AssignmentPlan {
  std::vector<std::string> keep;  // owned by this node and still driven
  std::vector<Claim> claims;      // to take over (a conditional write each: another node may win it)
  std::vector<std::string> lost;  // driven by this node, now owned by another: stop driving them
};

// This node (`self`, alive) keeps what it owns, gives up what another node owns now, and claims channels
// without a live owner while it owns fewer than its fair share, ceil(channels / live nodes). Channels are
// claimed in an order that depends on the node (a hash of node and channel), so that nodes starting together
// mostly reach for different channels; the conditional write settles the rest.
AssignmentPlan plan_assignment(const std::string& self, const std::vector<std::string>& channel_ids,
                               const std::set<std::string>& driving, const ClusterSnapshot& snapshot,
                               TimestampMs now);

// The live nodes of the snapshot (heartbeat not expired at `now`), `self` included.
std::set<std::string> live_nodes(const std::string& self, const ClusterSnapshot& snapshot, TimestampMs now);

}  // namespace lunora::control::cluster
