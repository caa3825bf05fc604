#include "store/sqlite/sqlite_migrations.hpp"

#include <array>
#include <string>

namespace lunora::store {
namespace {

// One column per record field (store.hpp), so later issues can query and index them; booleans are 0/1 and
// timestamps milliseconds since the epoch. The destinations' channel_id is an immediate foreign key without
// cascade: deleting a channel that still has destinations fails at that statement (store.hpp: the caller
// deletes them explicitly in the same Change).
constexpr const char* kSchema1 = R"sql(
CREATE TABLE channels (
  id                TEXT PRIMARY KEY NOT NULL,
  name              TEXT NOT NULL,
  engine            TEXT NOT NULL,
  input_protocol    TEXT NOT NULL,
  srt_port          INTEGER NOT NULL,
  latency_ms        INTEGER NOT NULL,
  streamid          TEXT NOT NULL,
  passphrase_sealed TEXT NOT NULL,
  rtmp_key_sealed   TEXT NOT NULL,
  auto_start        INTEGER NOT NULL,
  auto_stop_after_s INTEGER NOT NULL,
  state             TEXT NOT NULL,
  state_message     TEXT NOT NULL,
  extra_json        TEXT NOT NULL,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  version           INTEGER NOT NULL
);
CREATE TABLE destinations (
  id                 TEXT PRIMARY KEY NOT NULL,
  channel_id         TEXT NOT NULL REFERENCES channels (id),
  name               TEXT NOT NULL,
  platform           TEXT NOT NULL,
  url                TEXT NOT NULL,
  stream_key_sealed  TEXT NOT NULL,
  stream_key_hint    TEXT NOT NULL,
  desired_on         INTEGER NOT NULL,
  status             TEXT NOT NULL,
  status_since       INTEGER NOT NULL,
  last_error_code    TEXT NOT NULL,
  last_error_message TEXT NOT NULL,
  last_error_at      INTEGER NOT NULL,
  next_retry_at      INTEGER NOT NULL,
  extra_json         TEXT NOT NULL,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  version            INTEGER NOT NULL
);
-- The foreign key check on a channel delete looks destinations up by channel_id.
CREATE INDEX destinations_by_channel ON destinations (channel_id);
-- AUTOINCREMENT: ids are never reused, even after every event was pruned and the process restarted
-- (sqlite_sequence keeps the high-water mark), so an SSE client's Last-Event-ID stays meaningful.
CREATE TABLE events (
  id   INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  at   INTEGER NOT NULL
);
CREATE TABLE settings (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);
)sql";

// Schema 2: a destination's full URL sealed (a custom URL may carry the key or an SRT passphrase); `url`
// keeps the form safe to show.
constexpr const char* kSchema2 = R"sql(
ALTER TABLE destinations ADD COLUMN url_sealed TEXT NOT NULL DEFAULT '';
)sql";

constexpr std::array<const char*, 2> kMigrations = {kSchema1, kSchema2};

constexpr const char* kCreateBookkeeping =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";

Result<int64_t> read_version(SqliteDb& db) {
  auto stmt = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!stmt) return stmt.error();
  if (stmt->step() != SQLITE_ROW) return db.error("read schema version");
  return stmt->column_int64(0);
}

Status record_version(SqliteDb& db, int64_t version) {
  auto stmt = db.prepare(
      "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, strftime('%Y-%m-%dT%H:%M:%fZ', "
      "'now'))");
  if (!stmt) return stmt.error();
  stmt->bind_int64(1, version);
  if (stmt->step() != SQLITE_DONE) return db.error("record schema " + std::to_string(version));
  return ok_status();
}

Error newer_schema(const SqliteDb& db, int64_t found, size_t known) {
  return Error(ErrorCode::kInvalidArgument, db.path() + " was written by a newer Lunora (schema " +
                                                std::to_string(found) + ", this binary knows " +
                                                std::to_string(known) + ")");
}

// Inside an open transaction: applies the next step, or says there is none. The version is read inside the
// transaction so two processes opening one new file cannot both apply the same step.
Result<bool> apply_next_step(SqliteDb& db, std::span<const char* const> migrations) {
  if (auto created = db.exec(kCreateBookkeeping, "create schema_migrations"); !created)
    return created.error();
  auto version = read_version(db);
  if (!version) return version.error();
  const auto known = static_cast<int64_t>(migrations.size());
  if (*version > known) return newer_schema(db, *version, migrations.size());
  if (*version == known) return false;
  const std::string doing = "migrate to schema " + std::to_string(*version + 1);
  if (auto migrated = db.exec(migrations[static_cast<size_t>(*version)], doing); !migrated)
    return migrated.error();
  if (auto recorded = record_version(db, *version + 1); !recorded) return recorded.error();
  return true;
}

void rollback_if_open(SqliteDb& db) {
  // Some errors (a full disk, I/O) already rolled the transaction back; a second ROLLBACK would only fail.
  if (db.in_transaction()) (void)db.exec("ROLLBACK");
}

// One step in its own transaction; true when a step was applied.
Result<bool> run_one_step(SqliteDb& db, std::span<const char* const> migrations) {
  if (auto begun = db.exec("BEGIN IMMEDIATE", "begin migration"); !begun) return begun.error();
  auto applied = apply_next_step(db, migrations);
  if (!applied) {
    rollback_if_open(db);
    return applied.error();
  }
  if (auto committed = db.exec("COMMIT", "commit migration"); !committed) {
    Error error = committed.error();
    rollback_if_open(db);
    return error;
  }
  return applied;
}

}  // namespace

std::span<const char* const> lunora_migrations() {
  return kMigrations;
}

Status apply_migrations(SqliteDb& db, std::span<const char* const> migrations) {
  for (;;) {
    auto applied = run_one_step(db, migrations);
    if (!applied) return applied.error();
    if (!*applied) return ok_status();
  }
}

Result<int64_t> schema_version(SqliteDb& db) {
  auto stmt =
      db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'");
  if (!stmt) return stmt.error();
  if (stmt->step() != SQLITE_ROW) return db.error("look for schema_migrations");
  if (stmt->column_int64(0) == 0) return int64_t{0};
  return read_version(db);
}

}  // namespace lunora::store
