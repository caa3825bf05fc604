#include "core/result.hpp"

namespace lunora {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kParse:
      return "parse";
    case ErrorCode::kUnsupportedCodec:
      return "unsupported_codec";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kRefused:
      return "refused";
    case ErrorCode::kTimeout:
      return "timeout";
    case ErrorCode::kDns:
      return "dns";
    case ErrorCode::kTls:
      return "tls";
    case ErrorCode::kPublishRejected:
      return "publish_rejected";
    case ErrorCode::kClosed:
      return "closed";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

}  // namespace lunora
