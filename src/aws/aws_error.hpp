// An error from an AWS call, as a value: what the service said (HTTP status, error code, message, request id)
// or why no answer came (connection, TLS, timeout), and whether trying again can help.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace lunora::aws {

struct AwsError {
  int http_status = 0;  // 0 when no HTTP response arrived (connection, TLS or timeout failure)
  // The service's code, intact ("ConditionalCheckFailedException"); for failures without a response one of
  // kTimeoutCode, kConnectionCode, kTlsCode, kDnsCode.
  std::string code;
  std::string message;
  std::string request_id;  // x-amzn-RequestId: what AWS support asks for
  // Of a kind the retry policy retries (throttling, transient): a call still ends with one when its attempts
  // or its deadline ran out.
  bool retryable = false;
  int attempts = 1;  // how many attempts the call made before giving up
  // For failures without a response: the transport's classification (timeout, refused, closed, DNS, TLS).
  ErrorCode transport = ErrorCode::kInternal;

  // "ConditionalCheckFailedException: The conditional request failed (HTTP 400, request id ABC)", with a
  // core code a caller can switch on (conflict, not found, timeout, ...).
  Error to_error() const;
};

inline constexpr std::string_view kTimeoutCode = "RequestTimeout";
inline constexpr std::string_view kConnectionCode = "ConnectionError";
inline constexpr std::string_view kTlsCode = "TlsError";
inline constexpr std::string_view kDnsCode = "DnsError";

// "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException" and the x-amzn-ErrorType form
// "ValidationException:http://internal.amazon.com/coral/..." both become the bare code.
std::string sanitize_error_code(std::string_view raw);

// The error of an HTTP response with a status of 300 or more, from the awsJson (DynamoDB) or restJson
// (MediaLive) protocol: the code from the x-amzn-ErrorType header, else the body's "code", else its
// "__type"; the message from "message" or "Message". A body that is not JSON (a load balancer's HTML page)
// still gives an error, with the HTTP status as its code. `retryable` is left for the retry policy to set.
AwsError parse_aws_error(int http_status, std::string_view error_type_header, std::string_view request_id,
                         std::string_view body);

// An error without an HTTP response.
AwsError transport_error(const Error& error);

}  // namespace lunora::aws
