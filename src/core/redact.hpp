// Stream keys are secrets: nothing that logs or reports a URL may show one whole (DESIGN.md "Security").
#pragma once

#include <string>
#include <string_view>

namespace lunora {

// "…3f9a": the last four characters of a key, enough to tell two keys apart.
std::string stream_key_hint(std::string_view key);
// A URL with its stream key (the last path segment and any query), passphrase= and streamid= values replaced
// by their hints: "rtmp://a.rtmp.youtube.com/live2/…3f9a".
std::string redact_url(std::string_view url);

}  // namespace lunora
