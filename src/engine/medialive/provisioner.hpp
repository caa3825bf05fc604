// Finds or makes the MediaLive resources a Lunora channel on MediaLive needs (issue 8): its input and its
// channel. A channel given by id is adopted as it is (its input is the one attached); otherwise Lunora
// creates the input (an SRT_CALLER pull input, or an RTMP_PUSH input with its own input security group) and
// the channel (channel_plan.hpp). The creates carry idempotency tokens derived from the Lunora channel's id,
// so a retry after a lost answer, or after a restart of Lunora, finds what the first attempt made instead of
// making a second one.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "aws/medialive/medialive_client.hpp"
#include "core/result.hpp"
#include "engine/medialive/channel_plan.hpp"

namespace lunora::engine::medialive {

struct InputSettings {
  std::string type = "SRT_CALLER";  // "SRT_CALLER" | "RTMP_PUSH"
  // SRT_CALLER: MediaLive calls the encoder's (or Lunora's) SRT listener.
  std::string srt_address;
  int srt_port = 0;
  std::string stream_id;
  int latency_ms = 120;
  // RTMP_PUSH: the encoder pushes to MediaLive at rtmp://<input ip>:1935/<app>/<instance>.
  std::string rtmp_stream = "live/lunora";  // "app/instance"
  std::string allowed_cidr = "0.0.0.0/0";   // who may push (the input security group's rule)
};

struct ProvisionRequest {
  std::string lunora_channel_id;  // names the resources and their idempotency tokens
  std::string channel_id;         // adopt this MediaLive channel ("" = create one)
  std::string input_id;           // use this input ("" = create one, unless the channel is adopted)
  std::string role_arn;
  InputSettings input;
  std::string hls_s3_url;        // "" = no HLS output group
  std::vector<RtmpPush> pushes;  // the channel's first RTMP outputs (hybrid: the relay to Lunora)
};

struct Provisioned {
  std::string channel_id;
  std::string input_id;
  std::vector<std::string> input_urls;  // RTMP_PUSH: where the encoder pushes
  bool created_channel = false;
  bool created_input = false;
};

boost::asio::awaitable<Result<Provisioned>> provision(const aws::MediaLiveClient& client,
                                                      ProvisionRequest request);

}  // namespace lunora::engine::medialive
