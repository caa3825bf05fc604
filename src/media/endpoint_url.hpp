// The input and output URLs a user writes: rtmp://, rtmps:// and srt://, parsed and validated once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace lunora::media {

struct EndpointUrl {
  enum class Scheme { kRtmp, kRtmps, kSrt };

  Scheme scheme = Scheme::kRtmp;
  std::string host;
  uint16_t port = 0;

  // RTMP(S): rtmp://host[:port]/APP/KEY. APP may have several segments; KEY is the last segment plus any
  // query (Facebook's keys carry "?s_bl=1&..."), so "rtmps://h/rtmp/FB-1?s_bl=1" has app "rtmp", key
  // "FB-1?s_bl=1".
  std::string app;
  std::string stream_key;
  std::string tc_url;  // rtmp[s]://host[:port]/APP, what connect() carries

  // SRT: srt://host:port?mode=listener|caller&passphrase=&streamid=&latency=
  std::string mode = "caller";
  std::string passphrase;
  std::string streamid;
  int latency_ms = -1;  // -1: libsrt's default

  std::string redacted;  // the URL with secrets replaced, for logs and stats

  bool is_rtmp() const { return scheme != Scheme::kSrt; }
};

Result<EndpointUrl> parse_endpoint_url(std::string_view url);

}  // namespace lunora::media
