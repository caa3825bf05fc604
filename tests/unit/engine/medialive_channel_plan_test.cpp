// The MediaLive channel bodies (engine/medialive/channel_plan.hpp): what they hold, and that an update keeps
// what DescribeChannel answered. tests/services/medialive_plan_test.cpp sends them to the fake MediaLive,
// which checks them against the API model.
#include "engine/medialive/channel_plan.hpp"

#include <gtest/gtest.h>

namespace lunora::engine::medialive {
namespace {

using nlohmann::json;

ChannelSpec spec() {
  return {"lunora-ch_1", "arn:aws:iam::123456789012:role/MediaLiveAccessRole", "1234567",
          "s3ssl://bucket/live/index"};
}

const RtmpPush kYouTube{"ds_yt", "rtmp://a.rtmp.youtube.com/live2", "yt-key"};
const RtmpPush kTwitch{"ds_tw", "rtmp://live.twitch.tv/app", "tw-key"};

std::vector<std::string> group_names(const json& body) {
  std::vector<std::string> names;
  for (const auto& group : body["encoderSettings"]["outputGroups"]) names.push_back(group["name"]);
  return names;
}

std::vector<std::string> destination_ids(const json& body) {
  std::vector<std::string> ids;
  for (const auto& destination : body["destinations"]) ids.push_back(destination["id"]);
  return ids;
}

// What DescribeChannel answers for a created channel: the body plus read-only members.
json described(const json& created) {
  json channel = created;
  channel["id"] = "1234567";
  channel["arn"] = "arn:aws:medialive:us-east-1:123456789012:channel:1234567";
  channel["state"] = "IDLE";
  channel["pipelinesRunningCount"] = 0;
  channel["maintenance"] = {{"maintenanceDay", "TUESDAY"},
                            {"maintenanceStartTime", "04:00"},
                            {"maintenanceDeadline", "2026-12-01T04:00:00Z"}};
  return channel;
}

TEST(MediaLiveChannelPlan, CreateHasTheEncodesTheHlsGroupAndOneRtmpGroupPerDestination) {
  const json body = create_channel_body(spec(), {kYouTube, kTwitch});
  EXPECT_EQ(body["channelClass"], "SINGLE_PIPELINE");
  EXPECT_EQ(body["roleArn"], spec().role_arn);
  EXPECT_EQ(body["inputAttachments"][0]["inputId"], "1234567");
  EXPECT_EQ(group_names(body), (std::vector<std::string>{"hls", "rtmp-group-ds_yt", "rtmp-group-ds_tw"}));
  EXPECT_EQ(destination_ids(body), (std::vector<std::string>{"hls", "ds_yt", "ds_tw"}));
  const json& encodes = body["encoderSettings"];
  EXPECT_EQ(encodes["videoDescriptions"][0]["name"], kVideoDescription);
  EXPECT_EQ(encodes["videoDescriptions"][0]["codecSettings"]["h264Settings"]["gopSize"], 2.0);
  EXPECT_EQ(encodes["audioDescriptions"][0]["name"], kAudioDescription);
  // The audio description's selector is one the input attachment defines.
  EXPECT_EQ(encodes["audioDescriptions"][0]["audioSelectorName"],
            body["inputAttachments"][0]["inputSettings"]["audioSelectors"][0]["name"]);
  for (const auto& group : encodes["outputGroups"]) {
    ASSERT_EQ(group["outputs"].size(), 1U) << group["name"];
    EXPECT_EQ(group["outputs"][0]["videoDescriptionName"], kVideoDescription);
  }
  const json& twitch = body["destinations"][2]["settings"];
  ASSERT_EQ(twitch.size(), 1U);  // SINGLE_PIPELINE: one settings entry per destination
  EXPECT_EQ(twitch[0]["url"], "rtmp://live.twitch.tv/app");
  EXPECT_EQ(twitch[0]["streamName"], "tw-key");
}

TEST(MediaLiveChannelPlan, NoHlsUrlMeansNoHlsGroup) {
  ChannelSpec without_hls = spec();
  without_hls.hls_s3_url.clear();
  const json body = create_channel_body(without_hls, {kYouTube});
  EXPECT_EQ(group_names(body), (std::vector<std::string>{"rtmp-group-ds_yt"}));
  EXPECT_EQ(destination_ids(body), (std::vector<std::string>{"ds_yt"}));
}

TEST(MediaLiveChannelPlan, UpdateSendsBackEveryMemberUpdateChannelTakesAndNothingReadOnly) {
  const json channel = described(create_channel_body(spec(), {kYouTube}));
  const json body = update_channel_body(channel);
  EXPECT_EQ(body["roleArn"], spec().role_arn);  // left out, MediaLive would drop the role
  EXPECT_EQ(body["encoderSettings"], channel["encoderSettings"]);
  EXPECT_EQ(body["inputAttachments"], channel["inputAttachments"]);
  EXPECT_EQ(body["destinations"], channel["destinations"]);
  EXPECT_EQ(body["name"], "lunora-ch_1");
  EXPECT_EQ(body["maintenance"], (json{{"maintenanceDay", "TUESDAY"}, {"maintenanceStartTime", "04:00"}}));
  for (const char* read_only : {"id", "arn", "state", "pipelinesRunningCount", "channelClass"}) {
    EXPECT_FALSE(body.contains(read_only)) << read_only;
  }
}

TEST(MediaLiveChannelPlan, WithPushesReplacesOnlyTheRtmpGroupsAndTheirDestinations) {
  const json channel = described(create_channel_body(spec(), {kYouTube}));
  const json added = with_pushes(channel, {kYouTube, kTwitch});
  EXPECT_EQ(group_names(added), (std::vector<std::string>{"hls", "rtmp-group-ds_yt", "rtmp-group-ds_tw"}));
  EXPECT_EQ(destination_ids(added), (std::vector<std::string>{"hls", "ds_yt", "ds_tw"}));
  EXPECT_EQ(added["roleArn"], spec().role_arn);

  const json removed = with_pushes(described(create_channel_body(spec(), {kYouTube, kTwitch})), {kTwitch});
  EXPECT_EQ(group_names(removed), (std::vector<std::string>{"hls", "rtmp-group-ds_tw"}));
  EXPECT_EQ(destination_ids(removed), (std::vector<std::string>{"hls", "ds_tw"}));

  const json none = with_pushes(channel, {});
  EXPECT_EQ(group_names(none), (std::vector<std::string>{"hls"}));
  EXPECT_EQ(destination_ids(none), (std::vector<std::string>{"hls"}));
}

TEST(MediaLiveChannelPlan, AStandardChannelGetsOneDestinationSettingPerPipeline) {
  json channel = described(create_channel_body(spec(), {}));
  channel["channelClass"] = "STANDARD";  // an adopted channel: two pipelines, two settings per destination
  const json added = with_pushes(channel, {kYouTube});
  const auto& settings = added["destinations"].back()["settings"];
  ASSERT_EQ(settings.size(), 2U);
  EXPECT_EQ(settings[0], settings[1]);
  EXPECT_EQ(settings[0]["streamName"], kYouTube.stream_name);
  EXPECT_EQ(pushes_of(added), (std::vector<RtmpPush>{kYouTube}));
}

TEST(MediaLiveChannelPlan, PushesOfReadsBackWhatWasPlanned) {
  const json channel = described(create_channel_body(spec(), {kYouTube, kTwitch}));
  EXPECT_EQ(pushes_of(channel), (std::vector<RtmpPush>{kYouTube, kTwitch}));
  EXPECT_TRUE(pushes_of(json::object()).empty());
  // A group someone added by hand in the console, pushing to a destination the channel lacks: kept, no URL.
  json odd = channel;
  odd["destinations"] = json::array();
  const auto pushes = pushes_of(odd);
  ASSERT_EQ(pushes.size(), 2U);
  EXPECT_EQ(pushes[0].id, "ds_yt");
  EXPECT_EQ(pushes[0].url, "");
}

}  // namespace
}  // namespace lunora::engine::medialive
