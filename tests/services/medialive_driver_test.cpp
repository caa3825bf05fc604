// ChannelDriver (engine/medialive/channel_driver.hpp) against the fake MediaLive, with short polls and batch
// window: it starts an idle channel with its pushes, holds a change on a running channel until a restart is
// allowed, makes the changes of one batch window share one restart, and stops the channel and takes its
// pushes off when nothing should run. Run by tests/integration/test_aws_medialive.py.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "aws/medialive/medialive_client.hpp"
#include "engine/medialive/channel_driver.hpp"
#include "support/medialive_test_support.hpp"

namespace lunora::engine::medialive {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

const RtmpPush kYouTube{"ds_yt", "rtmp://a.rtmp.youtube.com/live2", "yt-key"};
const RtmpPush kTwitch{"ds_tw", "rtmp://live.twitch.tv/app", "tw-key"};
const RtmpPush kFacebook{"ds_fb", "rtmps://live-api-s.facebook.com:443/rtmp", "fb-key"};

boost::asio::awaitable<void> run_into(boost::asio::awaitable<aws::AwsOutcome> call,
                                      std::optional<aws::AwsOutcome>* out) {
  out->emplace(co_await std::move(call));
}

class MediaLiveDriver : public lunora::testing::MediaLiveClientTest {
 protected:
  void SetUp() override {
    MediaLiveClientTest::SetUp();
    if (HasFatalFailure()) return;
    thread_ = std::thread([this] { io_.run(); });
  }

  // The driver ends its loop after the call in flight; the io context then runs out of work.
  void TearDown() override {
    if (driver_) driver_->stop();
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }

  // A call on the driver's io_context, waited for here.
  aws::AwsOutcome call(boost::asio::awaitable<aws::AwsOutcome> pending) {
    std::optional<aws::AwsOutcome> out;
    boost::asio::co_spawn(io_, run_into(std::move(pending), &out), boost::asio::detached);
    for (int i = 0; i < 400 && !out; ++i) std::this_thread::sleep_for(milliseconds(25));
    EXPECT_TRUE(out.has_value()) << "the call hung";
    return out ? std::move(*out) : aws::AwsOutcome(aws::AwsError{});
  }

  // An IDLE channel without pushes, and a driver on it.
  void start_driver(ChannelDriver::Options options) {
    auto made_input = call(medialive_->create_input(lunora::testing::srt_input_body()));
    ASSERT_TRUE(made_input.ok()) << made_input.error().to_error().message();
    const ChannelSpec spec{"lunora-driver", "arn:aws:iam::123456789012:role/MediaLiveAccessRole",
                           made_input->body["input"]["id"], "s3ssl://bucket/live/index"};
    auto made = call(medialive_->create_channel(create_channel_body(spec, {})));
    ASSERT_TRUE(made.ok()) << made.error().to_error().message();
    channel_id_ = made->body["channel"]["id"];
    driver_ = ChannelDriver::start(io_.get_executor(), *medialive_, channel_id_, options);
  }

  // Waits until `done` holds for what the driver observes; its last observation otherwise.
  ChannelDriver::Observed wait_for(const std::function<bool(const ChannelDriver::Observed&)>& done,
                                   const char* what) {
    ChannelDriver::Observed seen;
    for (int i = 0; i < 400; ++i) {
      seen = driver_->observed();
      if (done(seen)) return seen;
      std::this_thread::sleep_for(milliseconds(25));
    }
    ADD_FAILURE() << "timed out waiting for " << what << ": state " << seen.state << ", activity "
                  << seen.activity << ", error " << seen.error;
    return seen;
  }

  static ChannelDriver::Options fast() {
    ChannelDriver::Options options;
    options.poll_moving = milliseconds(50);
    options.poll_steady = milliseconds(200);
    options.batch_window = milliseconds(600);
    return options;
  }

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      boost::asio::make_work_guard(io_)};
  std::thread thread_;
  std::string channel_id_;
  std::shared_ptr<ChannelDriver> driver_;
};

std::vector<std::string> ids(std::initializer_list<RtmpPush> pushes) {
  std::vector<std::string> out;
  for (const auto& push : pushes) out.push_back(push.id);
  return out;
}

