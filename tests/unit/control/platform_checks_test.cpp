// Platform checks (control/platform_checks.hpp): a destination's stream against its platform's figures.
#include "control/platform_checks.hpp"

#include <gtest/gtest.h>

namespace lunora::control {
namespace {

std::vector<std::string> codes(const nlohmann::json& warnings) {
  std::vector<std::string> out;
  for (const auto& warning : warnings) out.push_back(warning["code"].get<std::string>());
  return out;
}

StreamFacts fitting_rendition() {
  StreamFacts stream;
  stream.rendition = true;
  stream.video_codec = "h264";
  stream.audio_codec = "aac";
  stream.video_kbps = 6000;
  stream.audio_kbps = 128;
  stream.keyframe_interval_s = 2;
  stream.width = 1920;
  stream.height = 1080;
  stream.fps = 30;
  return stream;
}

TEST(PlatformChecks, ARenditionThatFitsTwitchHasNoWarning) {
  EXPECT_TRUE(platform_warnings(*find_platform("twitch"), fitting_rendition()).empty());
}

TEST(PlatformChecks, ARenditionAboveTwitchsCapsSaysTheNumbers) {
  StreamFacts stream = fitting_rendition();
  stream.video_kbps = 8000;
  stream.keyframe_interval_s = 4;
  stream.width = 2560;
  stream.height = 1440;
  stream.fps = 120;
  const auto warnings = platform_warnings(*find_platform("twitch"), stream);
  EXPECT_EQ(codes(warnings),
            (std::vector<std::string>{"video_bitrate", "keyframe_interval", "resolution", "frame_rate"}));
  EXPECT_EQ(warnings[0]["limit"], 6000);
  EXPECT_EQ(warnings[0]["actual"], 8000);
  EXPECT_NE(warnings[0]["message"].get<std::string>().find("6000"), std::string::npos);
  EXPECT_NE(warnings[0]["message"].get<std::string>().find("8000"), std::string::npos);
  EXPECT_EQ(warnings[2]["limit"], "1920x1080");
  EXPECT_EQ(warnings[2]["actual"], "2560x1440");
}

TEST(PlatformChecks, FacebooksAudioCap) {
  StreamFacts stream = fitting_rendition();
  stream.audio_kbps = 192;
  const auto warnings = platform_warnings(*find_platform("facebook"), stream);
  ASSERT_EQ(codes(warnings), (std::vector<std::string>{"audio_bitrate"}));
  EXPECT_EQ(warnings[0]["limit"], 128);
  EXPECT_EQ(warnings[0]["actual"], 192);
}

TEST(PlatformChecks, TheInputAsItComesCountsVideoAndAudioTogether) {
  StreamFacts input;
  input.video_codec = "hevc";
  input.audio_codec = "opus";
  input.total_kbps = 6300;           // 6000 of video and some audio: within Twitch's 6000 + its audio share
  input.keyframe_interval_s = 2.04;  // measured: a 2 s GOP
  input.width = 1920;
  input.height = 1080;
  input.fps = 60;
  auto warnings = platform_warnings(*find_platform("twitch"), input);
  EXPECT_EQ(codes(warnings), (std::vector<std::string>{"video_codec", "audio_codec"}));
  EXPECT_EQ(warnings[0]["actual"], "hevc");
  input.video_codec = "h264";
  input.audio_codec = "aac";
  input.total_kbps = 12000;
  warnings = platform_warnings(*find_platform("twitch"), input);
  ASSERT_EQ(codes(warnings), (std::vector<std::string>{"video_bitrate"}));
  EXPECT_EQ(warnings[0]["limit"], 6320);  // 6000 of video + 320 of audio
  EXPECT_EQ(warnings[0]["actual"], 12000);
  EXPECT_TRUE(platform_warnings(*find_platform("youtube"), input).empty());  // YouTube takes far more
}

TEST(PlatformChecks, ACustomServersLimitsAreUnknown) {
  StreamFacts stream = fitting_rendition();
  stream.video_kbps = 40000;
  stream.video_codec = "av1";
  EXPECT_TRUE(platform_warnings(*find_platform("custom"), stream).empty());
}

TEST(PlatformChecks, EverySuggestionFitsItsOwnPlatform) {
  for (const auto& platform : platforms()) {
    const auto& s = platform.suggested_rendition;
    StreamFacts stream;
    stream.rendition = true;
    stream.video_codec = "h264";
    stream.audio_codec = "aac";
    stream.video_kbps = s.video_bitrate_kbps;
    stream.audio_kbps = s.audio_bitrate_kbps;
    stream.keyframe_interval_s = s.keyframe_interval_s;
    stream.width = s.width;
    stream.height = s.height;
    stream.fps = s.fps;
    EXPECT_TRUE(platform_warnings(platform, stream).empty()) << platform.id;
    EXPECT_FALSE(s.name.empty()) << platform.id;
  }
}

}  // namespace
}  // namespace lunora::control
