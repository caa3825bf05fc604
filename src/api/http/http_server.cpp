// The only translation unit that includes Beast (TOOLING.md: ~15 s each to compile).
#include "api/http/http_server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <exception>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace lunora::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr size_t kHeaderLimit = 16 * 1024;
// After an error reply the client may still be sending (a too large body): read and drop what comes for a
// while before closing, or the kernel answers the unread bytes with a RST that can destroy the reply in
// flight.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 1024 * 1024;

std::string size_text(size_t bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
    return std::to_string(bytes / (1024 * 1024)) + " MiB";
  }
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::string lower(std::string_view in) {
  std::string out(in);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string upper(std::string_view in) {
  std::string out(in);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

void log_exception(const std::exception_ptr& error, std::string_view where) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    spdlog::error("event=http_internal_error where={} error=\"{}\"", where, e.what());
  } catch (...) {
    spdlog::error("event=http_internal_error where={} error=unknown", where);
  }
}

class Connection;

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, HttpServerOptions options, std::shared_ptr<const Router> router)
      : io(io),
        options(std::move(options)),
        router(std::move(router)),
        strand(asio::make_strand(io)),
        acceptor(strand) {}

  asio::io_context& io;
  const HttpServerOptions options;
  const std::shared_ptr<const Router> router;
  // The acceptor strand: runs the accept loop and stop()'s shutdown, owns `acceptor` (start() touches it
  // before the accept loop exists).
  asio::strand<asio::io_context::executor_type> strand;
  tcp::acceptor acceptor;
  std::atomic<uint16_t> bound_port{0};

  // Guards `connections` and `stopping`. A mutex rather than the acceptor strand: connections register from
  // the accept loop but unregister from their own strands, and a post per unregistration buys nothing.
  std::mutex connections_mutex;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;  // weak: no cycle with `Impl`
  bool stopping = false;

  awaitable<void> accept_loop();
  void shutdown();  // on `strand`
  bool track(const std::shared_ptr<Connection>& connection);
  void untrack(Connection* connection);
};

namespace {

// One client connection. Everything here runs on the connection's strand, the executor of `stream`.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<HttpServer::Impl> server, tcp::socket socket)
      : server_(std::move(server)), stream_(std::move(socket)) {
    boost::system::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    peer_ = ec ? "unknown" : endpoint_text(remote);
  }

  asio::any_io_executor executor() { return stream_.get_executor(); }

  awaitable<void> run();

  // stop(): ends the connection wherever it is (reading, in a handler, streaming events).
  void close() {
    closing_ = true;
    if (sse_) sse_->close();
    boost::system::error_code ignored;
    stream_.socket().close(ignored);
  }

 private:
  // Serves one request; false when the connection is to be closed.
  awaitable<bool> serve_one(beast::flat_buffer& buffer);
  // `method` and `path` name the request in the log when its header was read ("-" otherwise).
  awaitable<bool> read_failed(const boost::system::error_code& ec, const std::string& method,
                              const std::string& path, size_t body_limit);
  awaitable<bool> respond(HttpResponse response, unsigned version, bool keep_alive, const std::string& method,
                          const std::string& path, Clock::time_point started);
  // An error reply after which the connection closes.
  awaitable<bool> fail(int status, const std::string& code, const std::string& message,
                       const std::string& method = "-", const std::string& path = "-");
  awaitable<void> stream_events(std::shared_ptr<SseChannel> channel, unsigned version,
                                const std::string& method, const std::string& path,
                                Clock::time_point started);
  awaitable<void> linger_close();

  const std::shared_ptr<HttpServer::Impl> server_;  // keeps the options and router alive past ~HttpServer
  beast::tcp_stream stream_;
  std::string peer_;
  bool closing_ = false;
  std::shared_ptr<SseChannel> sse_;  // the stream being written, so close() can end it
};

