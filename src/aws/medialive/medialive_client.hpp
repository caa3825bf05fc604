// The MediaLive API calls Lunora makes (restJson, paths under /prod as in the service's API model
// `medialive-2017-10-14`). Bodies and answers stay JSON: a channel's encoder settings are a large tree that
// an UpdateChannel must send back whole (channel_plan.hpp builds them), so no typed copy of it is kept here.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "aws/aws_client.hpp"

namespace lunora::aws {

class MediaLiveClient {
 public:
  // `client` signs for "medialive" at the region's MediaLive endpoint (or AWS_ENDPOINT_URL_MEDIALIVE) and
  // must outlive this; `connections` (may be null) is reused across calls, as AwsClient::send says.
  explicit MediaLiveClient(const AwsClient& client, HttpConnectionPool* connections = nullptr)
      : client_(client), connections_(connections) {}

  // Arguments are taken by value: a call is a lazy coroutine that may outlive the caller's temporaries.
  boost::asio::awaitable<AwsOutcome> create_input_security_group(nlohmann::json body) const;
  boost::asio::awaitable<AwsOutcome> create_input(nlohmann::json body) const;
  boost::asio::awaitable<AwsOutcome> describe_input(std::string input_id) const;
  boost::asio::awaitable<AwsOutcome> delete_input(std::string input_id) const;

  boost::asio::awaitable<AwsOutcome> create_channel(nlohmann::json body) const;
  boost::asio::awaitable<AwsOutcome> describe_channel(std::string channel_id) const;
  // MediaLive takes it only while the channel is IDLE (409 ConflictException otherwise), and a body without
  // roleArn leaves the channel without its role: send what update_channel_body() made of DescribeChannel.
  boost::asio::awaitable<AwsOutcome> update_channel(std::string channel_id, nlohmann::json body) const;
  boost::asio::awaitable<AwsOutcome> start_channel(std::string channel_id) const;
  boost::asio::awaitable<AwsOutcome> stop_channel(std::string channel_id) const;
  boost::asio::awaitable<AwsOutcome> delete_channel(std::string channel_id) const;
  // One page (at most 100 channels); the answer's nextToken names the next one.
  boost::asio::awaitable<AwsOutcome> list_channels(std::optional<std::string> next_token) const;

 private:
  boost::asio::awaitable<AwsOutcome> call(AwsRequest request) const;

  const AwsClient& client_;
  HttpConnectionPool* connections_;
};

// Whether a MediaLive id can go into a path as it is (MediaLive's ids are digits): anything else is refused
// before it is sent, so a path can never be built from a caller's "../".
bool is_medialive_id(const std::string& id);

}  // namespace lunora::aws
