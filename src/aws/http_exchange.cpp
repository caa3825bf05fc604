#include "aws/http_exchange.hpp"

#include <strings.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace lunora::aws {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::awaitable;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

Error failure(const boost::system::error_code& ec, const std::string& what) {
  if (ec == beast::error::timeout) return Error(ErrorCode::kTimeout, what + ": timed out");
  if (ec == asio::error::connection_refused) return Error(ErrorCode::kRefused, what + ": connection refused");
  if (ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == http::error::end_of_stream || ec == http::error::partial_message ||
      ec == ssl::error::stream_truncated) {
    return Error(ErrorCode::kClosed, what + ": connection closed by the server");
  }
  if (ec.category() == asio::error::get_ssl_category()) {
    return Error(ErrorCode::kTls, what + ": " + ec.message());
  }
  if (ec.category() == make_error_code(http::error::body_limit).category()) {  // any Beast HTTP parser error
    return Error(ErrorCode::kParse, what + ": bad HTTP response: " + ec.message());
  }
  return Error(ErrorCode::kIo, what + ": " + ec.message());
}

http::request<http::string_body> to_beast(const Endpoint& endpoint, HttpRequest request) {
  http::request<http::string_body> out;
  out.method_string(request.method);
  out.target(request.target);
  out.version(11);
  out.set(http::field::host, endpoint.authority);
  for (auto& [name, value] : request.headers) out.set(name, value);
  out.body() = std::move(request.body);
  out.prepare_payload();
  return out;
}

template <typename Stream>
awaitable<Result<HttpResponse>> write_and_read(Stream& stream, http::request<http::string_body> request,
                                               const std::string& peer, size_t max_response_bytes) {
  if (auto [ec, n] = co_await http::async_write(stream, request, nothrow); ec) {
    co_return failure(ec, "sending the request to " + peer);
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_response_bytes);
  if (auto [ec, n] = co_await http::async_read(stream, buffer, parser, nothrow); ec) {
    co_return failure(ec, "reading the response of " + peer);
  }
  http::response<http::string_body> response = parser.release();
  HttpResponse out;
  out.status = static_cast<int>(response.result_int());
  for (const auto& field : response) out.headers.emplace_back(field.name_string(), field.value());
  out.body = std::move(response.body());
  co_return out;
}

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) return v;
  }
  return {};
}

std::shared_ptr<ssl::context> make_verifying_tls_context() {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_default_verify_paths();
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

awaitable<Result<HttpResponse>> http_exchange(const Endpoint& endpoint, ssl::context& tls,
                                              HttpRequest request,
                                              std::chrono::steady_clock::time_point deadline,
                                              size_t max_response_bytes) {
  const std::string peer = endpoint.host + ":" + std::to_string(endpoint.port);
  auto executor = co_await asio::this_coro::executor;
  // getaddrinfo cannot be cancelled; it has its own timeouts, and the deadline is checked once it returns.
  asio::ip::tcp::resolver resolver(executor);
  auto [rec, endpoints] =
      co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), nothrow);
  if (rec) co_return Error(ErrorCode::kDns, "could not resolve " + endpoint.host + ": " + rec.message());
  if (std::chrono::steady_clock::now() >= deadline) {
    co_return Error(ErrorCode::kTimeout, "resolving " + endpoint.host + ": timed out");
  }

  // The stream's expiry bounds every operation below (connect, handshake, write, read) by the deadline.
  beast::tcp_stream tcp(executor);
  tcp.expires_at(deadline);
  if (auto [ec, ep] = co_await tcp.async_connect(endpoints, nothrow); ec) {
    co_return failure(ec, "connecting to " + peer);
  }
  http::request<http::string_body> beast_request = to_beast(endpoint, std::move(request));
  if (!endpoint.tls) {
    Result<HttpResponse> response =
        co_await write_and_read(tcp, std::move(beast_request), peer, max_response_bytes);
    boost::system::error_code ignored;
    tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    co_return response;
  }

  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), tls);
  // SNI names hosts, never addresses (RFC 6066); verification checks either against the certificate.
  if (!is_ip_address(endpoint.host) &&
      !SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str())) {
    co_return Error(ErrorCode::kTls, "TLS: cannot set the server name " + endpoint.host);
  }
  stream.set_verify_mode(ssl::verify_peer);
  stream.set_verify_callback(ssl::host_name_verification(endpoint.host));
  if (auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, nothrow); ec) {
    Error error = failure(ec, "TLS handshake with " + peer);
    // A dropped handshake is a network failure (retried); a refused certificate is a TLS one (final).
    co_return error.code() == ErrorCode::kClosed || error.code() == ErrorCode::kTimeout
        ? error
        : Error(ErrorCode::kTls, error.message());
  }
  // No TLS close_notify: the response is complete (Content-Length framed) and the socket closes anyway.
  co_return co_await write_and_read(stream, std::move(beast_request), peer, max_response_bytes);
}

}  // namespace lunora::aws
