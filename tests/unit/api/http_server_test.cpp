// HttpServer over real sockets on 127.0.0.1 (port 0), the io_context on a thread of its own, clients on the
// test thread with deadlines on every read.
#include "api/http/http_server.hpp"

#include <gtest/gtest.h>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "unit/api/http_test_client.hpp"

namespace lunora::api {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::ClientResponse;
using test::get_request;
using test::TestClient;

nlohmann::json json_body(const ClientResponse& response) {
  return nlohmann::json::parse(response.body, nullptr, false);
}

std::string post_request(const std::string& target, const std::string& body) {
  return "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Keeps what the server logs, for the test that checks no secret reaches the log.
class CapturingSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string text() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    text_.append(message.payload.data(), message.payload.size());
    text_ += "\n";
  }
  void flush_() override {}

 private:
  std::string text_;  // guarded by base_sink's mutex_
};

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() : other_strand_(asio::make_strand(other_io_)) {
    auto router = std::make_shared<Router>();
    router->add("GET", "/hello", [](HttpRequest&) -> asio::awaitable<HttpReply> {
      co_return HttpResponse{200, "text/plain", "hello", {}};
    });
    router->add("GET", "/items/{id}", [](HttpRequest& request) -> asio::awaitable<HttpReply> {
      co_return HttpResponse{
          200, "application/json", nlohmann::json{{"get", request.path_params["id"]}}.dump(), {}};
    });
    router->add("GET", "/items/special", [](HttpRequest&) -> asio::awaitable<HttpReply> {
      co_return HttpResponse{200, "application/json", R"({"special":true})", {}};
    });
    router->add("POST", "/items/{id}", [](HttpRequest& request) -> asio::awaitable<HttpReply> {
      co_return HttpResponse{
          201, "application/json", nlohmann::json{{"post", request.path_params["id"]}}.dump(), {}};
    });
    router->add("GET", "/echo/{name}", [](HttpRequest& request) -> asio::awaitable<HttpReply> {
      nlohmann::json body = {{"method", request.method}, {"target", request.target},
                             {"path", request.path},     {"name", request.path_params["name"]},
                             {"query", request.query},   {"custom", request.header("X-Custom")},
                             {"peer", request.peer}};
      co_return HttpResponse{200, "application/json", body.dump(), {{"Cache-Control", "max-age=5"}}};
    });
    router->add("POST", "/body", [](HttpRequest& request) -> asio::awaitable<HttpReply> {
      co_return HttpResponse{
          200, "application/json", nlohmann::json{{"size", request.body.size()}}.dump(), {}};
    });
    router->add("GET", "/boom", [](HttpRequest&) -> asio::awaitable<HttpReply> {
      throw std::runtime_error("handler failed");
      co_return HttpResponse{};
    });
    router->add("DELETE", "/gone/{id}", [](HttpRequest&) -> asio::awaitable<HttpReply> {
      // A body on a 204 is a handler's slip: the server drops it rather than break the framing.
      co_return HttpResponse{204, "application/json", "{}", {{"X-Smuggled", "a\r\nSet-Cookie: x=1"}}};
    });
    // A handler that does its work on another io_context (as the control plane's store strand would).
    router->add("GET", "/elsewhere", [this](HttpRequest&) -> asio::awaitable<HttpReply> {
      auto answer = co_await asio::co_spawn(
          other_strand_,
          []() -> asio::awaitable<std::string> {
            asio::steady_timer timer(co_await asio::this_coro::executor, 5ms);
            co_await timer.async_wait(asio::use_awaitable);
            co_return "done elsewhere";
          },
          asio::use_awaitable);
      co_return HttpResponse{200, "text/plain", answer, {}};
    });
    router->add("GET", "/slow", [this](HttpRequest&) -> asio::awaitable<HttpReply> {
      {
        std::lock_guard lock(channels_mutex_);
        slow_started_ = true;
      }
      channels_changed_.notify_all();
      asio::steady_timer timer(co_await asio::this_coro::executor, 300ms);
      co_await timer.async_wait(asio::use_awaitable);
      co_return HttpResponse{200, "text/plain", "slow", {}};
    });
    router->add("GET", "/events", [this](HttpRequest&) -> asio::awaitable<HttpReply> {
      auto channel = std::make_shared<SseChannel>(co_await asio::this_coro::executor, sse_queue_limit_);
      {
        std::lock_guard lock(channels_mutex_);
        channels_.push_back(channel);
      }
      channels_changed_.notify_all();
      co_return channel;
    });
    router_ = router;
  }

  ~HttpServerTest() override {
    if (server_) server_->stop();
    server_.reset();  // in-flight coroutines keep what they need alive
    work_.reset();
    if (runner_.joinable()) {
      // stop() must end every connection: run() then returns on its own.
      if (ran_out_.wait_for(5s) != std::future_status::ready) {
        ADD_FAILURE() << "connections still running 5 s after stop()";
        io_.stop();
      }
      runner_.join();
    }
    other_work_.reset();
    if (other_runner_.joinable()) other_runner_.join();
    if (previous_logger_) spdlog::set_default_logger(previous_logger_);
  }

  void start(HttpServerOptions options = {}) {
    options.port = 0;
    server_ = std::make_unique<HttpServer>(io_, options, router_);
    const Status started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error().message();
    ASSERT_NE(server_->port(), 0);
    std::promise<void> ran_out;
    ran_out_ = ran_out.get_future();
    runner_ = std::thread([this, ran_out = std::move(ran_out)]() mutable {
      io_.run();
      ran_out.set_value();
    });
    other_runner_ = std::thread([this] { other_io_.run(); });
  }

  uint16_t port() const { return server_->port(); }

  // The channel of the n-th /events request (0-based), once its handler has run.
  std::shared_ptr<SseChannel> sse_channel(size_t n) {
    std::unique_lock lock(channels_mutex_);
    if (!channels_changed_.wait_for(lock, 5s, [&] { return channels_.size() > n; })) return nullptr;
    return channels_[n];
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread runner_;
  std::future<void> ran_out_;
  asio::io_context other_io_;
  asio::executor_work_guard<asio::io_context::executor_type> other_work_ = asio::make_work_guard(other_io_);
  asio::strand<asio::io_context::executor_type> other_strand_;
  std::thread other_runner_;
  std::shared_ptr<const Router> router_;
  std::unique_ptr<HttpServer> server_;
  size_t sse_queue_limit_ = 1000;
  std::mutex channels_mutex_;  // guards channels_: handlers add on the server's thread, tests read
  std::condition_variable channels_changed_;
  std::vector<std::shared_ptr<SseChannel>> channels_;
  bool slow_started_ = false;  // guarded by channels_mutex_
  std::shared_ptr<spdlog::logger> previous_logger_;
};

