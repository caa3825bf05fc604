// A client for the AWS JSON APIs: awsJson 1.0 (DynamoDB: POST / with X-Amz-Target) and restJson (MediaLive:
// method, path and JSON body). Each call is signed with SigV4, sent over a verified TLS connection (or plain
// HTTP to a local fake such as dynalite), retried under the standard retry policy, and answered as a value.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "aws/aws_error.hpp"
#include "aws/credentials.hpp"
#include "aws/endpoint.hpp"
#include "aws/retry_policy.hpp"
#include "aws/sigv4.hpp"
#include "core/result.hpp"

namespace boost::asio::ssl {
class context;
}

namespace lunora::aws {

class HttpConnectionPool;

struct AwsRequest {
  std::string method = "POST";
  std::string path = "/";  // as on the wire: the caller percent-encodes each segment
  std::vector<std::pair<std::string, std::string>> query;  // decoded; the client encodes
  HeaderList headers;                                      // Content-Type, X-Amz-Target, ...: all signed
  std::string body;
};

// awsJson 1.0: POST / with Content-Type application/x-amz-json-1.0 and X-Amz-Target
// "<target_prefix>.<operation>", e.g. ("DynamoDB_20120810", "PutItem").
AwsRequest json_rpc_request(std::string_view target_prefix, std::string_view operation,
                            const nlohmann::json& body);
// restJson: e.g. ("PUT", "/prod/channels/1234", {...}); a null body sends none.
AwsRequest rest_json_request(std::string method, std::string path, const nlohmann::json& body = nullptr);

struct AwsResponse {
  int http_status = 200;
  nlohmann::json body;  // null when the response had no body
  std::string request_id;
  int attempts = 1;
};

// The response or the error of a call.
class [[nodiscard]] AwsOutcome {
 public:
  AwsOutcome(AwsResponse response) : v_(std::move(response)) {}  // NOLINT(google-explicit-constructor)
  AwsOutcome(AwsError error) : v_(std::move(error)) {}           // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const AwsResponse& value() const& { return std::get<0>(v_); }
  AwsResponse&& value() && { return std::get<0>(std::move(v_)); }
  const AwsError& error() const { return std::get<1>(v_); }
  const AwsResponse* operator->() const { return &value(); }

 private:
  std::variant<AwsResponse, AwsError> v_;
};

struct AwsClientOptions {
  std::string endpoint;      // from resolve_endpoint(): "https://dynamodb.eu-west-1.amazonaws.com"
  std::string region;        // "eu-west-1"
  std::string signing_name;  // "dynamodb", "medialive"
  Credentials credentials;
  // One attempt: resolve, connect, TLS handshake, request and response.
  std::chrono::milliseconds attempt_timeout{10000};
  // The whole call: every attempt and the waits between them.
  std::chrono::milliseconds deadline{30000};
  RetryOptions retry;
  // DynamoDB's largest response (BatchGetItem, Query pages) is 16 MB of data; leave room for JSON overhead.
  size_t max_response_bytes = 32 * 1024 * 1024;
  // The signing time (X-Amz-Date); empty: the system clock.
  std::function<std::chrono::system_clock::time_point()> now;
};

class AwsClient {
 public:
  // `tls` empty: a context verifying against the system's CA store (read here: create clients at startup,
  // not on an I/O thread). `random` feeds the retry jitter. An error when the endpoint URL is not usable.
  static Result<std::unique_ptr<AwsClient>> create(AwsClientOptions options,
                                                   std::shared_ptr<boost::asio::ssl::context> tls = nullptr,
                                                   RetryPolicy::Random random = {});

  // Sends the request on the calling coroutine's executor. Never throws; the client must outlive the call.
  // Like the SDKs, a write is retried after a timeout or a dropped connection even though the first attempt
  // may have been applied: a conditional write can then fail its condition on the retry, and callers of such
  // writes must check whether the item already holds what they wrote.
  // Calls may run concurrently: the client's state is immutable after create() (the random source locks).
  // `connections`: keep-alive connections to reuse and keep (http_exchange.hpp); the caller owns it, and it
  // must go before the io_context the calls ran on. Null: a new connection per attempt.
  boost::asio::awaitable<AwsOutcome> send(AwsRequest request,
                                          HttpConnectionPool* connections = nullptr) const;

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  AwsClient(AwsClientOptions options, Endpoint endpoint, std::shared_ptr<boost::asio::ssl::context> tls,
            RetryPolicy retry);

  AwsClientOptions options_;
  Endpoint endpoint_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  RetryPolicy retry_;
};

}  // namespace lunora::aws
