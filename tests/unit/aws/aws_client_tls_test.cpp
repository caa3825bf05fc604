// Certificate verification is on: a self-signed server fails the call (and is not retried), a server the
// client's context trusts works, and a trusted certificate for another host name still fails.
#include <gtest/gtest.h>

#include "aws/aws_client.hpp"
#include "support/aws_client_test_support.hpp"
#include "support/fake_aws_server.hpp"
#include "support/test_certificate.hpp"

namespace lunora::aws {
namespace {

using testing::FakeAwsReply;
using testing::FakeAwsServer;
using testing::run_call;
using testing::test_client_options;
using testing::TestCertificate;

AwsRequest get_item() {
  return json_rpc_request("DynamoDB_20120810", "GetItem", {{"TableName", "lunora"}});
}

TEST(AwsClientTls, SelfSignedCertificateFailsVerification) {
  const TestCertificate certificate = TestCertificate::make("IP:127.0.0.1");
  const auto server_tls = certificate.server_context();
  FakeAwsServer server({FakeAwsReply::json(200, "{}")}, server_tls.get());
  // The default context: the system's CA store, which has never heard of this certificate.
  auto client = AwsClient::create(test_client_options(server.url()));
  ASSERT_TRUE(client.ok());
  const auto outcome = run_call(**client, get_item());
  ASSERT_TRUE(outcome.has_value());
  ASSERT_FALSE(outcome->ok());
  EXPECT_EQ(outcome->error().code, kTlsCode);
  EXPECT_NE(outcome->error().message.find("certificate verify failed"), std::string::npos)
      << outcome->error().message;
  EXPECT_FALSE(outcome->error().retryable);
  EXPECT_EQ(outcome->error().attempts, 1);
  EXPECT_EQ(outcome->error().to_error().code(), ErrorCode::kTls);
  EXPECT_TRUE(server.requests().empty());
}

TEST(AwsClientTls, TrustedCertificateWorks) {
  const TestCertificate certificate = TestCertificate::make("IP:127.0.0.1");
  const auto server_tls = certificate.server_context();
  FakeAwsServer server({FakeAwsReply::json(200, R"({"Item":{}})")}, server_tls.get());
  auto client = AwsClient::create(test_client_options(server.url()), certificate.trusting_client_context());
  ASSERT_TRUE(client.ok());
  const auto outcome = run_call(**client, get_item());
  ASSERT_TRUE(outcome.has_value());
  ASSERT_TRUE(outcome->ok()) << outcome->error().message;
  EXPECT_TRUE((*outcome)->body.contains("Item"));
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].header("host"), "127.0.0.1:" + std::to_string(server.port()));
}

TEST(AwsClientTls, CertificateForAnotherHostFails) {
  const TestCertificate certificate = TestCertificate::make("DNS:dynamodb.other.example");
  const auto server_tls = certificate.server_context();
  FakeAwsServer server({FakeAwsReply::json(200, "{}")}, server_tls.get());
  auto client = AwsClient::create(test_client_options(server.url()), certificate.trusting_client_context());
  ASSERT_TRUE(client.ok());
  const auto outcome = run_call(**client, get_item());
  ASSERT_TRUE(outcome.has_value());
  ASSERT_FALSE(outcome->ok());
  EXPECT_EQ(outcome->error().code, kTlsCode);
  EXPECT_EQ(outcome->error().attempts, 1);
  EXPECT_TRUE(server.requests().empty());
}

}  // namespace
}  // namespace lunora::aws
