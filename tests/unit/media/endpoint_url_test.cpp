#include "media/endpoint_url.hpp"

#include <gtest/gtest.h>

namespace lunora::media {
namespace {

TEST(EndpointUrl, RtmpWithDefaultPort) {
  auto u = parse_endpoint_url("rtmp://a.rtmp.youtube.com/live2/abcd-1234");
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_EQ(u->host, "a.rtmp.youtube.com");
  EXPECT_EQ(u->port, 1935);
  EXPECT_EQ(u->app, "live2");
  EXPECT_EQ(u->stream_key, "abcd-1234");
  EXPECT_EQ(u->tc_url, "rtmp://a.rtmp.youtube.com/live2");
  EXPECT_EQ(u->redacted, "rtmp://a.rtmp.youtube.com/live2/…1234");
}

TEST(EndpointUrl, RtmpsKeyKeepsItsQuery) {
  auto u = parse_endpoint_url("rtmps://live-api-s.facebook.com:443/rtmp/FB-1?s_bl=1&a=x");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, EndpointUrl::Scheme::kRtmps);
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->app, "rtmp");
  EXPECT_EQ(u->stream_key, "FB-1?s_bl=1&a=x");
}

TEST(EndpointUrl, RtmpMultiSegmentApp) {
  auto u = parse_endpoint_url("rtmp://127.0.0.1:1936/live/sub/key");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->app, "live/sub");
  EXPECT_EQ(u->stream_key, "key");
  EXPECT_EQ(u->port, 1936);
}

TEST(EndpointUrl, SrtListenerWithOptions) {
  auto u = parse_endpoint_url(
      "srt://0.0.0.0:9000?mode=listener&passphrase=0123456789ab&latency=200&streamid=%23!::r=k");
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_EQ(u->mode, "listener");
  EXPECT_EQ(u->passphrase, "0123456789ab");
  EXPECT_EQ(u->latency_ms, 200);
  EXPECT_EQ(u->streamid, "#!::r=k");
}

TEST(EndpointUrl, RejectsWithAClearReason) {
  const char* bad[] = {"http://x/a/b",
                       "rtmp://",
                       "rtmp://host/onlyapp",
                       "rtmp://host:99999/a/b",
                       "srt://host",
                       "srt://h:1?mode=x",
                       "srt://h:1?passphrase=short",
                       "srt://h:1?latency=-5",
                       "srt://h:1?bogus=1",
                       "rtmp://host/app/",
                       "no-scheme"};
  for (const char* url : bad) {
    auto u = parse_endpoint_url(url);
    EXPECT_FALSE(u.ok()) << url;
    if (!u.ok()) EXPECT_EQ(u.error().code(), ErrorCode::kInvalidArgument) << url;
  }
}

TEST(EndpointUrl, ErrorsNeverShowSecrets) {
  auto u = parse_endpoint_url("srt://h:1?passphrase=verysecretvalue&bogus=1");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().message().find("verysecret"), std::string::npos) << u.error().message();
}

}  // namespace
}  // namespace lunora::media
