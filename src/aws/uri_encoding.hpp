// URI handling as SigV4 defines it: percent-encoding of everything but the RFC 3986 unreserved characters,
// with uppercase hex, and the path normalization the non-S3 services expect.
#pragma once

#include <string>
#include <string_view>

namespace lunora::aws {

// Encodes every byte except A-Z a-z 0-9 - _ . ~ ("/" too: callers encode path segments one by one).
std::string uri_encode(std::string_view text);
// Decodes %XX sequences; anything else (a lone '%', '+') is kept as it is, since SigV4 signs what is sent.
std::string percent_decode(std::string_view text);
// RFC 3986 dot-segment removal plus merged duplicate slashes: "//a/./b/../c/" -> "/a/c/". Always absolute.
std::string normalize_path(std::string_view path);
// The path of a canonical request: each segment of `path` URI-encoded, the slashes kept.
std::string encode_path_segments(std::string_view path);

}  // namespace lunora::aws
