// The AWS client end to end against a scripted HTTP server on 127.0.0.1: signing on the wire, responses and
// errors as values, the retry policy at work, and timeouts that end a call instead of hanging it.
#include "aws/aws_client.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "support/aws_client_test_support.hpp"
#include "support/fake_aws_server.hpp"

namespace lunora::aws {
namespace {

using std::chrono::steady_clock;
using testing::FakeAwsReply;
using testing::FakeAwsServer;
using testing::run_call;
using testing::test_client_options;

constexpr auto kFixedTime = std::chrono::sys_days{std::chrono::year{2024} / 5 / 17} + std::chrono::hours{9};

std::unique_ptr<AwsClient> make_client(const FakeAwsServer& server, AwsClientOptions options = {}) {
  if (options.endpoint.empty()) options = test_client_options(server.url());
  options.now = [] { return std::chrono::system_clock::time_point(kFixedTime); };
  auto client = AwsClient::create(std::move(options), nullptr, [] { return 0.5; });
  EXPECT_TRUE(client.ok());
  return std::move(client).value();
}

AwsRequest put_item() {
  return json_rpc_request("DynamoDB_20120810", "PutItem",
                          {{"TableName", "lunora"}, {"Item", {{"pk", {{"S", "channel#1"}}}}}});
}

FakeAwsReply dynamodb_error(const std::string& type, const std::string& message) {
  return FakeAwsReply::json(
      400, R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + type + R"(","message":")" + message + "\"}",
      {{"x-amzn-RequestId", "RID-" + type}, {"Content-Type", "application/x-amz-json-1.0"}});
}

TEST(AwsClient, ReturnsTheJsonOfA200) {
  FakeAwsServer server(
      {FakeAwsReply::json(200, R"({"Item":{"pk":{"S":"channel#1"}}})", {{"x-amzn-RequestId", "RID1"}})});
  const auto client = make_client(server);
  const auto outcome = run_call(*client, put_item());
  ASSERT_TRUE(outcome.has_value());
  ASSERT_TRUE(outcome->ok()) << outcome->error().to_error().message();
  EXPECT_EQ((*outcome)->http_status, 200);
  EXPECT_EQ((*outcome)->body["Item"]["pk"]["S"], "channel#1");
  EXPECT_EQ((*outcome)->request_id, "RID1");
  EXPECT_EQ((*outcome)->attempts, 1);
}

TEST(AwsClient, SignsWhatItSends) {
  FakeAwsServer server({FakeAwsReply::json(200, "{}")});
  const auto client = make_client(server);
  ASSERT_TRUE(run_call(*client, put_item()).value().ok());
  ASSERT_EQ(server.requests().size(), 1u);
  const auto request = server.requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/");
  EXPECT_EQ(request.header("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(request.header("x-amz-target"), "DynamoDB_20120810.PutItem");
  EXPECT_EQ(request.header("content-type"), "application/x-amz-json-1.0");
  EXPECT_EQ(request.header("x-amz-date"), "20240517T090000Z");
  EXPECT_EQ(request.body, R"({"Item":{"pk":{"S":"channel#1"}},"TableName":"lunora"})");
  const std::string authorization = request.header("authorization");
  EXPECT_TRUE(std::regex_match(
      authorization, std::regex("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240517/us-east-1/dynamodb/"
                                "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                                "Signature=[0-9a-f]{64}")))
      << authorization;

  // The signature is the one of the request as it arrived: signing what the server saw gives the same.
  RequestToSign arrived;
  arrived.method = request.method;
  arrived.host = request.header("host");
  arrived.path = request.target;
  arrived.headers = {{"content-type", request.header("content-type")},
                     {"x-amz-target", request.header("x-amz-target")}};
  arrived.body = request.body;
  SigningParams params;
  params.credentials = test_client_options("").credentials;
  params.region = "us-east-1";
  params.service = "dynamodb";
  params.time = std::chrono::system_clock::time_point(kFixedTime);
  const auto expected = sign_request(arrived, params);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(authorization, expected->authorization);
}

TEST(AwsClient, RestJsonCarriesMethodPathAndQuery) {
  FakeAwsServer server({FakeAwsReply::json(201, R"({"channel":{"id":"1234"}})")});
  auto options = test_client_options(server.url());
  options.signing_name = "medialive";
  const auto client = make_client(server, options);
  AwsRequest request = rest_json_request("PUT", "/prod/channels/1234", {{"name", "a b"}});
  request.query = {{"maxResults", "10"}, {"next token", "x/y"}};
  const auto outcome = run_call(*client, request);
  ASSERT_TRUE(outcome.has_value() && outcome->ok());
  EXPECT_EQ((*outcome)->body["channel"]["id"], "1234");
  const auto arrived = server.requests().at(0);
  EXPECT_EQ(arrived.method, "PUT");
  EXPECT_EQ(arrived.target, "/prod/channels/1234?maxResults=10&next%20token=x%2Fy");
  EXPECT_EQ(arrived.header("content-type"), "application/json");
  EXPECT_NE(arrived.header("authorization").find("/us-east-1/medialive/aws4_request"), std::string::npos);
}

TEST(AwsClient, ConditionalCheckFailedIsFinal) {
  FakeAwsServer server({dynamodb_error("ConditionalCheckFailedException", "The conditional request failed")});
  const auto client = make_client(server);
  const auto outcome = run_call(*client, put_item());
  ASSERT_TRUE(outcome.has_value());
  ASSERT_FALSE(outcome->ok());
  const AwsError& error = outcome->error();
  EXPECT_EQ(error.http_status, 400);
  EXPECT_EQ(error.code, "ConditionalCheckFailedException");
  EXPECT_EQ(error.message, "The conditional request failed");
  EXPECT_EQ(error.request_id, "RID-ConditionalCheckFailedException");
  EXPECT_FALSE(error.retryable);
  EXPECT_EQ(error.attempts, 1);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(error.to_error().code(), ErrorCode::kConflict);
}

TEST(AwsClient, ThrottlingIsRetriedUntilItPasses) {
  const auto throttled =
      dynamodb_error("ProvisionedThroughputExceededException",
                     "The level of configured provisioned throughput for the table was exceeded.");
  FakeAwsServer server({throttled, throttled, FakeAwsReply::json(200, R"({"ConsumedCapacity":null})")});
  const auto client = make_client(server);
  const auto outcome = run_call(*client, put_item());
  ASSERT_TRUE(outcome.has_value());
  ASSERT_TRUE(outcome->ok()) << outcome->error().code;
  EXPECT_EQ((*outcome)->attempts, 3);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(AwsClient, ThrottlingThreeTimesGivesUp) {
  FakeAwsServer server(
      {dynamodb_error("ThrottlingException", "Rate of requests exceeds the allowed throughput.")});
  const auto client = make_client(server);
  const auto outcome = run_call(*client, put_item());
  ASSERT_TRUE(outcome.has_value());
  ASSERT_FALSE(outcome->ok());
  EXPECT_EQ(outcome->error().code, "ThrottlingException");
  EXPECT_TRUE(outcome->error().retryable);
  EXPECT_EQ(outcome->error().attempts, 3);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(AwsClient, ServerErrorThenSuccess) {
  FakeAwsServer server(
      {FakeAwsReply::json(500, R"({"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError",)"
                               R"("message":"Internal server error"})"),
       FakeAwsReply::json(200, "{}")});
  const auto client = make_client(server);
  const auto outcome = run_call(*client, put_item());
  ASSERT_TRUE(outcome.has_value() && outcome->ok());
  EXPECT_EQ((*outcome)->attempts, 2);
}

TEST(AwsClient, EmptySuccessBodyIsNull) {
  FakeAwsServer server({FakeAwsReply::json(200, "")});
  const auto client = make_client(server);
  const auto outcome = run_call(*client, put_item());
  ASSERT_TRUE(outcome.has_value() && outcome->ok());
  EXPECT_TRUE((*outcome)->body.is_null());
}

TEST(AwsClient, ServerThatNeverAnswersTimesOut) {
  FakeAwsServer server({FakeAwsReply::silence()});
  auto options = test_client_options(server.url());
  options.attempt_timeout = std::chrono::milliseconds(200);
  const auto client = make_client(server, options);
  const auto start = steady_clock::now();
  const auto outcome = run_call(*client, put_item());
  const auto elapsed = steady_clock::now() - start;
  ASSERT_TRUE(outcome.has_value()) << "the call hung";
  ASSERT_FALSE(outcome->ok());
  EXPECT_EQ(outcome->error().code, kTimeoutCode);
  EXPECT_EQ(outcome->error().http_status, 0);
  EXPECT_EQ(outcome->error().attempts, 3);  // a timeout is transient: retried like the SDKs do
  EXPECT_EQ(outcome->error().to_error().code(), ErrorCode::kTimeout);
  EXPECT_GE(elapsed, std::chrono::milliseconds(600));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST(AwsClient, OverallDeadlineEndsTheCall) {
  FakeAwsServer server({FakeAwsReply::silence()});
  auto options = test_client_options(server.url());
  options.attempt_timeout = std::chrono::seconds(10);
  options.deadline = std::chrono::milliseconds(300);
  const auto client = make_client(server, options);
  const auto start = steady_clock::now();
  const auto outcome = run_call(*client, put_item());
  ASSERT_TRUE(outcome.has_value()) << "the call hung";
  ASSERT_FALSE(outcome->ok());
  EXPECT_EQ(outcome->error().code, kTimeoutCode);
  EXPECT_EQ(outcome->error().attempts, 1);  // no time left for a second attempt
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(AwsClient, RefusedConnectionIsRetriedThenReported) {
  uint16_t port;
  {
    FakeAwsServer closed({});
    port = closed.port();
  }
  auto options = test_client_options("http://127.0.0.1:" + std::to_string(port));
  auto created = AwsClient::create(options);
  ASSERT_TRUE(created.ok());
  const auto outcome = run_call(**created, put_item());
  ASSERT_TRUE(outcome.has_value());
  ASSERT_FALSE(outcome->ok());
  EXPECT_EQ(outcome->error().code, kConnectionCode);
  EXPECT_EQ(outcome->error().transport, ErrorCode::kRefused);
  EXPECT_EQ(outcome->error().attempts, 3);
}

TEST(AwsClient, RejectsABadEndpoint) {
  auto created = AwsClient::create(test_client_options("ftp://example.com"));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace lunora::aws
