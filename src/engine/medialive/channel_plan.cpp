#include "engine/medialive/channel_plan.hpp"

#include <algorithm>
#include <string_view>

namespace lunora::engine::medialive {
namespace {

using nlohmann::json;

constexpr std::string_view kRtmpGroupPrefix = "rtmp-group-";
constexpr const char* kHlsDestination = "hls";
constexpr const char* kAudioSelector = "default";

json video_1080p() {
  return {{"name", kVideoDescription},
          {"width", 1920},
          {"height", 1080},
          {"respondToAfd", "NONE"},
          {"scalingBehavior", "DEFAULT"},
          {"sharpness", 50},
          {"codecSettings",
           {{"h264Settings",
             {{"rateControlMode", "CBR"},
              {"bitrate", 6000000},
              {"bufSize", 12000000},
              {"profile", "HIGH"},
              {"level", "H264_LEVEL_4_1"},
              {"framerateControl", "SPECIFIED"},
              {"framerateNumerator", 30},
              {"framerateDenominator", 1},
              // A keyframe every 2 s: what YouTube, Twitch and Facebook ask of an RTMP ingest.
              {"gopSize", 2.0},
              {"gopSizeUnits", "SECONDS"},
              {"gopNumBFrames", 2},
              {"parControl", "SPECIFIED"},
              {"parNumerator", 1},
              {"parDenominator", 1},
              {"scanType", "PROGRESSIVE"}}}}}};
}

json audio_aac() {
  return {{"name", kAudioDescription},
          {"audioSelectorName", kAudioSelector},
          {"audioTypeControl", "FOLLOW_INPUT"},
          {"languageCodeControl", "FOLLOW_INPUT"},
          {"codecSettings",
           {{"aacSettings",
             {{"bitrate", 128000.0},
              {"codingMode", "CODING_MODE_2_0"},
              {"inputType", "NORMAL"},
              {"profile", "LC"},
              {"rateControlMode", "CBR"},
              {"rawFormat", "NONE"},
              {"sampleRate", 48000.0},
              {"spec", "MPEG4"}}}}}};
}

json output_names() {
  return {{"videoDescriptionName", kVideoDescription},
          {"audioDescriptionNames", json::array({kAudioDescription})}};
}

json hls_group() {
  json output = output_names();
  output["outputName"] = "hls_1080p";
  output["outputSettings"] = {
      {"hlsOutputSettings",
       {{"nameModifier", "_1080p"},
        {"hlsSettings",
         {{"standardHlsSettings",
           {{"audioRenditionSets", "program_audio"}, {"m3u8Settings", json::object()}}}}}}}};
  return {{"name", "hls"},
          {"outputGroupSettings",
           {{"hlsGroupSettings",
             {{"destination", {{"destinationRefId", kHlsDestination}}},
              {"segmentLength", 6},
              {"keepSegments", 21},
              {"inputLossAction", "EMIT_OUTPUT"}}}}},
          {"outputs", json::array({output})}};
}

json rtmp_group(const RtmpPush& push) {
  json output = output_names();
  output["outputName"] = "rtmp-" + push.id;
  output["outputSettings"] = {{"rtmpOutputSettings",
                               {{"destination", {{"destinationRefId", push.id}}},
                                {"certificateMode", "VERIFY_AUTHENTICITY"},
                                {"connectionRetryInterval", 2},
                                {"numRetries", 10}}}};
  // An RTMP output group holds exactly one output (MediaLive's encode rules).
  return {{"name", std::string(kRtmpGroupPrefix) + push.id},
          {"outputGroupSettings",
           {{"rtmpGroupSettings",
             {{"authenticationScheme", "COMMON"},
              {"cacheFullBehavior", "DISCONNECT_IMMEDIATELY"},
              {"cacheLength", 30},
              {"restartDelay", 15},
              // Input lost: a slate keeps the platform's session open, as Lunora's own engine does.
              {"inputLossAction", "EMIT_OUTPUT"}}}}},
          {"outputs", json::array({output})}};
}

// One settings entry per pipeline: a STANDARD channel (two pipelines, an adopted one) needs two, and both
// push to the same place.
json rtmp_destination(const RtmpPush& push, int pipelines = 1) {
  json settings = json::array();
  for (int i = 0; i < pipelines; ++i)
    settings.push_back({{"url", push.url}, {"streamName", push.stream_name}});
  return {{"id", push.id}, {"settings", settings}};
}

bool is_rtmp_group(const json& group) {
  return group.contains("outputGroupSettings") && group["outputGroupSettings"].contains("rtmpGroupSettings");
}

// The channel destination an RTMP output group pushes to ("" when it names none).
std::string rtmp_target(const json& group) {
  const json outputs = group.value("outputs", json::array());
  if (outputs.empty()) return {};
  const json settings =
      outputs[0].value("outputSettings", json::object()).value("rtmpOutputSettings", json::object());
  return settings.value("destination", json::object()).value("destinationRefId", "");
}

}  // namespace

json create_channel_body(const ChannelSpec& spec, const std::vector<RtmpPush>& pushes) {
  json groups = json::array();
  json destinations = json::array();
  if (!spec.hls_s3_url.empty()) {
    groups.push_back(hls_group());
    destinations.push_back(
        {{"id", kHlsDestination}, {"settings", json::array({{{"url", spec.hls_s3_url}}})}});
  }
  for (const auto& push : pushes) {
    groups.push_back(rtmp_group(push));
    destinations.push_back(rtmp_destination(push));
  }
  return {{"name", spec.name},
          {"roleArn", spec.role_arn},
          {"channelClass", "SINGLE_PIPELINE"},
          {"inputSpecification", {{"codec", "AVC"}, {"maximumBitrate", "MAX_20_MBPS"}, {"resolution", "HD"}}},
          {"inputAttachments",
           json::array({{{"inputId", spec.input_id},
                         {"inputAttachmentName", "lunora-input"},
                         {"inputSettings",
                          {{"sourceEndBehavior", "CONTINUE"},
                           {"audioSelectors", json::array({{{"name", kAudioSelector}}})}}}}})},
          {"destinations", destinations},
          {"encoderSettings",
           {{"timecodeConfig", {{"source", "SYSTEMCLOCK"}}},
            {"videoDescriptions", json::array({video_1080p()})},
            {"audioDescriptions", json::array({audio_aac()})},
            {"outputGroups", groups}}}};
}

json update_channel_body(const json& described) {
  json body = json::object();
  // Every member of UpdateChannel's request that DescribeChannel returns in the same shape.
  for (const char* member : {"cdiInputSpecification", "destinations", "encoderSettings", "inputAttachments",
                             "inputSpecification", "logLevel", "name", "roleArn"}) {
    if (described.contains(member) && !described[member].is_null()) body[member] = described[member];
  }
  // DescribeChannel's maintenance status also carries read-only fields (the deadline): only the window goes
  // back.
  if (described.contains("maintenance") && described["maintenance"].is_object()) {
    json window = json::object();
    for (const char* member : {"maintenanceDay", "maintenanceStartTime"}) {
      if (described["maintenance"].contains(member)) window[member] = described["maintenance"][member];
    }
    if (!window.empty()) body["maintenance"] = window;
  }
  return body;
}

json with_pushes(const json& described, const std::vector<RtmpPush>& pushes) {
  json body = update_channel_body(described);
  json kept_groups = json::array();
  std::vector<std::string> dropped_destinations;
  for (const auto& group : body["encoderSettings"].value("outputGroups", json::array())) {
    if (is_rtmp_group(group)) {
      dropped_destinations.push_back(rtmp_target(group));
    } else {
      kept_groups.push_back(group);
    }
  }
  json kept_destinations = json::array();
  for (const auto& destination : body.value("destinations", json::array())) {
    const std::string id = destination.value("id", "");
    if (std::find(dropped_destinations.begin(), dropped_destinations.end(), id) ==
        dropped_destinations.end()) {
      kept_destinations.push_back(destination);
    }
  }
  const int pipelines = described.value("channelClass", "") == "STANDARD" ? 2 : 1;
  for (const auto& push : pushes) {
    kept_groups.push_back(rtmp_group(push));
    kept_destinations.push_back(rtmp_destination(push, pipelines));
  }
  body["encoderSettings"]["outputGroups"] = kept_groups;
  body["destinations"] = kept_destinations;
  return body;
}

std::vector<RtmpPush> pushes_of(const json& channel) {
  std::vector<RtmpPush> pushes;
  const json groups = channel.value("encoderSettings", json::object()).value("outputGroups", json::array());
  const json destinations = channel.value("destinations", json::array());
  for (const auto& group : groups) {
    if (!is_rtmp_group(group)) continue;
    RtmpPush push;
    push.id = rtmp_target(group);
    for (const auto& destination : destinations) {
      if (destination.value("id", "") != push.id) continue;
      const json settings = destination.value("settings", json::array());
      if (!settings.empty()) {
        push.url = settings[0].value("url", "");
        push.stream_name = settings[0].value("streamName", "");
      }
    }
    pushes.push_back(std::move(push));
  }
  return pushes;
}

}  // namespace lunora::engine::medialive
