#include "media/endpoint_url.hpp"

#include <charconv>
#include <vector>

#include "core/redact.hpp"

namespace lunora::media {
namespace {

Error invalid(std::string_view url, std::string_view why) {
  return Error(ErrorCode::kInvalidArgument, "invalid URL " + redact_url(url) + ": " + std::string(why));
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc() && p == s.data() + i + 3) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

Status parse_srt_query(std::string_view url, std::string_view query, EndpointUrl& out) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string value = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    if (name == "mode") {
      if (value != "listener" && value != "caller") return invalid(url, "mode must be listener or caller");
      out.mode = value;
    } else if (name == "passphrase") {
      if (value.size() < 10 || value.size() > 79) {
        return invalid(url, "passphrase must be 10 to 79 characters");
      }
      out.passphrase = value;
    } else if (name == "streamid") {
      if (value.size() > 512) return invalid(url, "streamid is longer than 512 characters");
      out.streamid = value;
    } else if (name == "latency") {
      int ms = -1;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
      if (ec != std::errc() || p != value.data() + value.size() || ms < 0 || ms > 60000) {
        return invalid(url, "latency must be milliseconds between 0 and 60000");
      }
      out.latency_ms = ms;
    } else {
      return invalid(url, "unknown SRT option '" + std::string(name) + "'");
    }
  }
  return ok_status();
}

}  // namespace

Result<EndpointUrl> parse_endpoint_url(std::string_view url) {
  EndpointUrl out;
  out.redacted = redact_url(url);
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return invalid(url, "expected rtmp://, rtmps:// or srt://");
  const std::string_view scheme = url.substr(0, scheme_end);
  uint16_t default_port = 0;
  if (scheme == "rtmp") {
    out.scheme = EndpointUrl::Scheme::kRtmp;
    default_port = 1935;
  } else if (scheme == "rtmps") {
    out.scheme = EndpointUrl::Scheme::kRtmps;
    default_port = 443;
  } else if (scheme == "srt") {
    out.scheme = EndpointUrl::Scheme::kSrt;
  } else {
    return invalid(url, "unsupported scheme '" + std::string(scheme) + "' (use rtmp, rtmps or srt)");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const size_t authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);

  std::string_view host = authority;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid(url, "unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return invalid(url, "bad port");
      port_text = authority.substr(close + 2);
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
  }
  if (host.empty()) return invalid(url, "missing host");
  out.host = std::string(host);
  out.port = default_port;
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return invalid(url, "bad port");
    }
    out.port = static_cast<uint16_t>(port);
  }
  if (out.port == 0) return invalid(url, "SRT URLs need a port");

  if (out.scheme == EndpointUrl::Scheme::kSrt) {
    const size_t q = rest.find('?');
    const std::string_view path = rest.substr(0, q);
    if (!path.empty() && path != "/") return invalid(url, "SRT URLs take no path; use ?streamid=");
    if (q != std::string_view::npos) {
      if (auto st = parse_srt_query(url, rest.substr(q + 1), out); !st) return st.error();
    }
    return out;
  }

  // RTMP: /APP/KEY where KEY is the last segment before any query, plus that query.
  const size_t q = rest.find('?');
  const std::string_view path = rest.substr(0, q);
  const size_t last_slash = path.rfind('/');
  if (path.size() < 2 || last_slash == 0 || last_slash == std::string_view::npos) {
    return invalid(url, "expected rtmp://HOST[:PORT]/APP/KEY");
  }
  out.app = std::string(path.substr(1, last_slash - 1));
  out.stream_key = std::string(rest.substr(last_slash + 1));
  if (out.app.empty() || out.stream_key.empty() || out.stream_key.front() == '?') {
    return invalid(url, "expected rtmp://HOST[:PORT]/APP/KEY");
  }
  out.tc_url = std::string(scheme) + "://" + std::string(authority) + "/" + out.app;
  return out;
}

}  // namespace lunora::media
