// A scripted HTTP(S) server on 127.0.0.1 standing in for an AWS endpoint in the client tests: it answers the
// n-th request with the n-th reply of its script (the last one repeats), records every request, and can hold
// a request unanswered to test timeouts. By default it closes each connection after one answer without saying
// so (as a server closing an idle keep-alive connection does); `keep_alive` serves requests on a connection
// until the client closes it. Runs its own io_context on its own thread.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace lunora::testing {

struct FakeAwsReply {
  int status = 200;
  std::string body = "{}";
  std::vector<std::pair<std::string, std::string>> headers;
  bool never_answer = false;  // read the request, then say nothing until the server stops

  static FakeAwsReply json(int status, std::string body,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
    return {status, std::move(body), std::move(headers), false};
  }
  static FakeAwsReply silence() { return {0, "", {}, true}; }
};

struct RecordedAwsRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return {};
  }
};

class FakeAwsServer {
 public:
  // `tls`: serve HTTPS with that context (its certificate and key already loaded).
  explicit FakeAwsServer(std::vector<FakeAwsReply> script, boost::asio::ssl::context* tls = nullptr,
                         bool keep_alive = false)
      : script_(std::move(script)),
        tls_(tls),
        keep_alive_(keep_alive),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    boost::asio::co_spawn(io_, accept_loop(this), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeAwsServer() {
    io_.stop();
    thread_.join();
  }
  FakeAwsServer(const FakeAwsServer&) = delete;
  FakeAwsServer& operator=(const FakeAwsServer&) = delete;

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url() const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
  }

  std::vector<RecordedAwsRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int tls_handshake_failures() const {
    std::lock_guard lock(mutex_);
    return tls_handshake_failures_;
  }
  int connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
  }

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  static constexpr auto nothrow = boost::asio::as_tuple(boost::asio::use_awaitable);

  // Plain functions, not capturing lambdas, go into co_spawn (the GCC 12 pitfall of src/api/api_routes.cpp).
  static boost::asio::awaitable<void> accept_loop(FakeAwsServer* self) {
    for (;;) {
      auto [ec, socket] = co_await self->acceptor_.async_accept(nothrow);
      if (ec) co_return;
      {
        std::lock_guard lock(self->mutex_);
        ++self->connections_;
      }
      boost::asio::co_spawn(self->io_, session(self, std::move(socket)), boost::asio::detached);
    }
  }

  static boost::asio::awaitable<void> session(FakeAwsServer* self, boost::asio::ip::tcp::socket socket) {
    if (!self->tls_) {
      boost::beast::tcp_stream stream(std::move(socket));
      while (co_await serve_one(self, stream) && self->keep_alive_) {
      }
      co_return;
    }
    boost::beast::ssl_stream<boost::beast::tcp_stream> stream(std::move(socket), *self->tls_);
    auto [ec] = co_await stream.async_handshake(boost::asio::ssl::stream_base::server, nothrow);
    if (ec) {
      std::lock_guard lock(self->mutex_);
      ++self->tls_handshake_failures_;
      co_return;
    }
    while (co_await serve_one(self, stream) && self->keep_alive_) {
    }
  }

  // True when it answered and the connection is still usable.
  template <typename Stream>
  static boost::asio::awaitable<bool> serve_one(FakeAwsServer* self, Stream& stream) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    Request request;
    if (auto [ec, n] = co_await http::async_read(stream, buffer, request, nothrow); ec) co_return false;
    const FakeAwsReply reply = self->record(request);
    if (reply.never_answer) {
      boost::asio::steady_timer forever(self->io_, boost::asio::steady_timer::time_point::max());
      co_await forever.async_wait(nothrow);
      co_return false;
    }
    http::response<http::string_body> response(static_cast<http::status>(reply.status), 11);
    for (const auto& [name, value] : reply.headers) response.set(name, value);
    response.body() = reply.body;
    response.prepare_payload();
    auto [ec, n] = co_await http::async_write(stream, response, nothrow);
    co_return !ec;
  }

  FakeAwsReply record(const Request& request) {
    RecordedAwsRequest recorded;
    recorded.method = std::string(request.method_string());
    recorded.target = std::string(request.target());
    for (const auto& field : request) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      recorded.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    recorded.body = request.body();
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(recorded));
    return script_.at(std::min(requests_.size(), script_.size()) - 1);
  }

  const std::vector<FakeAwsReply> script_;
  boost::asio::ssl::context* tls_;
  const bool keep_alive_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  mutable std::mutex mutex_;  // guards requests_ and the counters: written on the server thread
  std::vector<RecordedAwsRequest> requests_;
  int tls_handshake_failures_ = 0;
  int connections_ = 0;  // accepted
};

}  // namespace lunora::testing
