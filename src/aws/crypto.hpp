// The two primitives SigV4 is built from, on OpenSSL: SHA-256 (payload and canonical request hashes) and
// HMAC-SHA256 (the signing key chain and the signature).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lunora::aws {

// Raw 32-byte digests, held in a std::string because they feed the next HMAC as a key.
std::string sha256(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);

// Lowercase hex, as SigV4 wants it everywhere.
std::string hex_lower(std::string_view bytes);
inline std::string sha256_hex(std::string_view data) {
  return hex_lower(sha256(data));
}

// Standard base64 with padding (RFC 4648 section 4), as AWS's JSON protocols carry binary values (DynamoDB's
// B attributes). Decoding answers nullopt for anything that is not exactly that.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace lunora::aws
