// A channel's `medialive` object (control/medialive_settings.hpp): what a create body may say, what each
// mistake answers (field and message), and that the stored form reads back as the same spec.
#include "control/medialive_settings.hpp"

#include <gtest/gtest.h>

namespace lunora::control {
namespace {

using nlohmann::json;

const char* kRole = "arn:aws:iam::123456789012:role/MediaLiveAccessRole";

json srt_body() {
  return {
      {"mode", "direct"},
      {"role_arn", kRole},
      {"input", {{"type", "SRT_CALLER"}, {"srt_address", "203.0.113.5"}, {"srt_port", 9000}}},
      {"hls", {{"s3_url", "s3ssl://bucket/live/index"}, {"playback_url", "https://cdn.example.com/i.m3u8"}}}};
}

// The field a refusal names ("" when the body was taken).
std::string refused_field(const json& body) {
  engine::MediaLiveSpec spec;
  auto problem = read_medialive_settings(body, spec);
  if (!problem) return "";
  EXPECT_EQ(problem->status, 422);
  EXPECT_FALSE(problem->body["error"]["message"].get<std::string>().empty());
  return problem->body["error"]["field"];
}

TEST(MediaLiveSettings, ReadsADirectSrtCallerChannel) {
  engine::MediaLiveSpec spec;
  ASSERT_FALSE(read_medialive_settings(srt_body(), spec));
  EXPECT_EQ(spec.mode, "direct");
  EXPECT_EQ(spec.role_arn, kRole);
  EXPECT_EQ(spec.input_type, "SRT_CALLER");
  EXPECT_EQ(spec.srt_address, "203.0.113.5");
  EXPECT_EQ(spec.srt_port, 9000);
  EXPECT_EQ(spec.srt_latency_ms, 120);
  EXPECT_EQ(spec.hls_playback_url, "https://cdn.example.com/i.m3u8");
}

TEST(MediaLiveSettings, HybridIsTheDefaultModeAndNeedsNoHls) {
  json body = {{"role_arn", kRole}, {"input", {{"type", "RTMP_PUSH"}, {"rtmp_stream", "live/studio"}}}};
  engine::MediaLiveSpec spec;
  ASSERT_FALSE(read_medialive_settings(body, spec));
  EXPECT_EQ(spec.mode, "hybrid");
  EXPECT_EQ(spec.rtmp_stream, "live/studio");
  EXPECT_EQ(spec.allowed_cidr, "0.0.0.0/0");
}

TEST(MediaLiveSettings, EachMistakeNamesItsField) {
  auto with = [](const char* key, json value) {
    json body = srt_body();
    body[key] = std::move(value);
    return body;
  };
  auto with_input = [](const char* key, json value) {
    json body = srt_body();
    body["input"][key] = std::move(value);
    return body;
  };
  EXPECT_EQ(refused_field(json::array()), "medialive");
  EXPECT_EQ(refused_field(with("mode", "sideways")), "medialive.mode");
  EXPECT_EQ(refused_field(with("colour", "blue")), "medialive.colour");
  EXPECT_EQ(refused_field(with("role_arn", "MediaLiveAccessRole")), "medialive.role_arn");
  EXPECT_EQ(refused_field(with("channel_id", "../inputs")), "medialive.channel_id");
  EXPECT_EQ(refused_field(with("input_id", 42)), "medialive.input_id");
  EXPECT_EQ(refused_field(with("hls", {{"s3_url", "https://bucket"}, {"playback_url", "https://x"}})),
            "medialive.hls.s3_url");
  EXPECT_EQ(refused_field(with("hls", {{"s3_url", "s3://bucket/x"}})), "medialive.hls.playback_url");
  EXPECT_EQ(refused_field(with_input("type", "UDP_PUSH")), "medialive.input.type");
  EXPECT_EQ(refused_field(with_input("srt_port", 70000)), "medialive.input.srt_port");
  EXPECT_EQ(refused_field(with_input("latency_ms", 10)), "medialive.input.latency_ms");

  json no_role = srt_body();
  no_role.erase("role_arn");
  EXPECT_EQ(refused_field(no_role), "medialive.role_arn");
  json no_hls = srt_body();
  no_hls.erase("hls");
  EXPECT_EQ(refused_field(no_hls), "medialive.hls");  // direct: the HLS group is the output that stays
  json no_input = srt_body();
  no_input.erase("input");
  EXPECT_EQ(refused_field(no_input), "medialive.input");

  json push = {{"role_arn", kRole}, {"input", {{"type", "RTMP_PUSH"}}}};
  push["input"]["allowed_cidr"] = "everyone";
  EXPECT_EQ(refused_field(push), "medialive.input.allowed_cidr");
  push["input"]["allowed_cidr"] = "10.0.0.0/33";
  EXPECT_EQ(refused_field(push), "medialive.input.allowed_cidr");
  push["input"].erase("allowed_cidr");
  push["input"]["rtmp_stream"] = "live";
  EXPECT_EQ(refused_field(push), "medialive.input.rtmp_stream");
}

TEST(MediaLiveSettings, AnAdoptedChannelNeedsNeitherRoleNorInputAndTakesNoInput) {
  EXPECT_EQ(refused_field({{"mode", "direct"}, {"channel_id", "1234567"}}), "");
  EXPECT_EQ(refused_field({{"mode", "direct"}, {"channel_id", "1234567"}, {"input", srt_body()["input"]}}),
            "medialive.input");
}

TEST(MediaLiveSettings, TheStoredFormReadsBackAsTheSameSpec) {
  engine::MediaLiveSpec spec;
  ASSERT_FALSE(read_medialive_settings(srt_body(), spec));
  spec.channel_id = "1234567";  // recorded once MediaLive made it
  spec.input_id = "7654321";
  EXPECT_EQ(medialive_settings_from(medialive_settings_json(spec)), spec);

  json push = {
      {"role_arn", kRole},
      {"input", {{"type", "RTMP_PUSH"}, {"rtmp_stream", "a/b"}, {"allowed_cidr", "198.51.100.0/24"}}}};
  engine::MediaLiveSpec hybrid;
  ASSERT_FALSE(read_medialive_settings(push, hybrid));
  EXPECT_EQ(medialive_settings_from(medialive_settings_json(hybrid)), hybrid);
  EXPECT_TRUE(medialive_settings_json(hybrid)["hls"].is_null());
}

}  // namespace
}  // namespace lunora::control