awaitable<void> Connection::run() {
  auto self = shared_from_this();
  // Unregisters however the coroutine ends (an exception is logged by co_spawn's completion handler).
  struct Untrack {
    Connection* connection;
    ~Untrack() { connection->server_->untrack(connection); }
  } untrack{this};
  beast::flat_buffer buffer;
  while (!closing_ && co_await serve_one(buffer)) {
  }
  boost::system::error_code ignored;
  stream_.socket().close(ignored);
}

awaitable<bool> Connection::serve_one(beast::flat_buffer& buffer) {
  const auto& options = server_->options;
  http::request_parser<http::string_body> parser;
  parser.header_limit(kHeaderLimit);
  // No limit while the header is read: each request's own limit is set once its target is known (below).
  parser.body_limit(boost::none);
  size_t body_limit = options.max_body_bytes;

  // One deadline for the whole request: an idle keep-alive connection and a client trickling bytes both end.
  stream_.expires_after(options.idle_timeout);
  auto [ec, n] = co_await http::async_read_header(stream_, buffer, parser, nothrow);
  const auto started = Clock::now();
  if (!ec) {
    const auto& header = parser.get();
    if (options.is_upload && options.is_upload(header.method_string(), header.target())) {
      body_limit = options.max_upload_bytes;
    }
    if (!ec && parser.content_length().value_or(0) > body_limit) {
      ec = http::error::body_limit;
    } else if (!ec) {
      parser.body_limit(body_limit);
    }
  }
  if (!ec && !parser.is_done()) {
    const auto& header = parser.get();
    if (header.version() >= 11 && lower(header[http::field::expect]) == "100-continue") {
      // The body fits (the parser checked Content-Length): tell the client to send it now, not after its own
      // timeout (curl waits 1 s).
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      std::tie(ec, n) = co_await asio::async_write(stream_, asio::buffer(kContinue), nothrow);
    }
    if (!ec) std::tie(ec, n) = co_await http::async_read(stream_, buffer, parser, nothrow);
  }
  if (ec) {
    std::string method = "-";
    std::string path = "-";
    if (parser.is_header_done()) {
      // Beast admits no control characters or spaces in a target: safe to log as sent, minus the query.
      method = upper(parser.get().method_string());
      const std::string_view target = parser.get().target();
      path = std::string(target.substr(0, target.find('?')));
    }
    co_return co_await read_failed(ec, method, path, body_limit);
  }

  auto& message = parser.get();
  HttpRequest request;
  request.peer = peer_;
  if (!request.set_target(message.method_string(), message.target())) {
    co_return co_await fail(400, "bad_request", "the request target is not a valid path", request.method);
  }
  // The log names the path still percent-encoded: a decoded one could carry line breaks into the log.
  const std::string log_path(request.target.substr(0, request.target.find('?')));
  for (const auto& field : message) request.add_header(field.name_string(), field.value());
  request.body = std::move(message.body());
  const unsigned version = message.version();
  const bool keep_alive = message.keep_alive();

  HttpReply reply;
  try {
    reply = co_await server_->router->dispatch(request);
  } catch (const std::exception& e) {
    spdlog::error("event=http_handler_error method={} path={} error=\"{}\"", request.method, log_path,
                  e.what());
    reply = json_error(500, "internal", "internal server error");
  } catch (...) {
    spdlog::error("event=http_handler_error method={} path={} error=unknown", request.method, log_path);
    reply = json_error(500, "internal", "internal server error");
  }

  if (auto* channel = std::get_if<std::shared_ptr<SseChannel>>(&reply)) {
    if (*channel) {
      co_await stream_events(std::move(*channel), version, request.method, log_path, started);
      co_return false;
    }
    spdlog::error("event=http_handler_error method={} path={} error=\"null event stream\"", request.method,
                  log_path);
    reply = json_error(500, "internal", "internal server error");
  }
  co_return co_await respond(std::move(std::get<HttpResponse>(reply)), version, keep_alive, request.method,
                             log_path, started);
}

