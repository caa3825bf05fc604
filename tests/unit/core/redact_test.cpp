#include "core/redact.hpp"

#include <gtest/gtest.h>

namespace lunora {
namespace {

TEST(Redact, KeepsOnlyTheLastFourCharactersOfAKey) {
  EXPECT_EQ(stream_key_hint("abcd-efgh-3f9a"), "…3f9a");
  EXPECT_EQ(stream_key_hint("abc"), "…");
  EXPECT_EQ(stream_key_hint(""), "");
}

TEST(Redact, RtmpUrlLosesItsKey) {
  EXPECT_EQ(redact_url("rtmp://a.rtmp.youtube.com/live2/xxxx-yyyy-zzzz-3f9a"),
            "rtmp://a.rtmp.youtube.com/live2/…3f9a");
  EXPECT_EQ(redact_url("rtmps://live-api-s.facebook.com:443/rtmp/FB-123?s_bl=1&a=secret9876"),
            "rtmps://live-api-s.facebook.com:443/rtmp/…9876");
}

TEST(Redact, SrtUrlLosesPassphraseAndStreamid) {
  EXPECT_EQ(redact_url("srt://h:9000?mode=caller&passphrase=supersecret123&latency=200"),
            "srt://h:9000?mode=caller&passphrase=…t123&latency=200");
  EXPECT_EQ(redact_url("srt://h:9000?streamid=publish:key-5678"), "srt://h:9000?streamid=…5678");
  EXPECT_EQ(redact_url("srt://h:9000"), "srt://h:9000");
}

}  // namespace
}  // namespace lunora
