#include "aws/medialive/medialive_client.hpp"

#include <algorithm>
#include <cctype>

namespace lunora::aws {
namespace {

constexpr const char* kChannels = "/prod/channels";
constexpr const char* kInputs = "/prod/inputs";

AwsError bad_id(const std::string& what, const std::string& id) {
  AwsError error;
  error.code = "InvalidParameter";
  error.message = what + " id \"" + id + "\" is not a MediaLive id (digits)";
  error.transport = ErrorCode::kInvalidArgument;
  return error;
}

}  // namespace

bool is_medialive_id(const std::string& id) {
  return !id.empty() && id.size() <= 32 &&
         std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

boost::asio::awaitable<AwsOutcome> MediaLiveClient::call(AwsRequest request) const {
  co_return co_await client_.send(std::move(request), connections_);
}

boost::asio::awaitable<AwsOutcome> MediaLiveClient::create_input_security_group(nlohmann::json body) const {
  co_return co_await call(rest_json_request("POST", "/prod/inputSecurityGroups", body));
}

boost::asio::awaitable<AwsOutcome> MediaLiveClient::create_input(nlohmann::json body) const {
  co_return co_await call(rest_json_request("POST", kInputs, body));
}

boost::asio::awaitable<AwsOutcome> MediaLiveClient::describe_input(std::string input_id) const {
  if (!is_medialive_id(input_id)) co_return bad_id("input", input_id);
  co_return co_await call(rest_json_request("GET", std::string(kInputs) + "/" + input_id));
}

boost::asio::awaitable<AwsOutcome> MediaLiveClient::delete_input(std::string input_id) const {
  if (!is_medialive_id(input_id)) co_return bad_id("input", input_id);
  co_return co_await call(rest_json_request("DELETE", std::string(kInputs) + "/" + input_id));
}

boost::asio::awaitable<AwsOutcome> MediaLiveClient::create_channel(nlohmann::json body) const {
  co_return co_await call(rest_json_request("POST", kChannels, body));
}

boost::asio::awaitable<AwsOutcome> MediaLiveClient::describe_channel(std::string channel_id) const {
  if (!is_medialive_id(channel_id)) co_return bad_id("channel", channel_id);
  co_return co_await call(rest_json_request("GET", std::string(kChannels) + "/" + channel_id));
}

boost::asio::awaitable<AwsOutcome> MediaLiveClient::update_channel(std::string channel_id,
                                                                   nlohmann::json body) const {
  if (!is_medialive_id(channel_id)) co_return bad_id("channel", channel_id);
  co_return co_await call(rest_json_request("PUT", std::string(kChannels) + "/" + channel_id, body));
}

boost::asio::awaitable<AwsOutcome> MediaLiveClient::start_channel(std::string channel_id) const {
  if (!is_medialive_id(channel_id)) co_return bad_id("channel", channel_id);
  co_return co_await call(rest_json_request("POST", std::string(kChannels) + "/" + channel_id + "/start"));
}

boost::asio::awaitable<AwsOutcome> MediaLiveClient::stop_channel(std::string channel_id) const {
  if (!is_medialive_id(channel_id)) co_return bad_id("channel", channel_id);
  co_return co_await call(rest_json_request("POST", std::string(kChannels) + "/" + channel_id + "/stop"));
}

boost::asio::awaitable<AwsOutcome> MediaLiveClient::delete_channel(std::string channel_id) const {
  if (!is_medialive_id(channel_id)) co_return bad_id("channel", channel_id);
  co_return co_await call(rest_json_request("DELETE", std::string(kChannels) + "/" + channel_id));
}

boost::asio::awaitable<AwsOutcome> MediaLiveClient::list_channels(
    std::optional<std::string> next_token) const {
  AwsRequest request = rest_json_request("GET", kChannels);
  request.query.emplace_back("maxResults", "100");
  if (next_token) request.query.emplace_back("nextToken", *next_token);
  co_return co_await call(std::move(request));
}

}  // namespace lunora::aws