TEST_F(MediaLiveDriver, StartsWithItsPushesRestartsOncePerBatchAndStopsWhenNothingShouldRun) {
  start_driver(fast());
  driver_->set_desired({{kYouTube}, true, false});
  auto seen = wait_for(
      [](const auto& o) { return o.state == "RUNNING" && o.pushes == ids({kYouTube}) && o.activity.empty(); },
      "the channel to run with YouTube");
  EXPECT_EQ(seen.starts, 1);
  EXPECT_EQ(seen.updates, 1);
  EXPECT_EQ(seen.error, "");

  // Running, no restart allowed: the change waits, and says so.
  driver_->set_desired({{kYouTube, kTwitch}, true, false});
  seen = wait_for([](const auto& o) { return o.restart_pending; }, "the change to wait for a restart");
  EXPECT_EQ(seen.state, "RUNNING");
  EXPECT_EQ(seen.pushes, ids({kYouTube}));

  // Allowed: two changes within the batch window share one restart.
  driver_->set_desired({{kYouTube, kTwitch}, true, true});
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(driver_->observed().state, "RUNNING") << "restarted before the batch window ended";
  EXPECT_EQ(driver_->observed().activity, "restarting");
  driver_->set_desired({{kYouTube, kTwitch, kFacebook}, true, true});
  seen = wait_for(
      [](const auto& o) {
        return o.state == "RUNNING" && o.pushes == ids({kYouTube, kTwitch, kFacebook}) && o.activity.empty();
      },
      "the channel to run again with three pushes");
  EXPECT_EQ(seen.starts, 2);
  EXPECT_EQ(seen.updates, 2);

  // Nothing should run: stopped, and the pushes come off while IDLE.
  driver_->set_desired({{}, false, false});
  seen = wait_for([](const auto& o) { return o.state == "IDLE" && o.pushes.empty() && o.activity.empty(); },
                  "the channel to stop without pushes");
  EXPECT_EQ(seen.starts, 2);
  EXPECT_EQ(seen.updates, 3);
}

TEST_F(MediaLiveDriver, AChangeWantedBackBeforeTheWindowEndsCostsNoRestart) {
  start_driver(fast());
  driver_->set_desired({{kYouTube}, true, true});
  wait_for([](const auto& o) { return o.state == "RUNNING" && o.activity.empty(); }, "the channel to run");
  driver_->set_desired({{kYouTube, kTwitch}, true, true});
  std::this_thread::sleep_for(milliseconds(150));
  driver_->set_desired({{kYouTube}, true, true});
  std::this_thread::sleep_for(milliseconds(1000));
  const auto seen = driver_->observed();
  EXPECT_EQ(seen.state, "RUNNING");
  EXPECT_EQ(seen.starts, 1);
  EXPECT_EQ(seen.activity, "");
}

TEST_F(MediaLiveDriver, ARefusedUpdateIsKeptInAwsWordsAndNotAskedAgain) {
  start_driver(fast());
  // An output group name longer than MediaLive's 32 characters: refused (400, the API model's bound).
  const RtmpPush long_id{"ds_" + std::string(30, 'x'), "rtmp://other.example/live", "k"};
  driver_->set_desired({{long_id}, true, false});
  auto seen = wait_for([](const auto& o) { return !o.error.empty(); }, "the refusal");
  EXPECT_EQ(seen.state, "IDLE");
  EXPECT_EQ(seen.starts, 0);
  EXPECT_NE(seen.error.find("BadRequestException"), std::string::npos) << seen.error;
  // The same wish is not sent again and again.
  std::this_thread::sleep_for(milliseconds(600));
  EXPECT_EQ(driver_->observed().updates, 0);
  EXPECT_EQ(driver_->observed().error, seen.error);
  // Something else wanted: tried at once.
  driver_->set_desired({{kYouTube}, true, false});
  seen =
      wait_for([](const auto& o) { return o.state == "RUNNING" && o.error.empty(); }, "the channel to run");
  EXPECT_EQ(seen.pushes, ids({kYouTube}));
}

}  // namespace
}  // namespace lunora::engine::medialive
