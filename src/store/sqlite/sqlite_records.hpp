// How ChannelRecord and DestinationRecord map to rows: one column per field, in one list per record that
// drives the SQL text, the parameter bindings and the reading of result rows alike, so the three cannot drift
// apart.
#pragma once

#include <string>

#include "store/sqlite/sqlite_db.hpp"
#include "store/store.hpp"

namespace lunora::store {

// The statements for one record table. Every statement that writes binds the whole record as ?1..?N in field
// order (id first, version last); `insert` and `update` store version ?N + 1, and `update` only matches the
// row whose stored version is ?N — the optimistic concurrency of store.hpp, in SQL.
struct RecordSql {
  std::string list;        // all rows, ORDER BY created_at, id
  std::string get;         // WHERE id = ?1
  std::string insert;      // fails on an existing id (primary key)
  std::string update;      // changes no row when the id is missing or the version is stale
  std::string version_of;  // SELECT version WHERE id = ?1, to say why an update matched nothing
  std::string remove;      // WHERE id = ?1
};

const RecordSql& channel_sql();
const RecordSql& destination_sql();

void bind_channel(SqliteStatement& stmt, const ChannelRecord& channel);
void bind_destination(SqliteStatement& stmt, const DestinationRecord& destination);

// Reads the current row of a statement built from channel_sql().list / .get (resp. destination_sql()).
ChannelRecord read_channel(const SqliteStatement& stmt);
DestinationRecord read_destination(const SqliteStatement& stmt);

}  // namespace lunora::store
