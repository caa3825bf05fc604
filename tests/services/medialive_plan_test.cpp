// The MediaLive client and the channel bodies Lunora plans (engine/medialive/channel_plan.hpp) against the
// fake MediaLive (tests/integration/medialive_fake.py: SigV4, every body checked against the official API
// model, IDLE-only updates, one output per RTMP group). Run by tests/integration/test_aws_medialive.py, which
// starts the fake and names it in LUNORA_TEST_MEDIALIVE_URL.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "aws/medialive/medialive_client.hpp"
#include "engine/medialive/channel_plan.hpp"
#include "support/medialive_test_support.hpp"

namespace lunora::aws {
namespace {

using engine::medialive::ChannelSpec;
using engine::medialive::RtmpPush;
using nlohmann::json;

constexpr const char* kRole = "arn:aws:iam::123456789012:role/MediaLiveAccessRole";
const RtmpPush kYouTube{"ds_yt", "rtmp://a.rtmp.youtube.com/live2", "yt-key"};
const RtmpPush kTwitch{"ds_tw", "rtmp://live.twitch.tv/app", "tw-key"};

using Call = std::function<boost::asio::awaitable<AwsOutcome>(const MediaLiveClient&)>;

// A plain function goes into co_spawn (the GCC 12 pitfall of src/api/api_routes.cpp).
boost::asio::awaitable<void> run_into(const MediaLiveClient* client, Call call,
                                      std::optional<AwsOutcome>* out) {
  out->emplace(co_await call(*client));
}

class MediaLivePlan : public lunora::testing::MediaLiveClientTest {
 protected:
  AwsOutcome run(Call call) {
    boost::asio::io_context io;
    std::optional<AwsOutcome> out;
    boost::asio::co_spawn(io, run_into(&*medialive_, std::move(call), &out), boost::asio::detached);
    io.run_for(std::chrono::seconds(20));
    EXPECT_TRUE(out.has_value()) << "the call hung";
    return out ? std::move(*out) : AwsOutcome(AwsError{});
  }

  json ok(const AwsOutcome& outcome) {
    EXPECT_TRUE(outcome.ok()) << (outcome.ok() ? "" : outcome.error().to_error().message());
    return outcome.ok() ? outcome->body : json();
  }

  std::string srt_input() {
    const json body = lunora::testing::srt_input_body();
    return ok(run([body](const MediaLiveClient& c) { return c.create_input(body); }))["input"]["id"];
  }

  json describe(const std::string& id) {
    return ok(run([id](const MediaLiveClient& c) { return c.describe_channel(id); }));
  }

  void wait_state(const std::string& id, const std::string& state) {
    for (int i = 0; i < 200; ++i) {
      if (describe(id)["state"] == state) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "channel " << id << " did not become " << state;
  }
};

TEST_F(MediaLivePlan, PlannedChannelIsAcceptedAndDestinationsChangeWhileIdleOnly) {
  const ChannelSpec spec{"lunora-ch_plan", kRole, srt_input(), "s3ssl://bucket/live/index"};
  const json body = engine::medialive::create_channel_body(spec, {kYouTube});
  const json created = ok(run([body](const MediaLiveClient& c) { return c.create_channel(body); }));
  const std::string id = created["channel"]["id"];
  ASSERT_TRUE(is_medialive_id(id)) << created.dump();
  wait_state(id, "IDLE");

  // Idle: a second destination is one more RTMP output group; the role stays.
  const json added = engine::medialive::with_pushes(describe(id), {kYouTube, kTwitch});
  ok(run([id, added](const MediaLiveClient& c) { return c.update_channel(id, added); }));
  const json after = describe(id);
  EXPECT_EQ(engine::medialive::pushes_of(after), (std::vector<RtmpPush>{kYouTube, kTwitch}));
  EXPECT_EQ(after["roleArn"], kRole);

  // Running: MediaLive refuses any edit (409), so nothing changes until the channel is IDLE again.
  ok(run([id](const MediaLiveClient& c) { return c.start_channel(id); }));
  wait_state(id, "RUNNING");
  const json removed = engine::medialive::with_pushes(describe(id), {kTwitch});
  const AwsOutcome refused =
      run([id, removed](const MediaLiveClient& c) { return c.update_channel(id, removed); });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().http_status, 409);
  EXPECT_EQ(refused.error().code, "ConflictException");
  EXPECT_EQ(engine::medialive::pushes_of(describe(id)).size(), 2U);

  ok(run([id](const MediaLiveClient& c) { return c.stop_channel(id); }));
  wait_state(id, "IDLE");
  ok(run([id, removed](const MediaLiveClient& c) { return c.update_channel(id, removed); }));
  EXPECT_EQ(engine::medialive::pushes_of(describe(id)), (std::vector<RtmpPush>{kTwitch}));
  ok(run([id](const MediaLiveClient& c) { return c.delete_channel(id); }));
}

TEST_F(MediaLivePlan, UpdateWithoutTheDescribedRoleWouldDropIt) {
  // Why update_channel_body() sends roleArn back: an update without it leaves the channel role-less.
  const ChannelSpec spec{"lunora-ch_role", kRole, srt_input(), ""};
  const json body = engine::medialive::create_channel_body(spec, {kYouTube});
  const std::string id =
      ok(run([body](const MediaLiveClient& c) { return c.create_channel(body); }))["channel"]["id"];
  wait_state(id, "IDLE");
  json without_role = engine::medialive::update_channel_body(describe(id));
  EXPECT_EQ(without_role["roleArn"], kRole);
  without_role.erase("roleArn");
  ok(run([id, without_role](const MediaLiveClient& c) { return c.update_channel(id, without_role); }));
  EXPECT_FALSE(describe(id).contains("roleArn") && describe(id)["roleArn"] == kRole);
}

TEST_F(MediaLivePlan, TwoOutputsInOneRtmpGroupAreRefusedWithMediaLivesWords) {
  const ChannelSpec spec{"lunora-ch_two", kRole, srt_input(), ""};
  json body = engine::medialive::create_channel_body(spec, {kYouTube});
  json& outputs = body["encoderSettings"]["outputGroups"][0]["outputs"];
  outputs.push_back(outputs[0]);
  outputs[1]["outputName"] = "rtmp-second";
  const AwsOutcome refused = run([body](const MediaLiveClient& c) { return c.create_channel(body); });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().http_status, 422);
  EXPECT_EQ(refused.error().code, "UnprocessableEntityException");
}

TEST_F(MediaLivePlan, AnIdThatIsNotMediaLivesIsNeverSent) {
  const AwsOutcome refused = run([](const MediaLiveClient& c) { return c.describe_channel("../inputs"); });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().http_status, 0);
  EXPECT_EQ(refused.error().code, "InvalidParameter");
}

}  // namespace
}  // namespace lunora::aws
