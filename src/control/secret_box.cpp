#include "control/secret_box.hpp"

#include <fcntl.h>
#include <openssl/sha.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace lunora::control {
namespace {

bool init_sodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string to_base64(const unsigned char* data, size_t size, int variant) {
  std::string out(sodium_base64_encoded_len(size, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, variant);
  out.resize(out.find('\0'));
  return out;
}

bool from_base64(const std::string& text, std::vector<unsigned char>& out, int variant) {
  out.assign(text.size(), 0);
  size_t length = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, nullptr,
                        variant) != 0) {
    return false;
  }
  out.resize(length);
  return true;
}

Result<std::array<unsigned char, SecretBox::kKeyBytes>> parse_key(const std::string& text) {
  std::array<unsigned char, SecretBox::kKeyBytes> key{};
  size_t length = 0;
  if (text.size() == 2 * key.size() &&
      sodium_hex2bin(key.data(), key.size(), text.data(), text.size(), nullptr, &length, nullptr) == 0 &&
      length == key.size()) {
    return key;
  }
  std::vector<unsigned char> bytes;
  if (from_base64(text, bytes, sodium_base64_VARIANT_ORIGINAL) && bytes.size() == key.size()) {
    std::copy(bytes.begin(), bytes.end(), key.begin());
    return key;
  }
  return Error(ErrorCode::kInvalidArgument,
               "secret key: expected 64 hex characters or the base64 of 32 bytes");
}

}  // namespace

Result<SecretBox> SecretBox::load(const std::string& key_file, const std::string& env_key) {
  if (!init_sodium()) return Error(ErrorCode::kInternal, "libsodium failed to initialise");
  if (!env_key.empty()) {
    auto key = parse_key(env_key);
    if (!key) return key.error().wrap("LUNORA_SECRET_KEY");
    return from_key(*key);
  }
  std::ifstream in(key_file);
  if (in) {
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
      text.pop_back();
    auto key = parse_key(text);
    if (!key) return key.error().wrap(key_file);
    return from_key(*key);
  }
  std::array<unsigned char, kKeyBytes> key{};
  randombytes_buf(key.data(), key.size());
  const int fd = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Error(ErrorCode::kIo, "cannot create " + key_file + ": " + std::strerror(errno));
  std::string hex(2 * key.size() + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), key.data(), key.size());
  hex.back() = '\n';
  const bool written = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) {
    std::remove(key_file.c_str());
    return Error(ErrorCode::kIo, "cannot write " + key_file + " (disk full?)");
  }
  return from_key(key);
}

SecretBox SecretBox::from_key(const std::array<unsigned char, kKeyBytes>& key) {
  init_sodium();
  SecretBox box;
  box.key_ = key;
  return box;
}

std::string SecretBox::seal(const std::string& plain) const {
  if (plain.empty()) return {};
  std::vector<unsigned char> out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size());
  randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), out.data(),
                        key_.data());
  return to_base64(out.data(), out.size(), sodium_base64_VARIANT_ORIGINAL);
}

Result<std::string> SecretBox::open(const std::string& sealed) const {
  if (sealed.empty()) return std::string();
  std::vector<unsigned char> bytes;
  if (!from_base64(sealed, bytes, sodium_base64_VARIANT_ORIGINAL) ||
      bytes.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return Error(ErrorCode::kParse, "sealed secret is not valid base64 of a sealed box");
  }
  std::string plain(bytes.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(
          reinterpret_cast<unsigned char*>(plain.data()), bytes.data() + crypto_secretbox_NONCEBYTES,
          bytes.size() - crypto_secretbox_NONCEBYTES, bytes.data(), key_.data()) != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "a stored secret does not open with this secret key (was secret.key replaced?)");
  }
  return plain;
}

std::string random_token(size_t bytes) {
  init_sodium();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  return to_base64(raw.data(), raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::string sha256_hex(const std::string& text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  std::string hex(2 * digest.size() + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

bool constant_time_equal(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace lunora::control
