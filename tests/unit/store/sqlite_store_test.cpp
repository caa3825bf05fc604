#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/sqlite/sqlite_db.hpp"
#include "support/store_test_records.hpp"
#include "unit/store/sqlite_test_support.hpp"

namespace lunora::store {
namespace {

// What every Store does is in the conformance suite (sqlite_conformance_test.cpp); these tests are about
// SQLite itself: the file's journal mode, a full disk, a path that cannot be opened.
using testing::create_channel;
using testing::make_event;
using testing::TempDir;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  // Callers wrap it in ASSERT_NO_FATAL_FAILURE: a test must stop, not go on without a store.
  void reopen(const SqliteStoreOptions& options = {}) {
    store_.reset();  // closes the file before it is opened again
    auto opened = open_sqlite_store(path_, options);
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    store_ = std::move(*opened);
  }

  Store& store() { return *store_; }

  CommitResult commit_ok(const Change& change) { return testing::commit_ok(store(), change); }
  int64_t last_event_id() { return testing::last_event_id(store()); }

  TempDir dir_;
  std::string path_ = dir_.file("lunora.db");
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, FileIsInWalMode) {
  auto raw = SqliteDb::open(path_);
  ASSERT_TRUE(raw.ok()) << raw.error().message();
  auto stmt = raw->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(stmt.ok()) << stmt.error().message();
  ASSERT_EQ(stmt->step(), SQLITE_ROW);
  EXPECT_EQ(stmt->column_text(0), "wal");
}

// A full disk fails the change as a whole, says so, and leaves the file whole and the store usable.
TEST_F(SqliteStoreTest, FullDiskIsReportedAndLosesNothing) {
  commit_ok(create_channel("ch_1"));
  // Capped at the current size (SQLite never caps lower): updates in place still fit, new pages do not.
  ASSERT_NO_FATAL_FAILURE(reopen(SqliteStoreOptions{.max_page_count = 1}));

  Change big = create_channel("ch_2");
  EventRecord event = make_event("channel");
  event.data = std::string(256 * 1024, 'x');  // needs overflow pages
  big.events.push_back(event);
  auto result = store().commit(big);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kIo);
  EXPECT_NE(result.error().message().find("full"), std::string::npos) << result.error().message();
  EXPECT_NE(result.error().message().find(path_), std::string::npos) << result.error().message();
  EXPECT_FALSE(store().get_channel("ch_2")->has_value());
  EXPECT_EQ(last_event_id(), 0);

  // Still usable: a change that needs no new page lands.
  ChannelRecord c = **store().get_channel("ch_1");
  c.state = "running";
  Change small;
  small.put_channels.push_back(c);
  commit_ok(small);

  // No cap: what was committed is there, what failed is not, and the file is sound.
  ASSERT_NO_FATAL_FAILURE(reopen());
  auto raw = SqliteDb::open(path_);
  ASSERT_TRUE(raw.ok());
  auto check = raw->prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.ok());
  ASSERT_EQ(check->step(), SQLITE_ROW);
  EXPECT_EQ(check->column_text(0), "ok");
  EXPECT_EQ((**store().get_channel("ch_1")).state, "running");
  EXPECT_EQ((**store().get_channel("ch_1")).version, 2);
  EXPECT_FALSE(store().get_channel("ch_2")->has_value());
  EXPECT_EQ(commit_ok(big).event_ids, (std::vector<int64_t>{1}));
  EXPECT_EQ((*store().events_after(0, 1))[0].data.size(), 256u * 1024u);
}

TEST_F(SqliteStoreTest, OpeningInAMissingDirectoryNamesTheFile) {
  const std::string path = dir_.file("no/such/dir/lunora.db");
  auto opened = open_sqlite_store(path);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::kIo);
  EXPECT_NE(opened.error().message().find(path), std::string::npos) << opened.error().message();
}

}  // namespace
}  // namespace lunora::store
