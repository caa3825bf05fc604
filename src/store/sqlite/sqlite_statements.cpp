#include "store/sqlite/sqlite_statements.hpp"

#include <string>
#include <string_view>
#include <utility>

#include "store/sqlite/sqlite_records.hpp"

namespace lunora::store {
namespace {

Status prepare_into(SqliteDb& db, SqliteStatement& stmt, std::string_view sql) {
  auto prepared = db.prepare(sql);
  if (!prepared) return prepared.error();
  stmt = std::move(*prepared);
  return ok_status();
}

Status prepare_record(SqliteDb& db, RecordStatements& stmts, const RecordSql& sql) {
  const std::pair<SqliteStatement*, const std::string*> all[] = {{&stmts.list, &sql.list},
                                                                 {&stmts.get, &sql.get},
                                                                 {&stmts.insert, &sql.insert},
                                                                 {&stmts.update, &sql.update},
                                                                 {&stmts.version_of, &sql.version_of},
                                                                 {&stmts.remove, &sql.remove}};
  for (const auto& [stmt, text] : all) {
    if (auto prepared = prepare_into(db, *stmt, *text); !prepared) return prepared;
  }
  return ok_status();
}

}  // namespace

Result<Statements> prepare_statements(SqliteDb& db) {
  Statements s;
  const std::pair<SqliteStatement*, const char*> all[] = {
      {&s.begin, "BEGIN IMMEDIATE"},
      {&s.commit, "COMMIT"},
      {&s.rollback, "ROLLBACK"},
      {&s.insert_event, "INSERT INTO events (type, data, at) VALUES (?1, ?2, ?3)"},
      {&s.events_after, "SELECT id, type, data, at FROM events WHERE id > ?1 ORDER BY id LIMIT ?2"},
      // sqlite_sequence holds the highest id AUTOINCREMENT ever gave, even when every event was pruned.
      {&s.last_event_id, "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)"},
      {&s.prune_events,
       "DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?1)"},
      {&s.get_setting, "SELECT value FROM settings WHERE key = ?1"},
      {&s.put_setting,
       "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = "
       "excluded.value"},
  };
  for (const auto& [stmt, sql] : all) {
    if (auto prepared = prepare_into(db, *stmt, sql); !prepared) return prepared.error();
  }
  if (auto prepared = prepare_record(db, s.channels, channel_sql()); !prepared) return prepared.error();
  if (auto prepared = prepare_record(db, s.destinations, destination_sql()); !prepared)
    return prepared.error();
  return s;
}

}  // namespace lunora::store
