// The schema as an ordered list of steps, and the runner that brings a file up to date. Each step runs in its
// own transaction and is recorded in schema_migrations, so a crash between steps leaves a file at a known
// version.
#pragma once

#include <cstdint>
#include <span>

#include "core/result.hpp"
#include "store/sqlite/sqlite_db.hpp"

namespace lunora::store {

// Entry i takes a file from schema i to schema i + 1. Append only: files in the field are already past every
// released step, so a released step never changes.
std::span<const char* const> lunora_migrations();

// Applies the steps the file has not seen yet. A file at a schema newer than `migrations.size()` was written
// by a newer binary: it is refused unchanged, with an error saying both versions.
Status apply_migrations(SqliteDb& db, std::span<const char* const> migrations);

// The last step applied; 0 for a new file.
Result<int64_t> schema_version(SqliteDb& db);

}  // namespace lunora::store
