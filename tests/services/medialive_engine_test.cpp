// MediaLiveEngine (engine/medialive/medialive_engine.hpp) against the fake MediaLive: a Lunora channel is
// provisioned, then driven to what is wanted (set before provisioning ends, too), its runs are metered, a
// provisioning refusal is the channel's error, and a closed channel is forgotten. Run by
// tests/integration/test_aws_medialive.py.
#include "engine/medialive/medialive_engine.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "support/medialive_test_support.hpp"

namespace lunora::engine::medialive {
namespace {

using std::chrono::milliseconds;

const RtmpPush kYouTube{"ds_yt", "rtmp://a.rtmp.youtube.com/live2", "yt-key"};

class MediaLiveEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto client = lunora::testing::medialive_test_options();
    ASSERT_TRUE(client.has_value());
    MediaLiveEngine::Options options;
    options.driver.poll_moving = milliseconds(50);
    options.driver.poll_steady = milliseconds(200);
    options.driver.batch_window = milliseconds(300);
    options.rates = {0.6, 1.2};
    auto created = MediaLiveEngine::create(*client, options);
    ASSERT_TRUE(created.ok()) << created.error().message();
    engine_ = std::move(*created);
  }

  static ProvisionRequest srt_request() {
    ProvisionRequest request;
    request.role_arn = "arn:aws:iam::123456789012:role/MediaLiveAccessRole";
    request.input.srt_address = "203.0.113.7";
    request.input.srt_port = 9000;
    request.input.stream_id = "lunora";
    request.hls_s3_url = "s3ssl://bucket/live/index";
    return request;
  }

  MediaLiveEngine::ChannelStatus wait_for(
      const std::string& id, const std::function<bool(const MediaLiveEngine::ChannelStatus&)>& done,
      const char* what) {
    MediaLiveEngine::ChannelStatus seen;
    for (int i = 0; i < 400; ++i) {
      auto status = engine_->status(id);
      if (status) seen = *status;
      if (status && done(*status)) return seen;
      std::this_thread::sleep_for(milliseconds(25));
    }
    ADD_FAILURE() << "timed out waiting for " << what << ": phase " << seen.phase << ", state "
                  << seen.observed.state << ", error " << seen.error << seen.observed.error;
    return seen;
  }

  std::unique_ptr<MediaLiveEngine> engine_;
};

TEST_F(MediaLiveEngineTest, ProvisionsThenRunsWhatIsWantedAndMetersIt) {
  engine_->open_channel("ch_engine", srt_request());
  // Wanted before the resources exist: kept, and handed to the driver once they do.
  engine_->set_desired("ch_engine", {{kYouTube}, true, false});
  auto status = wait_for(
      "ch_engine", [](const auto& s) { return s.phase == "ready" && s.observed.state == "RUNNING"; },
      "the channel to run");
  EXPECT_TRUE(aws::is_medialive_id(status.resources.channel_id));
  EXPECT_TRUE(status.resources.created_channel);
  EXPECT_EQ(status.observed.pushes, std::vector<std::string>{"ds_yt"});
  EXPECT_TRUE(status.cost.running);
  EXPECT_EQ(status.cost.runs, 1);
  EXPECT_EQ(status.cost.billed_minutes, 10);  // the minimum of a start
  // 0.6 + 2 outputs (the push and HLS) × 1.2 = 3 USD an hour, 10 minutes: 0.5.
  EXPECT_NEAR(status.cost.estimated_usd, 0.5, 1e-9);

  engine_->set_desired("ch_engine", {{}, false, false});
  status = wait_for(
      "ch_engine", [](const auto& s) { return s.observed.state == "IDLE" && s.observed.pushes.empty(); },
      "the channel to stop");
  EXPECT_FALSE(status.cost.running);
  EXPECT_EQ(status.cost.runs, 1);

  engine_->close_channel("ch_engine");
  EXPECT_FALSE(engine_->status("ch_engine").has_value());
}

TEST_F(MediaLiveEngineTest, AProvisioningRefusalIsTheChannelsError) {
  ProvisionRequest adopt;
  adopt.channel_id = "4040404";
  engine_->open_channel("ch_missing", adopt);
  const auto status = wait_for(
      "ch_missing", [](const auto& s) { return s.phase == "failed"; }, "the refusal");
  EXPECT_NE(status.error.find("NotFoundException"), std::string::npos) << status.error;
  EXPECT_FALSE(status.cost.running);
}

}  // namespace
}  // namespace lunora::engine::medialive
