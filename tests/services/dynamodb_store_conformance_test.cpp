// The store conformance suite (tests/support/store_conformance.hpp) against the DynamoDB store on dynalite:
// the same behaviour as SQLite, through every operation the store uses. Each harness gets a table of its own
// (--create-table), so tests share nothing through the server; reopen() opens a new store on that table.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

#include "store/dynamodb/dynamodb_store.hpp"
#include "support/aws_client_test_support.hpp"
#include "support/store_conformance.hpp"

namespace lunora::store::testing {
namespace {

class DynamoDbHarness final : public StoreHarness {
 public:
  DynamoDbHarness(std::string endpoint, std::string table)
      : endpoint_(std::move(endpoint)), table_(std::move(table)) {
    reopen();
  }

  Store& store() override { return *store_; }

  void reopen() override {
    store_.reset();
    auto client = aws::AwsClient::create(lunora::testing::test_client_options(endpoint_));
    ASSERT_TRUE(client.ok()) << client.error().message();
    auto opened = open_dynamodb_store(std::move(*client), {.table = table_, .create_table = true});
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    store_ = std::move(*opened);
  }

 private:
  std::string endpoint_;
  std::string table_;
  std::unique_ptr<Store> store_;
};

std::unique_ptr<StoreHarness> make_dynamodb_harness() {
  static std::atomic<int> tables{0};
  const char* url = std::getenv("LUNORA_TEST_DYNALITE_URL");
  if (url == nullptr || *url == '\0') {
    ADD_FAILURE() << "LUNORA_TEST_DYNALITE_URL must name a running dynalite";
    return nullptr;
  }
  return std::make_unique<DynamoDbHarness>(url, "lunora_conformance_" + std::to_string(tables++));
}

INSTANTIATE_TEST_SUITE_P(DynamoDb, StoreConformance,
                         ::testing::Values(StoreFactory{.name = "dynamodb", .make = make_dynamodb_harness}),
                         StoreFactoryName());

}  // namespace
}  // namespace lunora::store::testing
