#include "aws/aws_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "aws/http_exchange.hpp"
#include "aws/uri_encoding.hpp"

namespace lunora::aws {

namespace {

namespace asio = boost::asio;
using std::chrono::steady_clock;

std::string wire_target(const Endpoint& endpoint, const AwsRequest& request) {
  std::string target = endpoint.base_path + request.path;
  char separator = '?';
  for (const auto& [name, value] : request.query) {
    target.append(1, separator).append(uri_encode(name)).append("=").append(uri_encode(value));
    separator = '&';
  }
  return target;
}

// The answer of one attempt: a 2xx response with a JSON (or empty) body, or the service's error.
AwsOutcome interpret(const HttpResponse& response) {
  const std::string request_id = response.header("x-amzn-RequestId");
  if (response.status < 200 || response.status >= 300) {
    return parse_aws_error(response.status, response.header("x-amzn-ErrorType"), request_id, response.body);
  }
  AwsResponse out;
  out.http_status = response.status;
  out.request_id = request_id;
  if (response.body.empty()) return out;
  out.body = nlohmann::json::parse(response.body, nullptr, false);
  if (out.body.is_discarded()) {
    AwsError error;
    error.http_status = response.status;
    error.code = "MalformedResponse";
    error.message = "the response body is not JSON";
    error.request_id = request_id;
    return error;
  }
  return out;
}

// Invalid UTF-8 in a string becomes U+FFFD instead of an exception (none may leave the client): AWS's JSON
// protocols carry bytes only as base64 blobs, so such a string was never sendable as it was.
std::string dump_body(const nlohmann::json& body) {
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

AwsRequest json_rpc_request(std::string_view target_prefix, std::string_view operation,
                            const nlohmann::json& body) {
  AwsRequest request;
  request.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                     {"X-Amz-Target", std::string(target_prefix) + "." + std::string(operation)}};
  request.body = dump_body(body);
  return request;
}

AwsRequest rest_json_request(std::string method, std::string path, const nlohmann::json& body) {
  AwsRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  if (!body.is_null()) {
    request.headers = {{"Content-Type", "application/json"}};
    request.body = dump_body(body);
  }
  return request;
}

Result<std::unique_ptr<AwsClient>> AwsClient::create(AwsClientOptions options,
                                                     std::shared_ptr<asio::ssl::context> tls,
                                                     RetryPolicy::Random random) {
  Result<Endpoint> endpoint = parse_endpoint(options.endpoint);
  if (!endpoint) return endpoint.error();
  if (!tls) tls = make_verifying_tls_context();
  if (!options.now) options.now = [] { return std::chrono::system_clock::now(); };
  RetryPolicy retry(options.retry, std::move(random));
  return std::unique_ptr<AwsClient>(
      new AwsClient(std::move(options), std::move(endpoint).value(), std::move(tls), std::move(retry)));
}

AwsClient::AwsClient(AwsClientOptions options, Endpoint endpoint, std::shared_ptr<asio::ssl::context> tls,
                     RetryPolicy retry)
    : options_(std::move(options)),
      endpoint_(std::move(endpoint)),
      tls_(std::move(tls)),
      retry_(std::move(retry)) {}

asio::awaitable<AwsOutcome> AwsClient::send(AwsRequest request, HttpConnectionPool* connections) const {
  const auto deadline = steady_clock::now() + options_.deadline;
  for (int attempt = 1;; ++attempt) {
    // Signed again for every attempt: X-Amz-Date must stay within five minutes of the service's clock.
    RequestToSign to_sign;
    to_sign.method = request.method;
    to_sign.host = endpoint_.authority;
    to_sign.path = endpoint_.base_path + request.path;
    to_sign.query = request.query;
    to_sign.headers = request.headers;
    to_sign.body = request.body;
    SigningParams params;
    params.credentials = options_.credentials;
    params.region = options_.region;
    params.service = options_.signing_name;
    params.time = options_.now();
    Result<SignedRequest> signed_request = sign_request(to_sign, params);
    if (!signed_request) {
      AwsError error = transport_error(signed_request.error().wrap("signing the request"));
      error.code = "SigningError";
      co_return error;
    }
    HttpRequest http{request.method, wire_target(endpoint_, request), request.headers, request.body};
    for (const auto& header : signed_request->headers_to_add) http.headers.push_back(header);
    http.headers.emplace_back("User-Agent", "lunora");

    const auto attempt_deadline = std::min(deadline, steady_clock::now() + options_.attempt_timeout);
    Result<HttpResponse> response = co_await http_exchange(
        endpoint_, *tls_, std::move(http), attempt_deadline, options_.max_response_bytes, connections);
    AwsOutcome outcome = response ? interpret(*response) : AwsOutcome(transport_error(response.error()));
    if (outcome.ok()) {
      AwsResponse value = std::move(outcome).value();
      value.attempts = attempt;
      co_return value;
    }
    AwsError error = outcome.error();
    error.attempts = attempt;
    error.retryable = is_retryable(error);
    const auto delay = retry_.next_delay(error, attempt, deadline - steady_clock::now());
    if (!delay) co_return error;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(*delay);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace lunora::aws
