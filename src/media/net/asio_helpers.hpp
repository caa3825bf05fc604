// Boost.Asio coroutine helpers shared by the network inputs and outputs: every network operation has a
// deadline and its failure becomes an Error with a code a person can act on (refused, timeout, DNS, TLS,
// closed). Include only from .cpp files: it pulls in Asio and OpenSSL.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <string>

#include "core/result.hpp"

namespace lunora::media {

namespace asio_detail {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
inline constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
}  // namespace asio_detail

// An Error for a failed socket operation.
inline Error socket_error(const boost::system::error_code& ec, std::string_view what) {
  namespace error = boost::asio::error;
  if (ec == error::eof || ec == error::connection_reset || ec == error::broken_pipe) {
    return Error(ErrorCode::kClosed, std::string(what) + ": connection closed by peer");
  }
  if (ec == error::connection_refused) {
    return Error(ErrorCode::kRefused, std::string(what) + ": connection refused");
  }
  if (ec == error::host_not_found || ec == error::host_not_found_try_again || ec == error::no_data) {
    return Error(ErrorCode::kDns, std::string(what) + ": " + ec.message());
  }
  if (ec == error::timed_out) return Error(ErrorCode::kTimeout, std::string(what) + ": timed out");
  return Error(ErrorCode::kIo, std::string(what) + ": " + ec.message());
}

// Sleeps until the timer is cancelled (the writer's "something to do" signal).
inline boost::asio::awaitable<void> wait_forever(boost::asio::steady_timer& timer) {
  timer.expires_at(boost::asio::steady_timer::time_point::max());
  co_await timer.async_wait(asio_detail::nothrow);
}

// Resolves and connects within `timeout`.
inline boost::asio::awaitable<Status> connect_tcp(boost::asio::ip::tcp::socket& socket,
                                                  const std::string& host, uint16_t port,
                                                  std::chrono::milliseconds timeout) {
  using namespace asio_detail;
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  asio::steady_timer timer(executor);
  timer.expires_after(timeout);
  auto resolved =
      co_await (resolver.async_resolve(host, std::to_string(port), nothrow) || timer.async_wait(nothrow));
  if (resolved.index() == 1) co_return Error(ErrorCode::kTimeout, "resolving " + host + " timed out");
  auto [rec, endpoints] = std::get<0>(resolved);
  if (rec) co_return Error(ErrorCode::kDns, "could not resolve " + host + ": " + rec.message());
  auto connected = co_await (asio::async_connect(socket, endpoints, nothrow) || timer.async_wait(nothrow));
  if (connected.index() == 1) {
    co_return Error(ErrorCode::kTimeout, "connecting to " + host + ":" + std::to_string(port) + " timed out");
  }
  if (auto ec = std::get<0>(std::get<0>(connected)); ec) {
    co_return socket_error(ec, "connecting to " + host + ":" + std::to_string(port));
  }
  co_return ok_status();
}

// TLS client handshake with SNI and, unless `insecure`, certificate and host name verification.
template <typename TlsStream>
boost::asio::awaitable<Status> tls_handshake(TlsStream& stream, const std::string& host, bool insecure,
                                             std::chrono::milliseconds timeout) {
  using namespace asio_detail;
  if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) {
    co_return Error(ErrorCode::kTls, "TLS: cannot set server name " + host);
  }
  if (!insecure) {
    stream.set_verify_mode(asio::ssl::verify_peer);
    stream.set_verify_callback(asio::ssl::host_name_verification(host));
  }
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(timeout);
  auto result =
      co_await (stream.async_handshake(asio::ssl::stream_base::client, nothrow) || timer.async_wait(nothrow));
  if (result.index() == 1) co_return Error(ErrorCode::kTimeout, "TLS handshake with " + host + " timed out");
  if (auto [ec] = std::get<0>(result); ec) {
    if (ec == asio::error::eof || ec == asio::error::connection_reset) {
      co_return Error(ErrorCode::kTls,
                      "TLS handshake with " + host + " failed: connection closed (is it a TLS port?)");
    }
    co_return Error(ErrorCode::kTls,
                    "TLS handshake with " + host + " failed: " + ec.message() +
                        (insecure ? "" : " (use --insecure-tls only for self-signed test servers)"));
  }
  co_return ok_status();
}

template <typename TlsStream>
boost::asio::awaitable<void> tls_shutdown(TlsStream& stream, std::chrono::milliseconds timeout) {
  using namespace asio_detail;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(timeout);
  co_await (stream.async_shutdown(nothrow) || timer.async_wait(nothrow));
}

// Writes all of `buffers`; a write making no progress for `timeout` is a timeout error.
template <typename Stream, typename Buffers>
boost::asio::awaitable<Status> timed_write(Stream& stream, const Buffers& buffers,
                                           std::chrono::milliseconds timeout) {
  using namespace asio_detail;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(timeout);
  auto result = co_await (asio::async_write(stream, buffers, nothrow) || timer.async_wait(nothrow));
  if (result.index() == 1) {
    co_return Error(ErrorCode::kTimeout, "write timed out (the server stopped reading)");
  }
  if (auto [ec, n] = std::get<0>(result); ec) co_return socket_error(ec, "write");
  co_return ok_status();
}

// Reads some bytes before `deadline`.
template <typename Stream>
boost::asio::awaitable<Result<size_t>> timed_read(Stream& stream, boost::asio::mutable_buffer buffer,
                                                  std::chrono::steady_clock::time_point deadline) {
  using namespace asio_detail;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_at(deadline);
  auto result = co_await (stream.async_read_some(buffer, nothrow) || timer.async_wait(nothrow));
  if (result.index() == 1) co_return Error(ErrorCode::kTimeout, "timed out waiting for the server");
  auto [ec, n] = std::get<0>(result);
  if (ec) co_return socket_error(ec, "read");
  co_return n;
}

}  // namespace lunora::media
