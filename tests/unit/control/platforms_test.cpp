#include "control/platforms.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "media/endpoint_url.hpp"

namespace lunora::control {
namespace {

TEST(Platforms, AllSixIdsArePresentInOrder) {
  std::vector<std::string> ids;
  for (const Platform& p : platforms()) ids.push_back(p.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"youtube", "twitch", "facebook", "restream", "kick", "custom"}));
  for (const std::string& id : ids) {
    const Platform* p = find_platform(id);
    ASSERT_NE(p, nullptr) << id;
    EXPECT_EQ(p->id, id);
    EXPECT_FALSE(p->name.empty()) << id;
  }
  EXPECT_EQ(find_platform("linkedin"), nullptr);
  EXPECT_EQ(find_platform(""), nullptr);
  EXPECT_EQ(find_platform("YouTube"), nullptr);
}

TEST(Platforms, FacebookIsRtmpsOnly) {
  const Platform* fb = find_platform("facebook");
  ASSERT_NE(fb, nullptr);
  EXPECT_TRUE(fb->rtmp_url.empty());
  EXPECT_TRUE(fb->rtmps_url.starts_with("rtmps://"));
  EXPECT_EQ(fb->default_url, fb->rtmps_url);
  const nlohmann::json j = platform_to_json(*fb);
  EXPECT_TRUE(j["ingest"]["rtmp"].is_null());
  EXPECT_EQ(j["ingest"]["rtmps"], fb->rtmps_url);
}

TEST(Platforms, CustomHasNoUrlsAndNeedsOne) {
  const Platform* custom = find_platform("custom");
  ASSERT_NE(custom, nullptr);
  EXPECT_TRUE(custom->rtmp_url.empty());
  EXPECT_TRUE(custom->rtmps_url.empty());
  EXPECT_TRUE(custom->default_url.empty());
  EXPECT_FALSE(publish_url(*custom, "", "key").ok());
  const nlohmann::json j = platform_to_json(*custom);
  EXPECT_TRUE(j["ingest"]["rtmp"].is_null());
  EXPECT_TRUE(j["ingest"]["rtmps"].is_null());
  EXPECT_TRUE(j["default_url"].is_null());
}

TEST(Platforms, EveryPresetHasAParsableDefaultUrlPreferringRtmps) {
  const std::regex shape(R"(^rtmps?://[A-Za-z0-9.-]+(:[0-9]+)?/[A-Za-z0-9_-]+/?$)");
  for (const Platform& p : platforms()) {
    if (p.id == "custom") continue;
    SCOPED_TRACE(p.id);
    EXPECT_TRUE(std::regex_match(p.default_url, shape)) << p.default_url;
    EXPECT_EQ(p.default_url, p.rtmps_url.empty() ? p.rtmp_url : p.rtmps_url);
    for (const std::string& url : {p.rtmp_url, p.rtmps_url}) {
      if (!url.empty()) {
        EXPECT_TRUE(std::regex_match(url, shape)) << url;
      }
    }
    // What the engine receives parses as rtmp(s)://host/app/key with the preset's host and app.
    auto full = publish_url(p, "", "test-key-3f9a");
    ASSERT_TRUE(full.ok()) << full.error().message();
    auto parsed = media::parse_endpoint_url(*full);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    EXPECT_TRUE(parsed->is_rtmp());
    EXPECT_FALSE(parsed->host.empty());
    EXPECT_FALSE(parsed->app.empty());
    EXPECT_EQ(parsed->stream_key, "test-key-3f9a");
    EXPECT_TRUE(p.stream_key_required);
  }
}

TEST(Platforms, RequirementsAreFilledIn) {
  for (const Platform& p : platforms()) {
    SCOPED_TRACE(p.id);
    const PlatformRequirements& r = p.requirements;
    EXPECT_GT(r.max_video_bitrate_kbps, 0);
    EXPECT_GE(r.max_audio_bitrate_kbps, 0);
    EXPECT_GT(r.keyframe_interval_s, 0);
    EXPECT_LE(r.keyframe_interval_s, 4);
    ASSERT_FALSE(r.video_codecs.empty());
    EXPECT_EQ(r.video_codecs.front(), "h264");
    ASSERT_FALSE(r.audio_codecs.empty());
    EXPECT_EQ(r.audio_codecs.front(), "aac");
    EXPECT_GT(r.max_width, 0);
    EXPECT_GT(r.max_height, 0);
    EXPECT_GT(r.max_fps, 0);
  }
  EXPECT_EQ(find_platform("twitch")->requirements.max_video_bitrate_kbps, 6000);
  EXPECT_EQ(find_platform("facebook")->requirements.max_video_bitrate_kbps, 9000);
  EXPECT_EQ(find_platform("youtube")->requirements.max_video_bitrate_kbps, 51000);
}

