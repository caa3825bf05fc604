// The SQLite Store. Production code calls open_sqlite_store(path) from store.hpp; the overload here exists
// for tests that need SQLite to fail the way a real disk does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace lunora::store {

struct SqliteStoreOptions {
  // Caps the file at this many pages (PRAGMA max_page_count) for this connection only, after migrations; 0
  // keeps SQLite's default. SQLite never caps below the current size. Tests use it to get "database or disk
  // is full" without filling a disk.
  int64_t max_page_count = 0;
};

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, const SqliteStoreOptions& options);

}  // namespace lunora::store
