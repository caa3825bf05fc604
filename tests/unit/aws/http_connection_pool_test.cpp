// Keep-alive connections: an AwsClient given a pool sends its requests over one connection (plain and TLS),
// replaces one the server closed while it sat idle without counting it as an attempt, and keeps none when
// the server says Connection: close.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>

#include "aws/aws_client.hpp"
#include "aws/http_exchange.hpp"
#include "support/aws_client_test_support.hpp"
#include "support/fake_aws_server.hpp"
#include "support/test_certificate.hpp"

namespace lunora::aws {
namespace {

using testing::FakeAwsReply;
using testing::FakeAwsServer;

// The request is made outside the coroutine: GCC 12 miscompiles initializer lists inside one.
boost::asio::awaitable<void> send_pooled(const AwsClient* client, AwsRequest request,
                                         HttpConnectionPool* pool, std::optional<AwsOutcome>* out) {
  out->emplace(co_await client->send(std::move(request), pool));
}

// The io_context outlives the pool, as the pool's contract asks.
class PooledCalls {
 public:
  AwsOutcome call(const AwsClient& client) {
    std::optional<AwsOutcome> out;
    io.restart();
    AwsRequest request = json_rpc_request("DynamoDB_20120810", "GetItem", {{"TableName", "t"}});
    boost::asio::co_spawn(io, send_pooled(&client, std::move(request), &pool, &out), boost::asio::detached);
    io.run_for(std::chrono::seconds(20));
    EXPECT_TRUE(out.has_value()) << "the call hung";
    return out ? std::move(*out) : AwsOutcome(AwsError{});
  }

  boost::asio::io_context io;
  HttpConnectionPool pool;
};

std::unique_ptr<AwsClient> client_for(const std::string& url,
                                      std::shared_ptr<boost::asio::ssl::context> tls = {}) {
  auto client = AwsClient::create(lunora::testing::test_client_options(url), std::move(tls));
  EXPECT_TRUE(client.ok());
  return std::move(client).value();
}

TEST(HttpConnectionPool, RequestsShareOneKeptAliveConnection) {
  FakeAwsServer server({FakeAwsReply::json(200, "{}")}, nullptr, /*keep_alive=*/true);
  auto client = client_for(server.url());
  PooledCalls calls;
  for (int i = 0; i < 3; ++i) {
    AwsOutcome outcome = calls.call(*client);
    ASSERT_TRUE(outcome.ok()) << outcome.error().to_error().message();
    EXPECT_EQ(outcome->attempts, 1);
  }
  EXPECT_EQ(server.requests().size(), 3U);
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(calls.pool.idle(), 1U);
}

TEST(HttpConnectionPool, AConnectionTheServerClosedIsReplacedWithoutAnAttempt) {
  // This server answers once per connection and then closes it without a word.
  FakeAwsServer server({FakeAwsReply::json(200, "{}")});
  auto client = client_for(server.url());
  PooledCalls calls;
  for (int i = 0; i < 3; ++i) {
    AwsOutcome outcome = calls.call(*client);
    ASSERT_TRUE(outcome.ok()) << outcome.error().to_error().message();
    EXPECT_EQ(outcome->attempts, 1) << "a stale idle connection is no failed attempt";
  }
  EXPECT_EQ(server.requests().size(), 3U);
  EXPECT_EQ(server.connections(), 3);
}

TEST(HttpConnectionPool, ConnectionCloseIsNotKept) {
  FakeAwsServer server({FakeAwsReply::json(200, "{}", {{"Connection", "close"}})}, nullptr,
                       /*keep_alive=*/true);
  auto client = client_for(server.url());
  PooledCalls calls;
  ASSERT_TRUE(calls.call(*client).ok());
  EXPECT_EQ(calls.pool.idle(), 0U);
  ASSERT_TRUE(calls.call(*client).ok());
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpConnectionPool, AnErrorAnswerKeepsTheConnectionToo) {
  FakeAwsServer server({FakeAwsReply::json(400, R"({"__type":"x#ValidationException","message":"bad"})"),
                        FakeAwsReply::json(200, "{}")},
                       nullptr, /*keep_alive=*/true);
  auto client = client_for(server.url());
  PooledCalls calls;
  EXPECT_FALSE(calls.call(*client).ok());
  EXPECT_TRUE(calls.call(*client).ok());
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpConnectionPool, TlsConnectionsAreKeptAlive) {
  const auto certificate = lunora::testing::TestCertificate::make("IP:127.0.0.1");
  const auto server_tls = certificate.server_context();
  FakeAwsServer server({FakeAwsReply::json(200, "{}")}, server_tls.get(), /*keep_alive=*/true);
  auto client = client_for(server.url(), certificate.trusting_client_context());
  PooledCalls calls;
  for (int i = 0; i < 3; ++i) {
    AwsOutcome outcome = calls.call(*client);
    ASSERT_TRUE(outcome.ok()) << outcome.error().to_error().message();
  }
  EXPECT_EQ(server.connections(), 1) << "one TLS handshake for three requests";
  EXPECT_EQ(server.tls_handshake_failures(), 0);
}

}  // namespace
}  // namespace lunora::aws
