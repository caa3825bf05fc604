// One HTTP/1.1 request and its response over a TCP or TLS connection, within a deadline: the transport under
// the AWS client. Connections are fresh, or kept alive in an HttpConnectionPool and reused. The only file of
// aws/ with Beast in it (a Beast+SSL translation unit is slow to compile, TOOLING.md).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "aws/endpoint.hpp"
#include "core/result.hpp"

namespace boost::asio::ssl {
class context;
}

namespace lunora::aws {

struct HttpRequest {
  std::string method;
  std::string target;  // path and query, as on the wire
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  std::string body;

  // The first header of that name (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

// Idle keep-alive connections to one endpoint, reused by the next request: without them every AWS request
// pays a TCP connect and a TLS handshake (tens of milliseconds to a regional endpoint). Every connection
// belongs to the io_context its request ran on and is only reused on that one: destroy the pool before that
// io_context.
class HttpConnectionPool {
 public:
  struct Connection;

  explicit HttpConnectionPool(size_t max_idle = 4,
                              std::chrono::milliseconds max_idle_time = std::chrono::seconds(20));
  ~HttpConnectionPool();
  HttpConnectionPool(const HttpConnectionPool&) = delete;
  HttpConnectionPool& operator=(const HttpConnectionPool&) = delete;

  size_t idle() const;

  // An idle connection for that executor that has not sat longer than max_idle_time, or null.
  std::unique_ptr<Connection> take(const boost::asio::any_io_executor& executor);
  void give_back(std::unique_ptr<Connection> connection);

 private:
  const size_t max_idle_;
  const std::chrono::milliseconds max_idle_time_;
  mutable std::mutex mutex_;  // guards idle_: requests may run on several threads
  std::vector<std::unique_ptr<Connection>> idle_;
};

// A client context that verifies certificates against the system's CA store (the AWS endpoints' chains).
std::shared_ptr<boost::asio::ssl::context> make_verifying_tls_context();

// Resolves, connects, (for https: handshakes with SNI, certificate and host name verification through `tls`),
// writes the request and reads the response, everything before `deadline`. A failure is an Error coded
// kTimeout, kRefused, kClosed, kDns, kTls, kParse or kIo. With a pool, an idle connection is used first (one
// the server closed meanwhile is replaced by a fresh one, once, before anything was answered) and a response
// that allows it leaves its connection in the pool; without one the connection is closed afterwards.
boost::asio::awaitable<Result<HttpResponse>> http_exchange(const Endpoint& endpoint,
                                                           boost::asio::ssl::context& tls,
                                                           HttpRequest request,
                                                           std::chrono::steady_clock::time_point deadline,
                                                           size_t max_response_bytes,
                                                           HttpConnectionPool* pool = nullptr);

}  // namespace lunora::aws