TEST_F(HttpServerTest, RoutesWithParamsAndLiteralPrecedence) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send(get_request("/items/abc%20d")));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(json_body(*response)["get"], "abc d");

  ASSERT_TRUE(client.send(get_request("/items/special")));
  response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(json_body(*response)["special"], true);

  ASSERT_TRUE(client.send(post_request("/items/7", "")));
  response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(json_body(*response)["post"], "7");
}

TEST_F(HttpServerTest, UnknownPathIs404AndOtherMethodIs405) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send(get_request("/x")));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->header("content-type"), "application/json");
  EXPECT_EQ(response->body, R"({"error":{"code":"not_found","message":"no route for GET /x"}})");

  ASSERT_TRUE(client.send("DELETE /items/7 HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->header("allow"), "GET, POST");
  EXPECT_EQ(json_body(*response)["error"]["code"], "method_not_allowed");
}

TEST_F(HttpServerTest, DecodesPathQueryAndHeaders) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send(
      get_request("/echo/a%2Fb%C3%A9?x=1&x=2&who=J%C3%B6rg+M&flag&q=a%26b%3Dc", "x-CUSTOM: value\r\n")));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200);
  const auto body = json_body(*response);
  EXPECT_EQ(body["method"], "GET");
  EXPECT_EQ(body["target"], "/echo/a%2Fb%C3%A9?x=1&x=2&who=J%C3%B6rg+M&flag&q=a%26b%3Dc");
  EXPECT_EQ(body["path"], "/echo/a/b\xC3\xA9");
  EXPECT_EQ(body["name"], "a/b\xC3\xA9");  // the encoded slash stayed inside its segment
  EXPECT_EQ(body["query"]["x"], "2");      // last one wins
  EXPECT_EQ(body["query"]["who"], "J\xC3\xB6rg M");
  EXPECT_EQ(body["query"]["flag"], "");
  EXPECT_EQ(body["query"]["q"], "a&b=c");
  EXPECT_EQ(body["custom"], "value");
  EXPECT_TRUE(body["peer"].get<std::string>().starts_with("127.0.0.1:"));
  // The handler's Cache-Control is kept (no no-store added).
  EXPECT_EQ(response->header("cache-control"), "max-age=5");
}

