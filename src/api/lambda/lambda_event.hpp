// The events `lunora lambda` is invoked with, read into what Lunora does with them, and the answer to an HTTP
// API request in the form API Gateway takes back. Plain values: the Runtime API client (runtime_client.hpp)
// carries the bytes, app/lambda_command.cpp decides.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "api/http/http_types.hpp"
#include "core/result.hpp"

namespace lunora::api::lambda {

// EventBridge "MediaLive Channel State Change" (source aws.medialive): a channel of the account changed
// state.
struct MediaLiveStateChange {
  std::string channel_arn;
  std::string state;    // RUNNING, IDLE, ...
  std::string message;  // MediaLive's words
};

// EventBridge "Scheduled Event" (source aws.events): the minute's reconcile.
struct ScheduledEvent {
  std::string rule;  // the rule's ARN, for the log
};

// An API Gateway HTTP API request (payload format 2.0), as the routes take it.
using LambdaEvent = std::variant<HttpRequest, MediaLiveStateChange, ScheduledEvent>;

// An error says what the payload is not (not JSON, an event of no kind Lunora serves, a malformed field).
Result<LambdaEvent> parse_lambda_event(std::string_view payload);

// The invocation's answer to an HTTP API request: {"statusCode", "headers", "body", "isBase64Encoded"}, with
// the headers `lunora serve` sends (wire_headers); a body that is not text (a picture, a segment) in base64.
std::string http_api_response(const HttpResponse& response);

}  // namespace lunora::api::lambda
