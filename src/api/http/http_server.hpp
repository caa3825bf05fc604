// HTTP/1.1 server on Boost.Beast: keep-alive, bodies capped (413 with a JSON error), malformed requests
// answered 400 and closed, idle connections timed out, SSE replies streamed. Serves a Router on an
// io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/http/router.hpp"
#include "core/result.hpp"

namespace lunora::api {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = any free port (see HttpServer::port())
  size_t max_body_bytes = 64 * 1024;
  // Routes that take a file (a slate picture) may send up to max_upload_bytes.
  size_t max_upload_bytes = 8 * 1024 * 1024;
  std::function<bool(std::string_view method, std::string_view target)> is_upload;
  // Milliseconds so tests can run short; `= std::chrono::seconds(n)` still works.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  std::chrono::milliseconds sse_heartbeat{std::chrono::seconds(15)};
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpServerOptions options, std::shared_ptr<const Router> router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; an error naming the address when the port is taken.
  Status start();
  // Closes the listener and every connection (SSE streams included).
  void stop();
  uint16_t port() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace lunora::api