TEST_F(HttpServerTest, MethodIsUpperCased) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send("get /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send(get_request("/items/1")));
  auto first = client.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->header("cache-control"), "no-store");
  EXPECT_EQ(first->header("content-length"), std::to_string(first->body.size()));

  ASSERT_TRUE(client.send(get_request("/hello")));
  auto second = client.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "hello");
  EXPECT_EQ(second->header("content-type"), "text/plain");
  EXPECT_EQ(second->header("cache-control"), "");  // not JSON: left alone

  // Connection: close is honoured.
  ASSERT_TRUE(client.send(get_request("/hello", "Connection: close\r\n")));
  auto third = client.read_response();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->header("connection"), "close");
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send(get_request("/items/1") + get_request("/items/2")));
  auto first = client.read_response();
  auto second = client.read_response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(json_body(*first)["get"], "1");
  EXPECT_EQ(json_body(*second)["get"], "2");
}

TEST_F(HttpServerTest, BodyOfExactlyTheLimitIsAccepted) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send(post_request("/body", std::string(64 * 1024, 'x'))));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(json_body(*response)["size"], 64 * 1024);
}

TEST_F(HttpServerTest, BodyOverTheLimitIs413AndCloses) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send(post_request("/body", std::string(65 * 1024, 'x'))));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->body,
            R"({"error":{"code":"payload_too_large","message":"request body is larger than 64 KiB"}})");
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(HttpServerTest, ChunkedBodyGrowingOverTheLimitIs413) {
  start();
  TestClient client(port());
  std::string request = "POST /body HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk(16 * 1024, 'y');
  for (int i = 0; i < 5; ++i) request += "4000\r\n" + chunk + "\r\n";  // 80 KiB in 16 KiB chunks
  request += "0\r\n\r\n";
  ASSERT_TRUE(client.send(request));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(json_body(*response)["error"]["code"], "payload_too_large");
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(HttpServerTest, LimitInTheMessageFollowsTheOption) {
  HttpServerOptions options;
  options.max_body_bytes = 1024 * 1024;
  start(options);
  TestClient client(port());
  ASSERT_TRUE(client.send(post_request("/body", std::string(1024 * 1024 + 1, 'x'))));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(json_body(*response)["error"]["message"], "request body is larger than 1 MiB");
}

TEST_F(HttpServerTest, ExpectContinueGetsAnInterimResponse) {
  start();
  TestClient client(port());
  const std::string body = "0123456789";
  ASSERT_TRUE(
      client.send("POST /body HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n"));
  auto interim = client.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.send(body));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(json_body(*response)["size"], 10);
}

TEST_F(HttpServerTest, GarbageIs400AndTheServerKeepsServing) {
  start();
  TestClient garbage(port());
  ASSERT_TRUE(garbage.send("NOT HTTP\r\n\r\n"));
  auto response = garbage.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(json_body(*response)["error"]["code"], "bad_request");
  EXPECT_TRUE(garbage.wait_closed());

  TestClient client(port());
  ASSERT_TRUE(client.send(get_request("/hello")));
  response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpServerTest, TargetThatIsNotAPathIs400) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send("GET http://example.com/hello HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(json_body(*response)["error"]["code"], "bad_request");
}

