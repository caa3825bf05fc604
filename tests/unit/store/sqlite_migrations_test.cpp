#include "store/sqlite/sqlite_migrations.hpp"

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <string>

#include "store/sqlite/sqlite_db.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "unit/store/sqlite_test_support.hpp"

namespace lunora::store {
namespace {

using testing::TempDir;

class SqliteStoreMigrationsTest : public ::testing::Test {
 protected:
  SqliteDb open_raw() {
    auto db = SqliteDb::open(path_);
    EXPECT_TRUE(db.ok()) << db.error().message();
    return std::move(*db);
  }

  int64_t version_of(SqliteDb& db) {
    auto version = schema_version(db);
    EXPECT_TRUE(version.ok()) << version.error().message();
    return version.ok() ? *version : -1;
  }

  bool has_table(SqliteDb& db, const std::string& name) {
    auto stmt = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1");
    EXPECT_TRUE(stmt.ok());
    stmt->bind_text(1, name);
    EXPECT_EQ(stmt->step(), SQLITE_ROW);
    return stmt->column_int64(0) == 1;
  }

  TempDir dir_;
  std::string path_ = dir_.file("lunora.db");
};

TEST_F(SqliteStoreMigrationsTest, NewFileGetsTheCurrentSchema) {
  ASSERT_TRUE(open_sqlite_store(path_).ok());
  SqliteDb db = open_raw();
  EXPECT_EQ(version_of(db), static_cast<int64_t>(lunora_migrations().size()));
  for (const char* table : {"channels", "destinations", "events", "settings"})
    EXPECT_TRUE(has_table(db, table));

  auto applied_at = db.prepare("SELECT applied_at FROM schema_migrations WHERE version = 1");
  ASSERT_TRUE(applied_at.ok());
  ASSERT_EQ(applied_at->step(), SQLITE_ROW);
  EXPECT_FALSE(applied_at->column_text(0).empty());
}

TEST_F(SqliteStoreMigrationsTest, EmptyFileGetsMigrated) {
  std::ofstream(path_).close();  // zero bytes: what a crash right after creating the file leaves
  auto store = open_sqlite_store(path_);
  ASSERT_TRUE(store.ok()) << store.error().message();
  EXPECT_TRUE((*store)->list_channels().ok());
}

TEST_F(SqliteStoreMigrationsTest, SchemaZeroGetsMigrated) {
  {
    SqliteDb db = open_raw();
    ASSERT_TRUE(
        db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)").ok());
  }
  auto store = open_sqlite_store(path_);
  ASSERT_TRUE(store.ok()) << store.error().message();
  store->reset();
  SqliteDb db = open_raw();
  EXPECT_EQ(version_of(db), static_cast<int64_t>(lunora_migrations().size()));
}

TEST_F(SqliteStoreMigrationsTest, NewerSchemaIsRefusedUnchanged) {
  {
    SqliteDb db = open_raw();
    ASSERT_TRUE(db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT);"
                        "INSERT INTO schema_migrations VALUES (99, 'later')")
                    .ok());
  }
  auto store = open_sqlite_store(path_);
  ASSERT_FALSE(store.ok());
  const std::string expected = path_ + " was written by a newer Lunora (schema 99, this binary knows " +
                               std::to_string(lunora_migrations().size()) + ")";
  EXPECT_EQ(store.error().message(), expected);

  SqliteDb db = open_raw();
  EXPECT_FALSE(has_table(db, "channels"));
  EXPECT_EQ(version_of(db), 99);
}

TEST_F(SqliteStoreMigrationsTest, AppliesOnlyTheStepsNotYetSeen) {
  const std::array<const char*, 2> steps = {"CREATE TABLE a (x)", "CREATE TABLE b (x)"};
  SqliteDb db = open_raw();
  ASSERT_TRUE(apply_migrations(db, std::span(steps).first(1)).ok());
  EXPECT_EQ(version_of(db), 1);
  // Step 1 again would fail ("table a already exists"): only step 2 may run.
  auto migrated = apply_migrations(db, steps);
  ASSERT_TRUE(migrated.ok()) << migrated.error().message();
  EXPECT_EQ(version_of(db), 2);
  EXPECT_TRUE(has_table(db, "b"));
  EXPECT_TRUE(apply_migrations(db, steps).ok());  // nothing left to do
}

TEST_F(SqliteStoreMigrationsTest, FailedStepRollsBackAndKeepsEarlierSteps) {
  const std::array<const char*, 2> steps = {"CREATE TABLE a (x)", "CREATE TABLE b (x); CREATE TABLE b (y)"};
  SqliteDb db = open_raw();
  auto migrated = apply_migrations(db, steps);
  ASSERT_FALSE(migrated.ok());
  EXPECT_EQ(migrated.error().code(), ErrorCode::kIo);
  EXPECT_NE(migrated.error().message().find("migrate to schema 2"), std::string::npos)
      << migrated.error().message();
  EXPECT_EQ(version_of(db), 1);
  EXPECT_TRUE(has_table(db, "a"));
  EXPECT_FALSE(has_table(db, "b"));  // the half of step 2 that ran was rolled back
}

TEST_F(SqliteStoreMigrationsTest, NotADatabaseIsAnIoErrorNamingTheFile) {
  std::ofstream(path_) << std::string(4096, 'n');
  auto store = open_sqlite_store(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), ErrorCode::kIo);
  EXPECT_NE(store.error().message().find(path_), std::string::npos) << store.error().message();
  EXPECT_NE(store.error().message().find("not a database"), std::string::npos) << store.error().message();
}

}  // namespace
}  // namespace lunora::store