awaitable<bool> Connection::read_failed(const boost::system::error_code& ec, const std::string& method,
                                        const std::string& path, size_t body_limit) {
  if (ec == http::error::body_limit) {
    co_return co_await fail(413, "payload_too_large", "request body is larger than " + size_text(body_limit),
                            method, path);
  }
  if (ec == http::error::header_limit) {
    co_return co_await fail(431, "headers_too_large",
                            "request headers are larger than " + size_text(kHeaderLimit));
  }
  // A peer that closed (between requests or mid-request), an idle timeout, stop(): close without a word.
  if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == beast::error::timeout ||
      ec.category() != http::make_error_code(http::error::bad_target).category()) {
    co_return false;
  }
  co_return co_await fail(400, "bad_request", "malformed HTTP request");
}

awaitable<bool> Connection::fail(int status, const std::string& code, const std::string& message,
                                 const std::string& method, const std::string& path) {
  const auto started = Clock::now();
  co_await respond(json_error(status, code, message), 11, false, method, path, started);
  co_await linger_close();
  co_return false;
}

awaitable<bool> Connection::respond(HttpResponse response, unsigned version, bool keep_alive,
                                    const std::string& method, const std::string& path,
                                    Clock::time_point started) {
  const int status = wire_status(response);
  const bool bodiless = status == 204 || status == 304;  // no body and no Content-Length (RFC 9110)
  http::response<http::string_body> message;
  message.version(version);
  message.result(static_cast<unsigned>(status));
  std::vector<std::string> dropped;
  for (const auto& [name, value] : wire_headers(response, &dropped)) message.insert(name, value);
  for (const auto& name : dropped) spdlog::warn("event=http_header_dropped path={} header={}", path, name);
  message.keep_alive(keep_alive && !closing_);
  if (!bodiless) {
    message.body() = std::move(response.body);
    message.prepare_payload();  // Content-Length
  }

  stream_.expires_after(server_->options.idle_timeout);
  auto [ec, n] = co_await http::async_write(stream_, message, nothrow);
  spdlog::debug("event=http_request method={} path={} status={} duration_ms={}", method, path, status,
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
  co_return !ec && message.keep_alive();
}

awaitable<void> Connection::stream_events(std::shared_ptr<SseChannel> channel, unsigned version,
                                          const std::string& method, const std::string& path,
                                          Clock::time_point started) {
  sse_ = channel;
  if (closing_) channel->close();  // stop() came while the handler ran

  http::response<http::empty_body> header(http::status::ok, version);
  header.set(http::field::content_type, "text/event-stream");
  header.set(http::field::cache_control, "no-cache");
  header.set(http::field::connection, "keep-alive");
  header.set("X-Accel-Buffering", "no");  // nginx in front must pass events through, not buffer them
  http::response_serializer<http::empty_body> serializer(header);
  const auto write_timeout = server_->options.idle_timeout;
  stream_.expires_after(write_timeout);
  auto [ec, n] = co_await http::async_write_header(stream_, serializer, nothrow);
  // No Content-Length and no chunking: the body runs until the connection closes, which is how it ends.
  while (!ec) {
    stream_.expires_never();  // waiting for events is not idleness; the heartbeat keeps the line alive
    auto block = co_await channel->next(server_->options.sse_heartbeat);
    if (!block) break;
    // A client that stops reading stalls this write: the channel overflows and closes meanwhile, and the
    // deadline ends the write.
    stream_.expires_after(write_timeout);
    std::tie(ec, n) = co_await asio::async_write(stream_, asio::buffer(*block), nothrow);
  }
  channel->close();  // the producer sees push() fail and drops it
  sse_.reset();
  spdlog::debug("event=http_request method={} path={} status=200 sse=true duration_ms={}", method, path,
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
}

awaitable<void> Connection::linger_close() {
  boost::system::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTimeout);
  std::vector<char> sink(4096);
  size_t drained = 0;
  while (!closing_ && drained < kLingerBytes) {
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(sink), nothrow);
    if (ec) break;
    drained += n;
  }
}

}  // namespace

