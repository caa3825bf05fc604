// A destination's publish URL as a MediaLive RTMP output (engine/engine_router.hpp: rtmp_push_of): the URL
// up to the last '/', the stream key after it; only what MediaLive's RTMP output pushes to.
#include <gtest/gtest.h>

#include "engine/engine_router.hpp"

namespace lunora::engine {
namespace {

TEST(MediaLivePushUrl, SplitsTheStreamKeyOff) {
  auto push = rtmp_push_of("d_1", "rtmp://a.rtmp.youtube.com/live2/abcd-efgh");
  ASSERT_TRUE(push) << push.error().message();
  EXPECT_EQ(push->id, "d_1");
  EXPECT_EQ(push->url, "rtmp://a.rtmp.youtube.com/live2");
  EXPECT_EQ(push->stream_name, "abcd-efgh");

  auto rtmps = rtmp_push_of("d_2", "rtmps://live-api-s.facebook.com:443/rtmp/FB-123?s_bl=1");
  ASSERT_TRUE(rtmps);
  EXPECT_EQ(rtmps->url, "rtmps://live-api-s.facebook.com:443/rtmp");
  EXPECT_EQ(rtmps->stream_name, "FB-123?s_bl=1");
}

TEST(MediaLivePushUrl, RefusesWhatMediaLiveCannotPushTo) {
  EXPECT_FALSE(rtmp_push_of("d", "srt://127.0.0.1:9000?streamid=x"));
  EXPECT_FALSE(rtmp_push_of("d", "rtmp://host-only"));
  EXPECT_FALSE(rtmp_push_of("d", "rtmp://host/app/"));
  EXPECT_FALSE(rtmp_push_of("d", "http://host/app/key"));
  EXPECT_TRUE(validate_medialive_output_url("rtmp://host:1935/app/key"));
  EXPECT_FALSE(validate_medialive_output_url("srt://host:9000"));
}

}  // namespace
}  // namespace lunora::engine
