#include "aws/credentials.hpp"

#include "core/redact.hpp"

namespace lunora::aws {

std::string Credentials::redacted_description() const {
  std::string out = "access key " + stream_key_hint(access_key_id);
  if (!session_token.empty()) out += " with a session token";
  if (!source.empty()) out += " from " + source;
  return out;
}

}  // namespace lunora::aws
