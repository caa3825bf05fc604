#include "control/cluster/assignment.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace lunora::control::cluster {
namespace {

constexpr TimestampMs kNow = 1'000'000;

ClusterSnapshot snapshot(std::vector<NodeHeartbeat> nodes, std::vector<ChannelOwner> owners) {
  return {std::move(nodes), std::move(owners)};
}

std::vector<std::string> claimed(const AssignmentPlan& plan) {
  std::vector<std::string> ids;
  for (const auto& claim : plan.claims) ids.push_back(claim.channel_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(ClusterAssignment, ALoneNodeClaimsEveryChannel) {
  const auto plan = plan_assignment("a", {"c1", "c2", "c3"}, {}, snapshot({}, {}), kNow);
  EXPECT_EQ(claimed(plan), (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_TRUE(plan.keep.empty());
  EXPECT_TRUE(plan.lost.empty());
}

TEST(ClusterAssignment, TwoNodesEachClaimTheirShareOfFreeChannels) {
  const auto view = snapshot({{"a", "http://a", kNow + 5000}, {"b", "http://b", kNow + 5000}}, {});
  const auto a = plan_assignment("a", {"c1", "c2", "c3", "c4"}, {}, view, kNow);
  const auto b = plan_assignment("b", {"c1", "c2", "c3", "c4"}, {}, view, kNow);
  EXPECT_EQ(a.claims.size(), 2U);
  EXPECT_EQ(b.claims.size(), 2U);
}

TEST(ClusterAssignment, KeepsWhatItOwnsAndLeavesTheLiveOthersAlone) {
  const auto view =
      snapshot({{"a", "", kNow + 5000}, {"b", "", kNow + 5000}}, {{"c1", "a"}, {"c2", "b"}, {"c3", "b"}});
  const auto plan = plan_assignment("a", {"c1", "c2", "c3", "c4"}, {"c1"}, view, kNow);
  EXPECT_EQ(plan.keep, (std::vector<std::string>{"c1"}));
  EXPECT_EQ(claimed(plan), (std::vector<std::string>{"c4"}));  // share is 2: c1 + c4
  EXPECT_TRUE(plan.lost.empty());
}

TEST(ClusterAssignment, ADeadNodesChannelsAreClaimedNamingIt) {
  const auto view =
      snapshot({{"a", "", kNow + 5000}, {"b", "", kNow - 1}}, {{"c1", "a"}, {"c2", "b"}, {"c3", "b"}});
  const auto plan = plan_assignment("a", {"c1", "c2", "c3"}, {"c1"}, view, kNow);
  EXPECT_EQ(claimed(plan), (std::vector<std::string>{"c2", "c3"}));
  for (const auto& claim : plan.claims) EXPECT_EQ(claim.previous_owner, "b");
}

TEST(ClusterAssignment, AChannelTakenByAnotherLiveNodeIsLost) {
  const auto view = snapshot({{"a", "", kNow + 5000}, {"b", "", kNow + 5000}}, {{"c1", "b"}});
  const auto plan = plan_assignment("a", {"c1"}, {"c1"}, view, kNow);
  EXPECT_EQ(plan.lost, (std::vector<std::string>{"c1"}));
  EXPECT_TRUE(plan.claims.empty());
}

TEST(ClusterAssignment, ADeletedChannelStillDrivenIsLost) {
  const auto plan = plan_assignment("a", {"c1"}, {"c1", "gone"}, snapshot({}, {{"c1", "a"}}), kNow);
  EXPECT_EQ(plan.lost, (std::vector<std::string>{"gone"}));
  EXPECT_EQ(plan.keep, (std::vector<std::string>{"c1"}));
}

TEST(ClusterAssignment, NoClaimsBeyondTheShareEvenWhenMoreAreFree) {
  const auto view = snapshot({{"a", "", kNow + 5000}, {"b", "", kNow + 5000}, {"c", "", kNow + 5000}}, {});
  const auto plan = plan_assignment("a", {"c1", "c2", "c3", "c4"}, {}, view, kNow);
  EXPECT_EQ(plan.claims.size(), 2U);  // ceil(4 / 3)
}

TEST(ClusterAssignment, NodesPreferDifferentChannels) {
  std::vector<std::string> channels;
  for (int i = 0; i < 20; ++i) channels.push_back("ch_" + std::to_string(i));
  const auto view = snapshot({{"node-a", "", kNow + 5000}, {"node-b", "", kNow + 5000}}, {});
  const auto a = claimed(plan_assignment("node-a", channels, {}, view, kNow));
  const auto b = claimed(plan_assignment("node-b", channels, {}, view, kNow));
  std::vector<std::string> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  EXPECT_LT(both.size(), 10U) << "two nodes reach for the same channels";
}

}  // namespace
}  // namespace lunora::control::cluster
