#include "aws/aws_error.hpp"

#include <nlohmann/json.hpp>

namespace lunora::aws {

namespace {

constexpr size_t kMaxPlainMessage = 200;  // of a non-JSON body: enough to recognise a proxy's error page

std::string string_field(const nlohmann::json& body, std::string_view name) {
  const auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool is_not_found(std::string_view code) {
  return code == "ResourceNotFoundException" || code == "NotFoundException";
}

}  // namespace

std::string sanitize_error_code(std::string_view raw) {
  // The header may append ":<documentation url>"; the body's __type may prefix "<namespace>#".
  if (const size_t colon = raw.find(':'); colon != std::string_view::npos) raw = raw.substr(0, colon);
  if (const size_t hash = raw.rfind('#'); hash != std::string_view::npos) raw = raw.substr(hash + 1);
  while (!raw.empty() && raw.front() == ' ') raw.remove_prefix(1);
  while (!raw.empty() && raw.back() == ' ') raw.remove_suffix(1);
  return std::string(raw);
}

AwsError parse_aws_error(int http_status, std::string_view error_type_header, std::string_view request_id,
                         std::string_view body) {
  AwsError error;
  error.http_status = http_status;
  error.request_id = std::string(request_id);
  error.code = sanitize_error_code(error_type_header);
  // Never throws: a malformed body is a discarded value.
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object()) {
    if (error.code.empty()) error.code = sanitize_error_code(string_field(json, "code"));
    if (error.code.empty()) error.code = sanitize_error_code(string_field(json, "__type"));
    error.message = string_field(json, "message");
    if (error.message.empty()) error.message = string_field(json, "Message");
  } else if (!body.empty()) {
    error.message = std::string(body.substr(0, kMaxPlainMessage));
  }
  if (error.code.empty()) error.code = "Http" + std::to_string(http_status);
  return error;
}

AwsError transport_error(const Error& error) {
  AwsError out;
  out.transport = error.code();
  out.message = error.message();
  switch (error.code()) {
    case ErrorCode::kTimeout:
      out.code = kTimeoutCode;
      break;
    case ErrorCode::kTls:
      out.code = kTlsCode;
      break;
    case ErrorCode::kDns:
      out.code = kDnsCode;
      break;
    default:
      out.code = kConnectionCode;
  }
  return out;
}

Error AwsError::to_error() const {
  std::string text = code;
  if (!message.empty()) text += ": " + message;
  if (http_status != 0) {
    text += " (HTTP " + std::to_string(http_status);
    if (!request_id.empty()) text += ", request id " + request_id;
    text += ")";
  }
  if (attempts > 1) text += " after " + std::to_string(attempts) + " attempts";
  ErrorCode kind = ErrorCode::kInternal;
  if (http_status == 0) {
    kind = transport;
  } else if (code == "ConditionalCheckFailedException" || code == "TransactionConflictException" ||
             code == "ConflictException") {
    kind = ErrorCode::kConflict;
  } else if (is_not_found(code)) {
    kind = ErrorCode::kNotFound;
  } else if (http_status >= 400 && http_status < 500 && !retryable) {
    kind = ErrorCode::kInvalidArgument;
  } else {
    kind = ErrorCode::kIo;
  }
  return Error(kind, std::move(text));
}

}  // namespace lunora::aws
