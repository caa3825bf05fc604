#include "api/lambda/lambda_event.hpp"

#include <nlohmann/json.hpp>

#include "aws/crypto.hpp"

namespace lunora::api::lambda {
namespace {

using nlohmann::json;

Error malformed(const std::string& what) {
  return Error(ErrorCode::kParse, "malformed invocation event: " + what);
}

std::string string_at(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Payload format 2.0: rawPath is the path as the client sent it (still percent-encoded), rawQueryString the
// query without its '?'; header names arrive lower-cased, repeated ones already joined with commas, and
// cookies apart from them.
Result<LambdaEvent> http_api_request(const json& event) {
  const auto context = event.find("requestContext");
  if (context == event.end() || !context->is_object() || !context->contains("http") ||
      !(*context)["http"].is_object()) {
    return malformed("an HTTP API event without requestContext.http");
  }
  const json& http = (*context)["http"];
  const std::string method = string_at(http, "method");
  std::string path = string_at(event, "rawPath");
  if (path.empty()) path = string_at(http, "path");
  if (method.empty() || path.empty()) return malformed("an HTTP API event without a method or path");
  std::string target = path;
  if (const std::string query = string_at(event, "rawQueryString"); !query.empty()) target += "?" + query;
  HttpRequest request;
  if (!request.set_target(method, target)) return malformed("the request path is not a valid path");
  if (const auto headers = event.find("headers"); headers != event.end() && headers->is_object()) {
    for (const auto& [name, value] : headers->items()) {
      if (value.is_string()) request.add_header(name, value.get<std::string>());
    }
  }
  if (const auto cookies = event.find("cookies"); cookies != event.end() && cookies->is_array()) {
    std::string joined;
    for (const auto& cookie : *cookies) {
      if (cookie.is_string()) joined += (joined.empty() ? "" : "; ") + cookie.get<std::string>();
    }
    if (!joined.empty()) request.headers["cookie"] = joined;
  }
  request.body = string_at(event, "body");
  if (event.value("isBase64Encoded", false)) {
    auto decoded = aws::base64_decode(request.body);
    if (!decoded) return malformed("isBase64Encoded is true but the body is not base64");
    request.body = std::move(*decoded);
  }
  const std::string source_ip = string_at(http, "sourceIp");
  request.peer = source_ip.empty() ? "api-gateway" : source_ip;
  return LambdaEvent(std::move(request));
}

Result<LambdaEvent> eventbridge_event(const json& event) {
  const std::string source = string_at(event, "source");
  const std::string type = string_at(event, "detail-type");
  if (source == "aws.medialive" && type == "MediaLive Channel State Change") {
    const auto detail = event.find("detail");
    if (detail == event.end() || !detail->is_object()) return malformed("a MediaLive event without detail");
    MediaLiveStateChange change{string_at(*detail, "channel_arn"), string_at(*detail, "state"),
                                string_at(*detail, "message")};
    if (change.channel_arn.empty() || change.state.empty()) {
      return malformed("a MediaLive state change without detail.channel_arn or detail.state");
    }
    return LambdaEvent(std::move(change));
  }
  if (source == "aws.events" && type == "Scheduled Event") {
    std::string rule;
    if (const auto resources = event.find("resources"); resources != event.end() && resources->is_array() &&
                                                        !resources->empty() &&
                                                        resources->front().is_string()) {
      rule = resources->front().get<std::string>();
    }
    return LambdaEvent(ScheduledEvent{std::move(rule)});
  }
  return Error(ErrorCode::kInvalidArgument, "an EventBridge event Lunora does not take: source \"" + source +
                                                "\", detail-type \"" + type + "\"");
}

// Text a client reads as it is; anything else goes through API Gateway in base64.
bool is_text(const std::string& content_type) {
  return content_type.empty() || content_type.starts_with("text/") ||
         content_type.starts_with("application/json") ||
         content_type.starts_with("application/vnd.apple.mpegurl") ||
         content_type.starts_with("application/x-mpegurl") ||
         content_type.starts_with("application/javascript") || content_type.starts_with("image/svg+xml");
}

}  // namespace

Result<LambdaEvent> parse_lambda_event(std::string_view payload) {
  const json event = json::parse(payload, nullptr, false);
  if (event.is_discarded()) return malformed("not JSON");
  if (!event.is_object()) return malformed("not a JSON object");
  if (string_at(event, "version") == "2.0" && event.contains("requestContext")) {
    return http_api_request(event);
  }
  if (event.contains("detail-type") && event.contains("source")) return eventbridge_event(event);
  return Error(ErrorCode::kInvalidArgument,
               "an event Lunora does not take: it serves API Gateway HTTP API requests (payload format 2.0), "
               "MediaLive channel state changes and scheduled events from EventBridge");
}

std::string http_api_response(const HttpResponse& response) {
  const int status = wire_status(response);
  json headers = json::object();
  for (const auto& [name, value] : wire_headers(response)) {
    std::string key = name;
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (headers.contains(key)) {
      headers[key] = headers[key].get<std::string>() + ", " + value;
    } else {
      headers[key] = value;
    }
  }
  const bool bodiless = status == 204 || status == 304;
  const bool text = is_text(response.content_type);
  json out = {{"statusCode", status},
              {"headers", std::move(headers)},
              {"body", bodiless ? std::string()
                       : text   ? response.body
                                : aws::base64_encode(response.body)},
              {"isBase64Encoded", !bodiless && !text}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace lunora::api::lambda
