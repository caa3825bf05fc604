#include "control/cluster/assignment.hpp"

#include <algorithm>
#include <map>

namespace lunora::control::cluster {
namespace {

// FNV-1a: stable across runs and builds (std::hash is not), which keeps a node's preferences stable.
uint64_t preference(const std::string& node, const std::string& channel) {
  uint64_t hash = 1469598103934665603ULL;
  for (const std::string* part : {&node, &channel}) {
    for (const char c : *part) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ULL;
    }
    hash ^= 0xff;  // a separator, so that ("ab", "c") and ("a", "bc") differ
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace

std::set<std::string> live_nodes(const std::string& self, const ClusterSnapshot& snapshot, TimestampMs now) {
  std::set<std::string> live{self};
  for (const auto& node : snapshot.nodes) {
    if (node.expires_at >= now) live.insert(node.node_id);
  }
  return live;
}

AssignmentPlan plan_assignment(const std::string& self, const std::vector<std::string>& channel_ids,
                               const std::set<std::string>& driving, const ClusterSnapshot& snapshot,
                               TimestampMs now) {
  const std::set<std::string> live = live_nodes(self, snapshot, now);
  std::map<std::string, std::string> owner_of;
  for (const auto& owner : snapshot.owners) owner_of[owner.channel_id] = owner.node_id;

  AssignmentPlan plan;
  std::vector<Claim> claimable;
  for (const auto& id : channel_ids) {
    auto found = owner_of.find(id);
    const std::string owner = found == owner_of.end() ? std::string() : found->second;
    if (owner == self) {
      plan.keep.push_back(id);
    } else if (!owner.empty() && live.contains(owner)) {
      if (driving.contains(id)) plan.lost.push_back(id);
    } else {
      claimable.push_back({id, owner});
    }
  }
  // A channel this node drives whose lease is gone altogether (deleted with the channel) is not kept either.
  for (const auto& id : driving) {
    if (std::find(channel_ids.begin(), channel_ids.end(), id) == channel_ids.end()) plan.lost.push_back(id);
  }

  const size_t share = (channel_ids.size() + live.size() - 1) / live.size();
  std::sort(claimable.begin(), claimable.end(), [&](const Claim& a, const Claim& b) {
    return preference(self, a.channel_id) < preference(self, b.channel_id);
  });
  for (const auto& claim : claimable) {
    if (plan.keep.size() + plan.claims.size() >= share) break;
    plan.claims.push_back(claim);
  }
  return plan;
}

}  // namespace lunora::control::cluster
