// Secrets at rest (stream keys, SRT passphrases): sealed with libsodium's secretbox (XSalsa20-Poly1305) under
// a key kept in <data-dir>/secret.key (0600) or LUNORA_SECRET_KEY, so a copied database alone reveals
// nothing.
#pragma once

#include <array>
#include <string>

#include "core/result.hpp"

namespace lunora::control {

class SecretBox {
 public:
  static constexpr size_t kKeyBytes = 32;

  // Reads the key from `key_file`, creating it (random, mode 0600) when missing. `env_key`, when not empty,
  // wins: 64 hex characters or base64 of 32 bytes.
  static Result<SecretBox> load(const std::string& key_file, const std::string& env_key);
  static SecretBox from_key(const std::array<unsigned char, kKeyBytes>& key);

  // base64(nonce || ciphertext); "" stays "".
  std::string seal(const std::string& plain) const;
  // An error when the value was sealed under another key or altered.
  Result<std::string> open(const std::string& sealed) const;

 private:
  std::array<unsigned char, kKeyBytes> key_{};
};

// Random URL-safe token of `bytes` random bytes (base64url without padding).
std::string random_token(size_t bytes);
// Hex SHA-256, for the admin token (a random token needs no slow hash) .
std::string sha256_hex(const std::string& text);
// Constant-time comparison of two strings.
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace lunora::control
