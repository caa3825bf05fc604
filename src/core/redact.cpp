#include "core/redact.hpp"

#include <algorithm>

namespace lunora {

std::string stream_key_hint(std::string_view key) {
  if (key.empty()) return "";
  if (key.size() <= 4) return "…";
  return "…" + std::string(key.substr(key.size() - 4));
}

namespace {

// Replaces the value of `name=` in a query string with its hint.
std::string redact_query_param(std::string query, std::string_view name) {
  size_t pos = 0;
  while ((pos = query.find(name, pos)) != std::string::npos) {
    const bool at_start = pos == 0 || query[pos - 1] == '&' || query[pos - 1] == '?';
    const size_t value_start = pos + name.size();
    if (!at_start || value_start >= query.size() || query[value_start] != '=') {
      pos = value_start;
      continue;
    }
    const size_t end = query.find('&', value_start);
    const size_t value_end = end == std::string::npos ? query.size() : end;
    const std::string hint =
        stream_key_hint(std::string_view(query).substr(value_start + 1, value_end - value_start - 1));
    query.replace(value_start + 1, value_end - value_start - 1, hint);
    pos = value_start + 1 + hint.size();
  }
  return query;
}

}  // namespace

std::string redact_url(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const std::string_view scheme = url.substr(0, scheme_end);
  const size_t path_start = url.find('/', scheme_end + 3);
  const size_t query_start = url.find('?', scheme_end + 3);
  if (scheme == "srt") {
    if (query_start == std::string_view::npos) return std::string(url);
    std::string query(url.substr(query_start));
    query = redact_query_param(std::move(query), "passphrase");
    query = redact_query_param(std::move(query), "streamid");
    return std::string(url.substr(0, query_start)) + query;
  }
  if (path_start == std::string_view::npos) return std::string(url);
  // RTMP: the key is the last path segment plus any query (Facebook keys carry "?s_bl=1&...").
  const std::string_view before_query = url.substr(0, std::min(query_start, url.size()));
  const size_t last_slash = before_query.rfind('/');
  if (last_slash == std::string_view::npos || last_slash <= path_start) return std::string(url);
  return std::string(url.substr(0, last_slash + 1)) + stream_key_hint(url.substr(last_slash + 1));
}

}  // namespace lunora
