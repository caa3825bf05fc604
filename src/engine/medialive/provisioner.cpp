#include "engine/medialive/provisioner.hpp"

#include <spdlog/spdlog.h>

namespace lunora::engine::medialive {
namespace {

using nlohmann::json;

Error refused(const std::string& what, const aws::AwsError& error) {
  return error.to_error().wrap(what);
}

json srt_input_body(const ProvisionRequest& request) {
  json source = json::object();
  source["srtListenerAddress"] = request.input.srt_address;
  source["srtListenerPort"] = std::to_string(request.input.srt_port);
  source["streamId"] = request.input.stream_id;
  source["minimumLatency"] = request.input.latency_ms;
  json body = json::object();
  body["srtSettings"]["srtCallerSources"] = json::array({source});
  return body;
}

json rtmp_input_body(const ProvisionRequest& request, const std::string& security_group) {
  json body = json::object();
  body["inputSecurityGroups"] = json::array({security_group});
  body["destinations"] = json::array({{{"streamName", request.input.rtmp_stream}}});
  return body;
}

std::vector<std::string> input_urls(const json& input) {
  std::vector<std::string> urls;
  for (const auto& destination : input.value("destinations", json::array())) {
    if (destination.contains("url")) urls.push_back(destination["url"]);
  }
  return urls;
}

// Built outside the coroutine: GCC 12 mishandles braced JSON initializer lists in coroutine bodies.
json security_group_body(const ProvisionRequest& request) {
  return {{"whitelistRules", json::array({{{"cidr", request.input.allowed_cidr}}})},
          {"tags", {{"lunora:channel", request.lunora_channel_id}}}};
}

json channel_body(const ProvisionRequest& request, const std::string& name, const std::string& input_id) {
  json body = create_channel_body({name, request.role_arn, input_id, request.hls_s3_url}, request.pushes);
  body["requestId"] = name + "-channel";
  return body;
}

// The input attached to an adopted channel (the first attachment).
std::string attached_input(const json& channel) {
  const json attachments = channel.value("inputAttachments", json::array());
  return attachments.empty() ? std::string() : attachments[0].value("inputId", "");
}

}  // namespace

boost::asio::awaitable<Result<Provisioned>> provision(const aws::MediaLiveClient& client,
                                                      ProvisionRequest request) {
  Provisioned made;
  if (!request.channel_id.empty()) {
    aws::AwsOutcome described = co_await client.describe_channel(request.channel_id);
    if (!described.ok())
      co_return refused("adopting MediaLive channel " + request.channel_id, described.error());
    made.channel_id = request.channel_id;
    made.input_id = attached_input(described->body);
    co_return made;
  }
  const std::string name = "lunora-" + request.lunora_channel_id;
  made.input_id = request.input_id;
  if (made.input_id.empty()) {
    json body;
    if (request.input.type == "RTMP_PUSH") {
      // Not idempotent in MediaLive's API (no token): a lost answer can leave one unused group behind.
      const json group = security_group_body(request);
      aws::AwsOutcome created_group = co_await client.create_input_security_group(group);
      if (!created_group.ok()) co_return refused("creating the input security group", created_group.error());
      body = rtmp_input_body(request, created_group->body["securityGroup"].value("id", ""));
    } else if (request.input.type == "SRT_CALLER") {
      body = srt_input_body(request);
    } else {
      co_return Error(ErrorCode::kInvalidArgument,
                      "MediaLive input type " + request.input.type + ": expected SRT_CALLER or RTMP_PUSH");
    }
    body["name"] = name;
    body["type"] = request.input.type;
    body["requestId"] = name + "-input";
    aws::AwsOutcome created_input = co_await client.create_input(body);
    if (!created_input.ok()) co_return refused("creating the MediaLive input", created_input.error());
    made.input_id = created_input->body["input"].value("id", "");
    made.input_urls = input_urls(created_input->body["input"]);
    made.created_input = true;
    spdlog::info("event=medialive_input_created channel={} input={} type={}", request.lunora_channel_id,
                 made.input_id, request.input.type);
  }
  const json channel = channel_body(request, name, made.input_id);
  aws::AwsOutcome created_channel = co_await client.create_channel(channel);
  if (!created_channel.ok()) co_return refused("creating the MediaLive channel", created_channel.error());
  made.channel_id = created_channel->body["channel"].value("id", "");
  made.created_channel = true;
  spdlog::info("event=medialive_channel_created channel={} medialive_channel={}", request.lunora_channel_id,
               made.channel_id);
  co_return made;
}

}  // namespace lunora::engine::medialive
