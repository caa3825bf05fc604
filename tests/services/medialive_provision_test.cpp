// provision() (engine/medialive/provisioner.hpp) against the fake MediaLive: it creates an SRT_CALLER or
// RTMP_PUSH input and a channel from the plan, a retry finds what the first attempt made (idempotency
// tokens), an adopted channel is used as it is, and a refusal comes back in AWS's words. Run by
// tests/integration/test_aws_medialive.py.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include "engine/medialive/provisioner.hpp"
#include "support/medialive_test_support.hpp"

namespace lunora::engine::medialive {
namespace {

constexpr const char* kRole = "arn:aws:iam::123456789012:role/MediaLiveAccessRole";

boost::asio::awaitable<void> provision_into(const aws::MediaLiveClient* client, ProvisionRequest request,
                                            std::optional<Result<Provisioned>>* out) {
  out->emplace(co_await provision(*client, std::move(request)));
}

class MediaLiveProvision : public lunora::testing::MediaLiveClientTest {
 protected:
  Result<Provisioned> run(ProvisionRequest request) {
    boost::asio::io_context io;
    std::optional<Result<Provisioned>> out;
    boost::asio::co_spawn(io, provision_into(&*medialive_, std::move(request), &out), boost::asio::detached);
    io.run_for(std::chrono::seconds(20));
    if (!out) return Error(ErrorCode::kTimeout, "provision() hung");
    return std::move(*out);
  }

  static ProvisionRequest srt_request(const std::string& lunora_id) {
    ProvisionRequest request;
    request.lunora_channel_id = lunora_id;
    request.role_arn = kRole;
    request.input.type = "SRT_CALLER";
    request.input.srt_address = "203.0.113.7";
    request.input.srt_port = 9000;
    request.input.stream_id = "lunora";
    request.hls_s3_url = "s3ssl://bucket/" + lunora_id + "/index";
    request.pushes = {{"ds_yt", "rtmp://a.rtmp.youtube.com/live2", "yt-key"}};
    return request;
  }
};

TEST_F(MediaLiveProvision, CreatesTheInputAndTheChannelOnceEvenWhenAskedTwice) {
  auto made = run(srt_request("ch_once"));
  ASSERT_TRUE(made.ok()) << made.error().message();
  EXPECT_TRUE(made->created_input);
  EXPECT_TRUE(made->created_channel);
  EXPECT_TRUE(aws::is_medialive_id(made->channel_id));
  EXPECT_TRUE(aws::is_medialive_id(made->input_id));
  // A retry (a lost answer, a restart of Lunora before it saved the ids): the same resources.
  auto again = run(srt_request("ch_once"));
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->channel_id, made->channel_id);
  EXPECT_EQ(again->input_id, made->input_id);
  // Another Lunora channel gets its own.
  auto other = run(srt_request("ch_other"));
  ASSERT_TRUE(other.ok()) << other.error().message();
  EXPECT_NE(other->channel_id, made->channel_id);
}

TEST_F(MediaLiveProvision, RtmpPushGetsASecurityGroupAndTellsWhereToPush) {
  ProvisionRequest request = srt_request("ch_push");
  request.input.type = "RTMP_PUSH";
  request.input.rtmp_stream = "live/ch_push";
  auto made = run(request);
  ASSERT_TRUE(made.ok()) << made.error().message();
  ASSERT_EQ(made->input_urls.size(), 1U);
  EXPECT_TRUE(made->input_urls[0].starts_with("rtmp://")) << made->input_urls[0];
  EXPECT_TRUE(made->input_urls[0].ends_with(":1935/live/ch_push")) << made->input_urls[0];
}

TEST_F(MediaLiveProvision, AnAdoptedChannelIsUsedAsItIs) {
  auto made = run(srt_request("ch_adopt_source"));
  ASSERT_TRUE(made.ok()) << made.error().message();
  ProvisionRequest adopt;
  adopt.lunora_channel_id = "ch_adopt";
  adopt.channel_id = made->channel_id;
  auto adopted = run(adopt);
  ASSERT_TRUE(adopted.ok()) << adopted.error().message();
  EXPECT_EQ(adopted->channel_id, made->channel_id);
  EXPECT_EQ(adopted->input_id, made->input_id);
  EXPECT_FALSE(adopted->created_channel);
  EXPECT_FALSE(adopted->created_input);
}

TEST_F(MediaLiveProvision, RefusalsComeBackInAwsWords) {
  ProvisionRequest adopt;
  adopt.lunora_channel_id = "ch_missing";
  adopt.channel_id = "4040404";
  auto missing = run(adopt);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("adopting MediaLive channel 4040404: NotFoundException"),
            std::string::npos)
      << missing.error().message();

  ProvisionRequest bad_type = srt_request("ch_bad_type");
  bad_type.input.type = "UDP_PUSH";
  auto refused = run(bad_type);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);

  ProvisionRequest bad_stream = srt_request("ch_bad_stream");
  bad_stream.input.type = "RTMP_PUSH";
  bad_stream.input.rtmp_stream = "nostream";  // MediaLive wants "app/instance"
  auto bad = run(bad_stream);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("creating the MediaLive input: BadRequestException"),
            std::string::npos)
      << bad.error().message();
}

}  // namespace
}  // namespace lunora::engine::medialive
