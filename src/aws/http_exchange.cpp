#include "aws/http_exchange.hpp"

#include <strings.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

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

// What one request on a connection gave: the response (or why none came), whether the connection may carry
// another request, and whether the server sent nothing at all (a kept-alive connection it had closed).
struct Exchanged {
  Result<HttpResponse> response;
  bool keep_alive = false;
  bool nothing_received = false;
};

// Built by plain functions: GCC 12 miscompiles braced temporaries inside coroutines.
Exchanged exchange_failed(Error error, bool nothing_received) {
  Exchanged out{std::move(error)};
  out.nothing_received = nothing_received;
  return out;
}

Exchanged exchange_done(http::response<http::string_body> response) {
  HttpResponse out;
  out.status = static_cast<int>(response.result_int());
  for (const auto& field : response) out.headers.emplace_back(field.name_string(), field.value());
  out.body = std::move(response.body());
  Exchanged done{std::move(out)};
  done.keep_alive = response.keep_alive();
  return done;
}

template <typename Stream>
awaitable<Exchanged> write_and_read(Stream& stream, http::request<http::string_body>& request,
                                    const std::string& peer, size_t max_response_bytes) {
  if (auto [ec, n] = co_await http::async_write(stream, request, nothrow); ec) {
    co_return exchange_failed(failure(ec, "sending the request to " + peer), true);
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_response_bytes);
  if (auto [ec, n] = co_await http::async_read(stream, buffer, parser, nothrow); ec) {
    co_return exchange_failed(failure(ec, "reading the response of " + peer), !parser.got_some());
  }
  co_return exchange_done(parser.release());
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

struct HttpConnectionPool::Connection {
  asio::any_io_executor executor;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  std::chrono::steady_clock::time_point idle_since;

  beast::tcp_stream& tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
};

HttpConnectionPool::HttpConnectionPool(size_t max_idle, std::chrono::milliseconds max_idle_time)
    : max_idle_(max_idle), max_idle_time_(max_idle_time) {}

HttpConnectionPool::~HttpConnectionPool() = default;

size_t HttpConnectionPool::idle() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

std::unique_ptr<HttpConnectionPool::Connection> HttpConnectionPool::take(
    const asio::any_io_executor& executor) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  // Servers close idle connections (DynamoDB after about a minute): older ones are dropped, not tried.
  std::erase_if(idle_, [&](const auto& c) { return now - c->idle_since > max_idle_time_; });
  // The newest first: the least likely to have been closed by the server.
  for (auto it = idle_.rbegin(); it != idle_.rend(); ++it) {
    if ((*it)->executor == executor) {
      auto connection = std::move(*it);
      idle_.erase(std::next(it).base());
      return connection;
    }
  }
  return nullptr;
}

void HttpConnectionPool::give_back(std::unique_ptr<Connection> connection) {
  connection->idle_since = std::chrono::steady_clock::now();
  connection->tcp().expires_never();
  std::lock_guard lock(mutex_);
  if (idle_.size() >= max_idle_) idle_.erase(idle_.begin());
  idle_.push_back(std::move(connection));
}

namespace {

// A new connection: resolved, connected and, for https, handshaken, before `deadline`.
awaitable<Result<std::unique_ptr<HttpConnectionPool::Connection>>> open_connection(
    const Endpoint& endpoint, ssl::context& tls, std::chrono::steady_clock::time_point deadline) {
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

  auto connection = std::make_unique<HttpConnectionPool::Connection>();
  connection->executor = executor;
  // The stream's expiry bounds every operation (connect, handshake, write, read) by the deadline.
  beast::tcp_stream tcp(executor);
  tcp.expires_at(deadline);
  if (auto [ec, ep] = co_await tcp.async_connect(endpoints, nothrow); ec) {
    co_return failure(ec, "connecting to " + peer);
  }
  if (!endpoint.tls) {
    connection->plain.emplace(std::move(tcp));
    co_return connection;
  }
  auto& stream = connection->secure.emplace(std::move(tcp), tls);
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
  co_return connection;
}

void close(HttpConnectionPool::Connection& connection) {
  // No TLS close_notify: the response is complete (Content-Length framed) and the socket closes anyway.
  boost::system::error_code ignored;
  connection.tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  connection.tcp().close();
}

}  // namespace

awaitable<Result<HttpResponse>> http_exchange(const Endpoint& endpoint, ssl::context& tls,
                                              HttpRequest request,
                                              std::chrono::steady_clock::time_point deadline,
                                              size_t max_response_bytes, HttpConnectionPool* pool) {
  const std::string peer = endpoint.host + ":" + std::to_string(endpoint.port);
  http::request<http::string_body> beast_request = to_beast(endpoint, std::move(request));
  std::unique_ptr<HttpConnectionPool::Connection> connection;
  if (pool != nullptr) connection = pool->take(co_await asio::this_coro::executor);
  bool reused = connection != nullptr;
  for (;;) {
    if (!connection) {
      auto opened = co_await open_connection(endpoint, tls, deadline);
      if (!opened) co_return opened.error();
      connection = std::move(*opened);
    }
    connection->tcp().expires_at(deadline);
    Exchanged exchanged = exchange_failed(Error(ErrorCode::kInternal, "no exchange"), false);
    if (connection->secure) {
      exchanged = co_await write_and_read(*connection->secure, beast_request, peer, max_response_bytes);
    } else {
      exchanged = co_await write_and_read(*connection->plain, beast_request, peer, max_response_bytes);
    }
    if (!exchanged.response && reused && exchanged.nothing_received &&
        exchanged.response.error().code() == ErrorCode::kClosed) {
      // The server had closed the idle connection: it never saw the request. Once more, on a new one.
      connection.reset();
      reused = false;
      continue;
    }
    if (exchanged.response && exchanged.keep_alive && pool != nullptr) {
      pool->give_back(std::move(connection));
    } else {
      close(*connection);
    }
    co_return std::move(exchanged.response);
  }
}

}  // namespace lunora::aws
