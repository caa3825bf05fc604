#include "api/lambda/runtime_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

namespace lunora::api::lambda {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

constexpr const char* kVersion = "/2018-06-01";
// An event can be up to 6 MB (a synchronous invocation's limit); room for the JSON around it.
constexpr uint64_t kMaxEventBytes = 8 * 1024 * 1024;

std::string error_body(const std::string& type, const std::string& message) {
  const nlohmann::json body = {
      {"errorType", type}, {"errorMessage", message}, {"stackTrace", nlohmann::json::array()}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

struct RuntimeClient::Impl {
  std::string host;
  std::string port;
  asio::io_context io;
  std::optional<tcp::socket> socket;  // kept alive between calls; opened again when the API closed it

  Status open() {
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(host, port, ec);
    if (ec) {
      return Error(ErrorCode::kDns, "the Lambda Runtime API at " + host + ":" + port + ": " + ec.message());
    }
    socket.emplace(io);
    asio::connect(*socket, endpoints, ec);
    // A request goes out in two writes (header, body): without TCP_NODELAY, Nagle holds the second until the
    // API's delayed ACK (40 ms on Linux), on every invocation.
    if (!ec) socket->set_option(tcp::no_delay(true), ec);
    if (ec) {
      socket.reset();
      return Error(ErrorCode::kRefused,
                   "cannot reach the Lambda Runtime API at " + host + ":" + port + ": " + ec.message());
    }
    return ok_status();
  }

  // One request and its response; on a kept connection the API closed meanwhile, once more on a new one.
  Result<http::response<http::string_body>> exchange(http::verb verb, const std::string& target,
                                                     const std::string& body,
                                                     const std::string& error_type = "") {
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool reused = socket.has_value();
      if (!socket) {
        if (auto opened = open(); !opened) return opened.error();
      }
      http::request<http::string_body> request(verb, std::string(kVersion) + target, 11);
      request.set(http::field::host, host + ":" + port);
      if (!error_type.empty()) request.set("Lambda-Runtime-Function-Error-Type", error_type);
      if (verb == http::verb::post) {
        request.set(http::field::content_type, "application/json");
        request.body() = body;
        request.prepare_payload();
      }
      boost::system::error_code ec;
      http::write(*socket, request, ec);
      http::response_parser<http::string_body> parser;
      parser.body_limit(kMaxEventBytes);
      boost::beast::flat_buffer buffer;
      if (!ec) http::read(*socket, buffer, parser, ec);
      if (ec) {
        socket.reset();
        if (reused && attempt == 0) continue;
        return Error(ErrorCode::kIo, "the Lambda Runtime API (" + target + "): " + ec.message());
      }
      auto response = parser.release();
      if (!response.keep_alive()) socket.reset();
      return response;
    }
    return Error(ErrorCode::kIo, "the Lambda Runtime API (" + target + "): no answer");
  }

  Status expect_accepted(Result<http::response<http::string_body>> response, const std::string& what) {
    if (!response) return response.error();
    const unsigned status = response->result_int();
    if (status >= 200 && status < 300) return ok_status();
    // 413: the answer is larger than Lambda takes; 400/403: not a call the API takes now.
    return Error(ErrorCode::kPublishRejected, "the Lambda Runtime API refused " + what + " (HTTP " +
                                                  std::to_string(status) + "): " + response->body());
  }
};

RuntimeClient::RuntimeClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RuntimeClient::~RuntimeClient() = default;

Result<std::unique_ptr<RuntimeClient>> RuntimeClient::connect(const std::string& address) {
  const auto colon = address.rfind(':');
  if (address.empty() || colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return Error(ErrorCode::kInvalidArgument,
                 "AWS_LAMBDA_RUNTIME_API must be host:port (got \"" + address +
                     "\"): `lunora lambda` runs as an AWS Lambda function's bootstrap");
  }
  auto impl = std::make_unique<Impl>();
  impl->host = address.substr(0, colon);
  impl->port = address.substr(colon + 1);
  return std::unique_ptr<RuntimeClient>(new RuntimeClient(std::move(impl)));
}

Result<Invocation> RuntimeClient::next() {
  auto response = impl_->exchange(http::verb::get, "/runtime/invocation/next", "");
  if (!response) return response.error();
  if (response->result_int() != 200) {
    return Error(ErrorCode::kPublishRejected,
                 "the Lambda Runtime API answered the next invocation with HTTP " +
                     std::to_string(response->result_int()) + ": " + response->body());
  }
  Invocation invocation;
  invocation.request_id = std::string((*response)["Lambda-Runtime-Aws-Request-Id"]);
  if (invocation.request_id.empty()) {
    return Error(ErrorCode::kParse, "the Lambda Runtime API gave an invocation without a request id");
  }
  const std::string deadline((*response)["Lambda-Runtime-Deadline-Ms"]);
  invocation.deadline_ms = std::strtoll(deadline.c_str(), nullptr, 10);
  invocation.payload = std::move(response->body());
  return invocation;
}

Status RuntimeClient::respond(const std::string& request_id, const std::string& body) {
  return impl_->expect_accepted(
      impl_->exchange(http::verb::post, "/runtime/invocation/" + request_id + "/response", body),
      "the response to " + request_id);
}

Status RuntimeClient::fail(const std::string& request_id, const std::string& type,
                           const std::string& message) {
  return impl_->expect_accepted(
      impl_->exchange(http::verb::post, "/runtime/invocation/" + request_id + "/error",
                      error_body(type, message), type),
      "the error of " + request_id);
}

Status RuntimeClient::init_failed(const std::string& type, const std::string& message) {
  return impl_->expect_accepted(
      impl_->exchange(http::verb::post, "/runtime/init/error", error_body(type, message), type),
      "the init error");
}

}  // namespace lunora::api::lambda
