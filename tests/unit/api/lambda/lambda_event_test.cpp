#include "api/lambda/lambda_event.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace lunora::api::lambda {
namespace {

using nlohmann::json;

// The example HTTP API event of API Gateway's documentation (payload format 2.0), trimmed of nothing Lunora
// reads.
json documented_http_event() {
  return json::parse(R"({
    "version": "2.0", "routeKey": "$default", "rawPath": "/api/v1/destinations/a%2Fb/start",
    "rawQueryString": "allow_restart=true&note=a+b",
    "cookies": ["cookie1", "cookie2"],
    "headers": {"authorization": "Bearer token", "content-type": "application/json", "x-multi": "a,b"},
    "queryStringParameters": {"allow_restart": "true", "note": "a b"},
    "requestContext": {
      "accountId": "123456789012", "apiId": "api-id", "domainName": "id.execute-api.us-east-1.amazonaws.com",
      "http": {"method": "POST", "path": "/api/v1/destinations/a%2Fb/start", "protocol": "HTTP/1.1",
               "sourceIp": "192.0.2.1", "userAgent": "agent"},
      "requestId": "id", "routeKey": "$default", "stage": "$default", "time": "12/Mar/2020:19:03:58 +0000",
      "timeEpoch": 1583348638390},
    "body": "eyJuYW1lIjoieCJ9", "isBase64Encoded": true
  })");
}

TEST(LambdaEvent, HttpApiEventBecomesTheRequestTheRoutesTake) {
  auto event = parse_lambda_event(documented_http_event().dump());
  ASSERT_TRUE(event) << event.error().message();
  const auto* request = std::get_if<HttpRequest>(&*event);
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->method, "POST");
  EXPECT_EQ(request->target, "/api/v1/destinations/a%2Fb/start?allow_restart=true&note=a+b");
  EXPECT_EQ(request->path, "/api/v1/destinations/a/b/start");
  EXPECT_EQ(request->query.at("allow_restart"), "true");
  EXPECT_EQ(request->query.at("note"), "a b");
  EXPECT_EQ(request->header("Authorization"), "Bearer token");
  EXPECT_EQ(request->header("cookie"), "cookie1; cookie2");
  EXPECT_EQ(request->body, R"({"name":"x"})");
  EXPECT_EQ(request->peer, "192.0.2.1");
}

TEST(LambdaEvent, MalformedHttpApiEventsAreRefusedWithTheReason) {
  auto event = documented_http_event();
  event["body"] = "not base64!";
  auto parsed = parse_lambda_event(event.dump());
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message().find("base64"), std::string::npos);

  event = documented_http_event();
  event["requestContext"].erase("http");
  ASSERT_FALSE(parse_lambda_event(event.dump()));

  event = documented_http_event();
  event["rawPath"] = "no-slash";
  event["requestContext"]["http"]["path"] = "no-slash";
  parsed = parse_lambda_event(event.dump());
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message().find("path"), std::string::npos);

  EXPECT_FALSE(parse_lambda_event("{"));
  EXPECT_FALSE(parse_lambda_event("[1]"));
  EXPECT_FALSE(parse_lambda_event(R"({"Records": []})"));
}

TEST(LambdaEvent, EventBridgeEventsAreTold) {
  auto change =
      parse_lambda_event(R"({"version": "0", "id": "x", "detail-type": "MediaLive Channel State Change",
    "source": "aws.medialive", "account": "111122223333", "region": "us-west-2",
    "resources": ["arn:aws:medialive:us-west-2:111122223333:channel:283886"],
    "detail": {"channel_arn": "arn:aws:medialive:us-west-2:111122223333:channel:283886", "state": "RUNNING",
               "message": "Started", "pipelines_running_count": 1}})");
  ASSERT_TRUE(change) << change.error().message();
  const auto* state = std::get_if<MediaLiveStateChange>(&*change);
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->channel_arn, "arn:aws:medialive:us-west-2:111122223333:channel:283886");
  EXPECT_EQ(state->state, "RUNNING");

  auto scheduled = parse_lambda_event(R"({"version": "0", "detail-type": "Scheduled Event",
    "source": "aws.events", "resources": ["arn:aws:events:us-east-1:123456789012:rule/lunora"], "detail": {}})");
  ASSERT_TRUE(scheduled);
  EXPECT_EQ(std::get<ScheduledEvent>(*scheduled).rule, "arn:aws:events:us-east-1:123456789012:rule/lunora");

  auto other = parse_lambda_event(R"({"detail-type": "Object Created", "source": "aws.s3", "detail": {}})");
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message().find("aws.s3"), std::string::npos);
  EXPECT_FALSE(parse_lambda_event(
      R"({"detail-type": "MediaLive Channel State Change", "source": "aws.medialive", "detail": {}})"));
}

TEST(LambdaEvent, ResponsesCarryTheHeadersServeSendsAndBinaryInBase64) {
  HttpResponse json_response;
  json_response.status = 405;
  json_response.body = R"({"error":{}})";
  json_response.headers = {{"Allow", "GET"}, {"X-Bad", "a\r\nInjected: 1"}};
  const auto out = json::parse(http_api_response(json_response));
  EXPECT_EQ(out["statusCode"], 405);
  EXPECT_EQ(out["body"], R"({"error":{}})");
  EXPECT_EQ(out["isBase64Encoded"], false);
  EXPECT_EQ(out["headers"]["content-type"], "application/json");
  EXPECT_EQ(out["headers"]["cache-control"], "no-store");
  EXPECT_EQ(out["headers"]["allow"], "GET");
  EXPECT_FALSE(out["headers"].contains("x-bad"));

  HttpResponse picture;
  picture.content_type = "image/png";
  picture.body = std::string("\x89PNG\r\n\x1a\n\0\xff", 10);
  const auto png = json::parse(http_api_response(picture));
  EXPECT_EQ(png["isBase64Encoded"], true);
  EXPECT_EQ(png["body"], "iVBORw0KGgoA/w==");

  HttpResponse none;
  none.status = 204;
  none.content_type.clear();
  none.body = "ignored";
  const auto empty = json::parse(http_api_response(none));
  EXPECT_EQ(empty["body"], "");
  EXPECT_FALSE(empty["headers"].contains("content-type"));

  HttpResponse odd;
  odd.status = 99;
  EXPECT_EQ(json::parse(http_api_response(odd))["statusCode"], 500);
}

}  // namespace
}  // namespace lunora::api::lambda
