// Errors are values at module boundaries (DESIGN.md): a code a program can switch on, a message a person can
// read, and a context chain added by each layer it crosses ("rtmp push to twitch: publish: ...").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace lunora {

enum class ErrorCode {
  kInvalidArgument,   // bad flag, URL or request field
  kParse,             // malformed bytes from a peer
  kUnsupportedCodec,  // a codec the wire format cannot carry
  kIo,                // socket or file error
  kRefused,           // connection refused
  kTimeout,           // connect, handshake, read or write timeout
  kDns,               // name did not resolve
  kTls,               // TLS handshake or certificate failure
  kPublishRejected,   // the server refused the stream (wrong key, wrong app)
  kClosed,            // the peer closed the connection
  kNotFound,          // no such record
  kConflict,          // the record changed meanwhile, or the request clashes with its state
  kInternal,
};

std::string_view error_code_name(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes the message with the layer's context, keeping the code.
  Error wrap(std::string_view context) const& { return Error(code_, std::string(context) + ": " + message_); }

 private:
  ErrorCode code_;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() {
  return Ok{};
}

}  // namespace lunora