TEST(PlatformJson, HasTheDocumentedShape) {
  const nlohmann::json j = platform_to_json(*find_platform("youtube"));
  const std::set<std::string> top = {"id",
                                     "name",
                                     "ingest",
                                     "default_url",
                                     "stream_key_required",
                                     "requirements",
                                     "help_url",
                                     "suggested_rendition"};
  std::set<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.insert(k);
  EXPECT_EQ(keys, top);
  EXPECT_EQ(j["id"], "youtube");
  EXPECT_EQ(j["name"], "YouTube");
  EXPECT_EQ(j["ingest"]["rtmp"], "rtmp://a.rtmp.youtube.com/live2");
  EXPECT_EQ(j["ingest"]["rtmps"], "rtmps://a.rtmps.youtube.com:443/live2");
  EXPECT_EQ(j["default_url"], "rtmps://a.rtmps.youtube.com:443/live2");
  EXPECT_EQ(j["stream_key_required"], true);
  EXPECT_TRUE(j["help_url"].is_string());
  EXPECT_EQ(j["suggested_rendition"]["name"], "youtube-1080p30");
  EXPECT_EQ(j["suggested_rendition"]["video_bitrate_kbps"], 10000);

  const nlohmann::json& r = j["requirements"];
  std::set<std::string> req_keys;
  for (const auto& [k, v] : r.items()) req_keys.insert(k);
  EXPECT_EQ(req_keys, (std::set<std::string>{"max_video_bitrate_kbps", "max_audio_bitrate_kbps",
                                             "keyframe_interval_s", "video_codecs", "audio_codecs",
                                             "max_width", "max_height", "max_fps", "notes"}));
  EXPECT_EQ(r["max_video_bitrate_kbps"], 51000);
  EXPECT_EQ(r["max_audio_bitrate_kbps"], 160);
  EXPECT_DOUBLE_EQ(r["keyframe_interval_s"].get<double>(), 2.0);
  EXPECT_EQ(r["video_codecs"], (nlohmann::json{"h264", "hevc", "av1"}));
  EXPECT_EQ(r["audio_codecs"], (nlohmann::json{"aac", "mp3"}));
  EXPECT_TRUE(r["notes"].is_string());
}

TEST(PlatformPublishUrl, RtmpJoinsBaseAndKey) {
  const Platform& yt = *find_platform("youtube");
  EXPECT_EQ(*publish_url(yt, "", "abcd-efgh"), "rtmps://a.rtmps.youtube.com:443/live2/abcd-efgh");
  EXPECT_EQ(*publish_url(yt, "rtmp://a.rtmp.youtube.com/live2", "abcd-efgh"),
            "rtmp://a.rtmp.youtube.com/live2/abcd-efgh");
  // A base ending in "/" gets no second one (Facebook's app is "rtmp/").
  const Platform& fb = *find_platform("facebook");
  EXPECT_EQ(*publish_url(fb, "", "FB-123?s_bl=1&a=x"),
            "rtmps://live-api-s.facebook.com:443/rtmp/FB-123?s_bl=1&a=x");
  // A query on the base stays at the end, after the key.
  EXPECT_EQ(*publish_url(yt, "rtmp://b.rtmp.youtube.com/live2?backup=1", "k1"),
            "rtmp://b.rtmp.youtube.com/live2/k1?backup=1");
}

TEST(PlatformPublishUrl, KeyRules) {
  const Platform& yt = *find_platform("youtube");
  const auto missing = publish_url(yt, "", "");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(missing.error().message().find("stream key"), std::string::npos);
  // Custom: the key may already be in the URL.
  const Platform& custom = *find_platform("custom");
  EXPECT_EQ(*publish_url(custom, "rtmp://relay.example:1935/live/abc", ""),
            "rtmp://relay.example:1935/live/abc");
  EXPECT_EQ(*publish_url(custom, "rtmp://relay.example/live", "abc"), "rtmp://relay.example/live/abc");
}

TEST(PlatformPublishUrl, SrtAddsStreamidOnlyWhenNeeded) {
  const Platform& custom = *find_platform("custom");
  EXPECT_EQ(*publish_url(custom, "srt://relay.example:9000", "abc"), "srt://relay.example:9000?streamid=abc");
  EXPECT_EQ(*publish_url(custom, "srt://relay.example:9000?latency=200", "abc"),
            "srt://relay.example:9000?latency=200&streamid=abc");
  EXPECT_EQ(*publish_url(custom, "srt://relay.example:9000?", "abc"),
            "srt://relay.example:9000?streamid=abc");
  // No key: unchanged. A streamid already in the URL: unchanged.
  EXPECT_EQ(*publish_url(custom, "srt://relay.example:9000", ""), "srt://relay.example:9000");
  EXPECT_EQ(*publish_url(custom, "srt://relay.example:9000?streamid=own&latency=200", "abc"),
            "srt://relay.example:9000?streamid=own&latency=200");
  EXPECT_EQ(*publish_url(custom, "srt://relay.example:9000?latency=200&streamid=own", "abc"),
            "srt://relay.example:9000?latency=200&streamid=own");
  // A parameter whose name merely contains "streamid" is another parameter.
  EXPECT_EQ(*publish_url(custom, "srt://relay.example:9000?xstreamid=1", "abc"),
            "srt://relay.example:9000?xstreamid=1&streamid=abc");
  // Reserved characters are escaped and come back whole through the URL parser.
  const auto full = publish_url(custom, "srt://relay.example:9000", "#!::r=live/a,m=publish");
  ASSERT_TRUE(full.ok());
  auto parsed = media::parse_endpoint_url(*full);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->streamid, "#!::r=live/a,m=publish");
}

TEST(PlatformPublishUrl, RejectsOtherSchemes) {
  const Platform& custom = *find_platform("custom");
  const auto r = publish_url(custom, "http://example.com/live", "abc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace lunora::control