awaitable<void> HttpServer::Impl::accept_loop() {
  auto self = shared_from_this();
  for (;;) {
    // Each connection gets its own strand: handlers of one connection never run concurrently, different
    // connections run in parallel on the io_context's threads.
    auto [ec, socket] =
        co_await acceptor.async_accept(asio::any_io_executor(asio::make_strand(io.get_executor())), nothrow);
    if (ec) {
      if (!acceptor.is_open()) co_return;  // stop()
      spdlog::warn("event=http_accept_error error=\"{}\"", ec.message());
      // Out of file descriptors fails at once and again: pause rather than spin.
      asio::steady_timer pause(strand, std::chrono::milliseconds(100));
      co_await pause.async_wait(nothrow);
      continue;
    }
    // A response goes out in more than one write (header, body): without TCP_NODELAY, Nagle holds the second
    // until the client's delayed ACK (40-200 ms on Linux).
    boost::system::error_code ignored;
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    auto connection = std::make_shared<Connection>(self, std::move(socket));
    if (!track(connection)) co_return;  // stopping: `connection` goes out of scope and closes its socket
    asio::co_spawn(connection->executor(), connection->run(),
                   [](const std::exception_ptr& error) { log_exception(error, "connection"); });
  }
}

bool HttpServer::Impl::track(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(connections_mutex);
  if (stopping) return false;
  connections.emplace(connection.get(), connection);
  return true;
}

void HttpServer::Impl::untrack(Connection* connection) {
  std::lock_guard lock(connections_mutex);
  connections.erase(connection);
}

void HttpServer::Impl::shutdown() {
  boost::system::error_code ignored;
  acceptor.close(ignored);
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(connections_mutex);
    stopping = true;
    for (auto& [raw, weak] : connections) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
  }
  // Each connection's socket and channel belong to its strand: close them there.
  for (auto& connection : live) {
    asio::post(connection->executor(), [connection] { connection->close(); });
  }
}

HttpServer::HttpServer(asio::io_context& io, HttpServerOptions options, std::shared_ptr<const Router> router)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(router))) {}

HttpServer::~HttpServer() {
  try {
    stop();
  } catch (const std::exception& e) {  // posting can fail to allocate: a destructor must not throw
    spdlog::error("event=http_stop_failed error=\"{}\"", e.what());
  }
}

Status HttpServer::start() {
  auto& impl = *impl_;
  const auto& host = impl.options.host;
  const std::string where = host + ":" + std::to_string(impl.options.port);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) {
    return Error(ErrorCode::kInvalidArgument,
                 "cannot listen on " + where + ": the host must be an IP address");
  }
  const tcp::endpoint endpoint(address, impl.options.port);
  // The accept loop does not exist yet: nothing else touches the acceptor, so no need to be on its strand.
  auto& acceptor = impl.acceptor;
  acceptor.open(endpoint.protocol(), ec);
  // reuse_address: restart at once over TIME_WAIT connections; a live listener still makes bind() fail.
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return Error(ErrorCode::kIo, "cannot listen on " + where + ": " + ec.message());
  }
  impl.bound_port = acceptor.local_endpoint(ec).port();
  spdlog::info("event=http_listening address={}:{}", host, impl.bound_port.load());
  asio::co_spawn(impl.strand, impl.accept_loop(),
                 [](const std::exception_ptr& error) { log_exception(error, "accept_loop"); });
  return ok_status();
}

void HttpServer::stop() {
  asio::post(impl_->strand, [impl = impl_] { impl->shutdown(); });
}

uint16_t HttpServer::port() const {
  return impl_->bound_port.load();
}

}  // namespace lunora::api