TEST_F(HttpServerTest, HeadersOverTheLimitAreRefused) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send(get_request("/hello", "X-Big: " + std::string(17 * 1024, 'h') + "\r\n")));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(json_body(*response)["error"]["code"], "headers_too_large");
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(HttpServerTest, HandlerExceptionIs500AndTheServerLives) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send(get_request("/boom")));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(json_body(*response)["error"]["code"], "internal");
  EXPECT_EQ(response->body.find("handler failed"), std::string::npos);  // internals stay in the log

  // Same connection, and a new one.
  ASSERT_TRUE(client.send(get_request("/hello")));
  response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  TestClient other(port());
  ASSERT_TRUE(other.send(get_request("/hello")));
  response = other.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpServerTest, NoContentHasNoBodyAndHeadersCannotBeSmuggled) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send("DELETE /gone/3 HTTP/1.1\r\nHost: localhost\r\n\r\n" + get_request("/hello")));
  auto response = client.read_until("\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_TRUE(response->starts_with("HTTP/1.1 204 No Content\r\n")) << *response;
  EXPECT_EQ(response->find("Content-Length"), std::string::npos) << *response;
  EXPECT_EQ(response->find("Set-Cookie"), std::string::npos) << *response;
  auto next = client.read_response();  // the connection's framing is intact
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "hello");
}

TEST_F(HttpServerTest, HandlerMayAwaitAnotherExecutor) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send(get_request("/elsewhere")));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "done elsewhere");
}

TEST_F(HttpServerTest, IdleConnectionIsClosedSilently) {
  HttpServerOptions options;
  options.idle_timeout = 200ms;
  start(options);
  TestClient idle(port());
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(idle.wait_closed(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 150ms);

  // Half a request counts as idle too.
  TestClient trickle(port());
  ASSERT_TRUE(trickle.send("GET /hello HTTP/1.1\r\n"));
  EXPECT_TRUE(trickle.wait_closed(3s));
}

TEST_F(HttpServerTest, SseEventsFromAnotherThreadArriveInOrder) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send(get_request("/events")));
  auto head = client.read_until("\r\n\r\n");
  ASSERT_TRUE(head);
  EXPECT_TRUE(head->starts_with("HTTP/1.1 200 OK\r\n")) << *head;
  EXPECT_NE(head->find("Content-Type: text/event-stream\r\n"), std::string::npos) << *head;
  EXPECT_NE(head->find("Cache-Control: no-cache\r\n"), std::string::npos) << *head;
  EXPECT_NE(head->find("Connection: keep-alive\r\n"), std::string::npos) << *head;
  EXPECT_NE(head->find("X-Accel-Buffering: no\r\n"), std::string::npos) << *head;
  EXPECT_EQ(head->find("Content-Length"), std::string::npos) << *head;

  auto channel = sse_channel(0);
  ASSERT_TRUE(channel);
  std::string expected;
  for (int i = 1; i <= 100; ++i)
    expected += SseChannel::format(i, "destination", "{\"n\":" + std::to_string(i) + "}\nx");
  std::thread producer([channel] {
    for (int i = 1; i <= 100; ++i) {
      channel->push(SseChannel::format(i, "destination", "{\"n\":" + std::to_string(i) + "}\nx"));
    }
  });
  producer.join();
  auto received = client.read_until("id: 100\nevent: destination\ndata: {\"n\":100}\ndata: x\n\n");
  ASSERT_TRUE(received);
  EXPECT_EQ(*received, expected);
}

TEST_F(HttpServerTest, SseHeartbeatWhenIdle) {
  HttpServerOptions options;
  options.sse_heartbeat = 100ms;
  start(options);
  TestClient client(port());
  ASSERT_TRUE(client.send(get_request("/events")));
  ASSERT_TRUE(client.read_until("\r\n\r\n"));
  auto beat = client.read_until(": keep-alive\n\n", 3s);
  ASSERT_TRUE(beat);
  EXPECT_EQ(*beat, ": keep-alive\n\n");
  EXPECT_TRUE(client.read_until(": keep-alive\n\n", 3s));  // and again
}

