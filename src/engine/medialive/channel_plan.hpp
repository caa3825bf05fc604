// What Lunora asks MediaLive for (issue 8): the CreateChannel body of a channel, and the UpdateChannel body
// that puts a set of destinations on it. Pure functions over the API's JSON (member names as in the
// medialive-2017-10-14 model), so that `lunora medialive plan` can print exactly what would be sent.
//
// The encodes are the product plan's: one H.264 1080p30 video description `video_1080p` and one AAC stereo
// audio description `audio_aac`, shared by every output. An HLS output group writes to S3 when the channel
// has an HLS URL. Direct mode adds one RTMP output group `rtmp-group-{destination id}` per destination (an
// RTMP group holds exactly one output, MediaLive's rule) and a channel destination `{destination id}`; hybrid
// mode has one fixed RTMP output group `lunora-relay` pushing to a Lunora node's RTMP ingest.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lunora::engine::medialive {

// One RTMP push, as MediaLive's channel destination settings split it.
struct RtmpPush {
  std::string id;           // Lunora's destination id (direct) or "lunora-relay" (hybrid)
  std::string url;          // rtmp[s]://host[:port]/app
  std::string stream_name;  // the stream key
  bool operator==(const RtmpPush&) const = default;
};

struct ChannelSpec {
  std::string name;        // the MediaLive channel's name ("lunora-<channel id>")
  std::string role_arn;    // the IAM role MediaLive assumes (S3 writes, SSM parameters)
  std::string input_id;    // the MediaLive input attached
  std::string hls_s3_url;  // "s3ssl://bucket/path/index" ("" = no HLS output group)
};

inline constexpr const char* kVideoDescription = "video_1080p";
inline constexpr const char* kAudioDescription = "audio_aac";
inline constexpr const char* kRelayId = "lunora-relay";

// CreateChannel body (SINGLE_PIPELINE: one settings entry per channel destination) with `pushes` as RTMP
// output groups.
nlohmann::json create_channel_body(const ChannelSpec& spec, const std::vector<RtmpPush>& pushes);

// The UpdateChannel body that keeps the channel as DescribeChannel answered it: every member UpdateChannel
// takes is sent back, roleArn above all (MediaLive drops the role when it is left out).
nlohmann::json update_channel_body(const nlohmann::json& described);

// update_channel_body() with the RTMP output groups (and their channel destinations) replaced by `pushes`;
// every other output group (HLS) and destination stays as it was.
nlohmann::json with_pushes(const nlohmann::json& described, const std::vector<RtmpPush>& pushes);

// The RTMP pushes a described (or planned) channel has, in output group order. Stream names are in it as
// MediaLive returns them.
std::vector<RtmpPush> pushes_of(const nlohmann::json& channel);

}  // namespace lunora::engine::medialive
