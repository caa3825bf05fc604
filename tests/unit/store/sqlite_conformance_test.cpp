// The store conformance suite (tests/support/store_conformance.hpp) against the SQLite store: a fresh file in
// a directory of its own per test; reopening closes the file and opens it again.
#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "support/store_conformance.hpp"
#include "unit/store/sqlite_test_support.hpp"

namespace lunora::store::testing {
namespace {

class SqliteHarness final : public StoreHarness {
 public:
  Store& store() override { return *store_; }

  void reopen() override {
    store_.reset();  // closes the file before it is opened again
    auto opened = open_sqlite_store(path_);
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    store_ = std::move(*opened);
  }

 private:
  TempDir dir_;
  std::string path_ = dir_.file("lunora.db");
  std::unique_ptr<Store> store_;
};

std::unique_ptr<StoreHarness> make_sqlite_harness() {
  auto harness = std::make_unique<SqliteHarness>();
  harness->reopen();  // the first open
  if (::testing::Test::HasFatalFailure()) return nullptr;
  return harness;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance,
                         ::testing::Values(StoreFactory{.name = "sqlite", .make = make_sqlite_harness}),
                         StoreFactoryName());

}  // namespace
}  // namespace lunora::store::testing