TEST_F(HttpServerTest, SseClientThatStopsReadingIsClosed) {
  HttpServerOptions options;
  options.idle_timeout = 500ms;  // also the write deadline
  sse_queue_limit_ = 8;
  start(options);
  TestClient client(port());
  ASSERT_TRUE(client.send(get_request("/events")));
  ASSERT_TRUE(client.read_until("\r\n\r\n"));
  auto channel = sse_channel(0);
  ASSERT_TRUE(channel);
  // The client reads nothing: the socket buffers fill, the write stalls, the queue overflows.
  const std::string block = SseChannel::format(1, "big", std::string(64 * 1024, 'z'));
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  bool refused = false;
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    refused = !channel->push(block);
    if (!refused) std::this_thread::sleep_for(1ms);
  }
  EXPECT_TRUE(refused);
  EXPECT_TRUE(channel->closed());
  EXPECT_TRUE(client.wait_closed(10s));  // the stalled write hits its deadline and the connection ends
}

TEST_F(HttpServerTest, ClientLeavingEndsTheStream) {
  HttpServerOptions options;
  options.sse_heartbeat = 50ms;
  start(options);
  {
    TestClient client(port());
    ASSERT_TRUE(client.send(get_request("/events")));
    ASSERT_TRUE(client.read_until("\r\n\r\n"));
  }
  auto channel = sse_channel(0);
  ASSERT_TRUE(channel);
  // A heartbeat write fails on the closed socket and the server closes the channel: the producer lets go.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!channel->closed() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(channel->closed());
}

TEST_F(HttpServerTest, StopEndsSseStreamsAndKeepAliveConnections) {
  start();
  TestClient events(port());
  ASSERT_TRUE(events.send(get_request("/events")));
  ASSERT_TRUE(events.read_until("\r\n\r\n"));
  auto channel = sse_channel(0);
  ASSERT_TRUE(channel);
  ASSERT_TRUE(channel->push(SseChannel::format(1, "e", "d")));
  ASSERT_TRUE(events.read_until("data: d\n\n"));

  TestClient keep_alive(port());
  ASSERT_TRUE(keep_alive.send(get_request("/hello")));
  ASSERT_TRUE(keep_alive.read_response());

  server_->stop();
  EXPECT_TRUE(events.wait_closed());
  EXPECT_TRUE(keep_alive.wait_closed());
  EXPECT_TRUE(channel->closed());
  EXPECT_FALSE(channel->push(SseChannel::format(2, "e", "d")));

  // The listener is closed too.
  TestClient late(port());
  EXPECT_TRUE(!late.connected() || late.wait_closed());
}

TEST_F(HttpServerTest, ServerMayBeDestroyedWhileAHandlerRuns) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send(get_request("/slow")));
  {
    std::unique_lock lock(channels_mutex_);
    ASSERT_TRUE(channels_changed_.wait_for(lock, 5s, [&] { return slow_started_; }));
  }
  server_->stop();
  server_.reset();  // the handler's coroutine still runs: it must not touch a dead server
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(HttpServerTest, LogsOneLinePerRequestWithoutSecrets) {
  auto sink = std::make_shared<CapturingSink>();
  // Restored by the fixture once the server's thread is gone: spdlog's free functions use the default logger
  // through a raw pointer.
  previous_logger_ = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);
  start();
  TestClient client(port());
  ASSERT_TRUE(
      client.send(get_request("/echo/x?token=query-secret", "Authorization: Bearer header-secret\r\n")));
  ASSERT_TRUE(client.read_response());
  const std::string expected = "event=http_request method=GET path=/echo/x status=200 duration_ms=";
  const auto deadline = std::chrono::steady_clock::now() + 5s;  // the line is written after the reply
  while (sink->text().find(expected) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  const std::string text = sink->text();
  EXPECT_NE(text.find(expected), std::string::npos) << text;
  EXPECT_EQ(text.find("secret"), std::string::npos) << text;
}

TEST_F(HttpServerTest, PortInUseIsAnErrorNamingTheAddress) {
  start();
  HttpServerOptions options;
  options.port = port();
  HttpServer second(io_, options, router_);
  const Status started = second.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message(),
            "cannot listen on 127.0.0.1:" + std::to_string(port()) + ": Address already in use");
}

TEST_F(HttpServerTest, HostMustBeAnAddress) {
  HttpServerOptions options;
  options.host = "not an address";
  options.port = 0;
  HttpServer server(io_, options, router_);
  const Status started = server.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace lunora::api
