// The client against a real DynamoDB implementation (dynalite): CreateTable, PutItem, GetItem, and the
// service's own error bodies for a failed condition and a missing table. A binary of its own
// (lunora_service_tests), run by tests/integration/test_aws_dynalite.py, which starts dynalite and names it
// in LUNORA_TEST_DYNALITE_URL: unit tests start no processes.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "aws/aws_client.hpp"
#include "support/aws_client_test_support.hpp"

namespace lunora::aws {
namespace {

using nlohmann::json;
using testing::run_call;

constexpr const char* kTargetPrefix = "DynamoDB_20120810";

class AwsClientDynalite : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("LUNORA_TEST_DYNALITE_URL");
    ASSERT_TRUE(url != nullptr && *url != '\0') << "LUNORA_TEST_DYNALITE_URL must name a running dynalite";
    auto created = AwsClient::create(testing::test_client_options(url));
    ASSERT_TRUE(created.ok()) << created.error().message();
    client_ = std::move(created).value();
  }

  AwsOutcome call(const char* operation, const json& body) {
    auto outcome = run_call(*client_, json_rpc_request(kTargetPrefix, operation, body));
    EXPECT_TRUE(outcome.has_value()) << operation << " hung";
    return outcome ? std::move(*outcome) : AwsOutcome(AwsError{});
  }

  // A table per test, so that the tests share nothing through the server.
  std::string create_table() {
    const std::string table =
        std::string("lunora_") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    const AwsOutcome created =
        call("CreateTable", {{"TableName", table},
                             {"BillingMode", "PAY_PER_REQUEST"},
                             {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
                             {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}}});
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().to_error().message());
    // CreateTable answers while the table is CREATING; writes before it is ACTIVE are ResourceNotFound.
    for (int i = 0; i < 200; ++i) {
      const AwsOutcome described = call("DescribeTable", {{"TableName", table}});
      if (described.ok() && described->body["Table"]["TableStatus"] == "ACTIVE") return table;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "table " << table << " did not become ACTIVE";
    return table;
  }

  std::unique_ptr<AwsClient> client_;
};

TEST_F(AwsClientDynalite, PutThenGet) {
  const std::string table = create_table();
  const AwsOutcome put = call(
      "PutItem", {{"TableName", table}, {"Item", {{"pk", {{"S", "channel#1"}}}, {"name", {{"S", "main"}}}}}});
  ASSERT_TRUE(put.ok()) << put.error().to_error().message();
  const AwsOutcome got = call("GetItem", {{"TableName", table}, {"Key", {{"pk", {{"S", "channel#1"}}}}}});
  ASSERT_TRUE(got.ok()) << got.error().to_error().message();
  EXPECT_EQ(got->body["Item"]["name"]["S"], "main");
}

TEST_F(AwsClientDynalite, FailedConditionIsConditionalCheckFailed) {
  const std::string table = create_table();
  const json put = {{"TableName", table},
                    {"Item", {{"pk", {{"S", "lease#1"}}}}},
                    {"ConditionExpression", "attribute_not_exists(pk)"}};
  ASSERT_TRUE(call("PutItem", put).ok());
  const AwsOutcome again = call("PutItem", put);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().http_status, 400);
  EXPECT_EQ(again.error().code, "ConditionalCheckFailedException");
  EXPECT_FALSE(again.error().message.empty());
  EXPECT_FALSE(again.error().retryable);
  EXPECT_EQ(again.error().attempts, 1);
}

TEST_F(AwsClientDynalite, MissingTableIsResourceNotFound) {
  const AwsOutcome got =
      call("GetItem", {{"TableName", "lunora_no_such_table"}, {"Key", {{"pk", {{"S", "x"}}}}}});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, "ResourceNotFoundException");
  EXPECT_EQ(got.error().to_error().code(), ErrorCode::kNotFound);
}

TEST_F(AwsClientDynalite, InvalidRequestIsValidationException) {
  const AwsOutcome got = call("PutItem", {{"TableName", "x"}});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, "ValidationException");
  EXPECT_FALSE(got.error().retryable);
}

}  // namespace
}  // namespace lunora::aws
