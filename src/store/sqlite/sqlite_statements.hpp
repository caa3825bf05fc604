// The statements the SQLite Store runs, prepared once when the file is opened and reused for every call.
#pragma once

#include "core/result.hpp"
#include "store/sqlite/sqlite_db.hpp"

namespace lunora::store {

// The statements of one record table (sqlite_records.hpp RecordSql).
struct RecordStatements {
  SqliteStatement list, get, insert, update, version_of, remove;
};

// Every statement the store runs.
struct Statements {
  SqliteStatement begin, commit, rollback;
  RecordStatements channels, destinations;
  SqliteStatement insert_event, events_after, last_event_id, prune_events;
  SqliteStatement get_setting, put_setting;
};

// Prepares them all; call after migrations, since they name the tables.
Result<Statements> prepare_statements(SqliteDb& db);

}  // namespace lunora::store
