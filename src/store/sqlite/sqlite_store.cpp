#include "store/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "store/sqlite/sqlite_db.hpp"
#include "store/sqlite/sqlite_migrations.hpp"
#include "store/sqlite/sqlite_records.hpp"
#include "store/sqlite/sqlite_statements.hpp"

namespace lunora::store {
namespace {

int64_t clamp_to_int64(size_t n) {
  return static_cast<int64_t>(std::min<size_t>(n, std::numeric_limits<int64_t>::max()));
}

bool is_unique_violation(int extended_errcode) {
  return extended_errcode == SQLITE_CONSTRAINT_PRIMARYKEY || extended_errcode == SQLITE_CONSTRAINT_UNIQUE;
}

// The Store is used from one thread only, the control thread (DESIGN.md "Threads": SQLite writes go through
// one store thread), so it holds no lock of its own; the cached statements are not shareable anyway.
class SqliteStore final : public Store {
 public:
  SqliteStore(SqliteDb db, Statements stmts) : db_(std::move(db)), stmts_(std::move(stmts)) {}

  Result<std::vector<ChannelRecord>> list_channels() override {
    return list_rows(stmts_.channels.list, read_channel, "list channels");
  }
  Result<std::vector<DestinationRecord>> list_destinations() override {
    return list_rows(stmts_.destinations.list, read_destination, "list destinations");
  }
  Result<std::optional<ChannelRecord>> get_channel(const std::string& id) override {
    return get_row(stmts_.channels.get, id, read_channel, "get channel " + id);
  }
  Result<std::optional<DestinationRecord>> get_destination(const std::string& id) override {
    return get_row(stmts_.destinations.get, id, read_destination, "get destination " + id);
  }

  Result<CommitResult> commit(const Change& change) override;

  Result<std::vector<EventRecord>> events_after(int64_t after_id, size_t limit) override;
  Result<int64_t> last_event_id() override;
  Status prune_events(size_t keep) override;

  Result<std::optional<std::string>> get_setting(const std::string& key) override;
  Status put_setting(const std::string& key, const std::string& value) override;

 private:
  template <typename Record>
  Result<std::vector<Record>> list_rows(SqliteStatement& stmt, Record (*read)(const SqliteStatement&),
                                        std::string_view doing);
  template <typename Record>
  Result<std::optional<Record>> get_row(SqliteStatement& stmt, const std::string& id,
                                        Record (*read)(const SqliteStatement&), const std::string& doing);

  Result<CommitResult> apply(const Change& change);
  template <typename Record>
  Status put_record(RecordStatements& stmts, const Record& record,
                    void (*bind)(SqliteStatement&, const Record&), const std::string& what,
                    const std::string& parent);
  Status remove_record(RecordStatements& stmts, const std::string& id, const std::string& what);
  Error version_conflict(RecordStatements& stmts, const std::string& id, const std::string& what,
                         int64_t put_version);
  Result<int64_t> append_event(const EventRecord& event);

  Status run(SqliteStatement& stmt, std::string_view doing);
  void rollback();

  // Declared before the statements so it outlives them (close_v2 would cope either way).
  SqliteDb db_;
  Statements stmts_;
};

template <typename Record>
Result<std::vector<Record>> SqliteStore::list_rows(SqliteStatement& stmt,
                                                   Record (*read)(const SqliteStatement&),
                                                   std::string_view doing) {
  StatementScope scope(stmt);
  std::vector<Record> rows;
  for (;;) {
    const int rc = scope->step();
    if (rc == SQLITE_DONE) return rows;
    if (rc != SQLITE_ROW) return db_.error(doing);
    rows.push_back(read(stmt));
  }
}

template <typename Record>
Result<std::optional<Record>> SqliteStore::get_row(SqliteStatement& stmt, const std::string& id,
                                                   Record (*read)(const SqliteStatement&),
                                                   const std::string& doing) {
  StatementScope scope(stmt);
  scope->bind_text(1, id);
  const int rc = scope->step();
  if (rc == SQLITE_DONE) return std::optional<Record>();
  if (rc != SQLITE_ROW) return db_.error(doing);
  return std::optional<Record>(read(stmt));
}

Result<CommitResult> SqliteStore::commit(const Change& change) {
  // IMMEDIATE takes the write lock up front, so a busy file fails here (after busy_timeout), not halfway
  // through.
  if (auto begun = run(stmts_.begin, "begin"); !begun) return begun.error();
  auto applied = apply(change);
  if (!applied) {
    rollback();
    return applied.error();
  }
  if (auto committed = run(stmts_.commit, "commit"); !committed) {
    rollback();
    return committed.error();
  }
  return applied;
}

// Puts first, then deletes (destinations before channels, so a channel deleted with its destinations passes
// the foreign key), then the events announcing it all.
Result<CommitResult> SqliteStore::apply(const Change& change) {
  for (const auto& channel : change.put_channels) {
    if (auto put = put_record(stmts_.channels, channel, bind_channel, "channel " + channel.id, ""); !put) {
      return put.error();
    }
  }
  for (const auto& dest : change.put_destinations) {
    const std::string parent = "channel " + dest.channel_id;
    if (auto put = put_record(stmts_.destinations, dest, bind_destination, "destination " + dest.id, parent);
        !put) {
      return put.error();
    }
  }
  for (const auto& id : change.delete_destinations) {
    if (auto removed = remove_record(stmts_.destinations, id, "destination " + id); !removed)
      return removed.error();
  }
  for (const auto& id : change.delete_channels) {
    if (auto removed = remove_record(stmts_.channels, id, "channel " + id); !removed) return removed.error();
  }
  CommitResult result;
  for (const auto& event : change.events) {
    auto id = append_event(event);
    if (!id) return id.error();
    result.event_ids.push_back(*id);
  }
  return result;
}

// `parent` names the record a foreign key points at ("channel c1"), "" when there is none.
template <typename Record>
Status SqliteStore::put_record(RecordStatements& stmts, const Record& record,
                               void (*bind)(SqliteStatement&, const Record&), const std::string& what,
                               const std::string& parent) {
  // Version 0 creates (the primary key refuses an existing id); N updates only the row still at version N.
  SqliteStatement& stmt = record.version == 0 ? stmts.insert : stmts.update;
  StatementScope scope(stmt);
  bind(stmt, record);
  if (scope->step() == SQLITE_DONE) {
    if (db_.changes() == 1) return ok_status();
    return version_conflict(stmts, record.id, what, record.version);
  }
  const int rc = db_.extended_errcode();
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    return Error(ErrorCode::kNotFound, what + ": " + parent + " does not exist");
  if (is_unique_violation(rc)) return version_conflict(stmts, record.id, what, record.version);
  return db_.error("put " + what);
}

Error SqliteStore::version_conflict(RecordStatements& stmts, const std::string& id, const std::string& what,
                                    int64_t put_version) {
  StatementScope scope(stmts.version_of);
  scope->bind_text(1, id);
  const int rc = scope->step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_.error("read version of " + what);
  const std::string stored = rc == SQLITE_ROW
                                 ? "the stored version is " + std::to_string(scope->column_int64(0))
                                 : "it does not exist";
  return Error(ErrorCode::kConflict, what + " changed meanwhile: the put names version " +
                                         std::to_string(put_version) + " but " + stored);
}

Status SqliteStore::remove_record(RecordStatements& stmts, const std::string& id, const std::string& what) {
  StatementScope scope(stmts.remove);
  scope->bind_text(1, id);
  if (scope->step() != SQLITE_DONE) {
    // Only channels are pointed at: a channel with destinations left (store.hpp: no cascade).
    if (db_.extended_errcode() == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return Error(ErrorCode::kConflict, what + " still has destinations: delete them in the same change");
    }
    return db_.error("delete " + what);
  }
  if (db_.changes() == 0) return Error(ErrorCode::kNotFound, what + " does not exist");
  return ok_status();
}

Result<int64_t> SqliteStore::append_event(const EventRecord& event) {
  StatementScope scope(stmts_.insert_event);
  scope->bind_text(1, event.type);
  scope->bind_text(2, event.data);
  scope->bind_int64(3, event.at);
  if (scope->step() != SQLITE_DONE) return db_.error("append " + event.type + " event");
  return db_.last_insert_rowid();
}

Result<std::vector<EventRecord>> SqliteStore::events_after(int64_t after_id, size_t limit) {
  StatementScope scope(stmts_.events_after);
  scope->bind_int64(1, after_id);
  scope->bind_int64(2, clamp_to_int64(limit));
  std::vector<EventRecord> events;
  for (;;) {
    const int rc = scope->step();
    if (rc == SQLITE_DONE) return events;
    if (rc != SQLITE_ROW) return db_.error("read events");
    events.push_back(EventRecord{.id = scope->column_int64(0),
                                 .type = scope->column_text(1),
                                 .data = scope->column_text(2),
                                 .at = scope->column_int64(3)});
  }
}

Result<int64_t> SqliteStore::last_event_id() {
  StatementScope scope(stmts_.last_event_id);
  if (scope->step() != SQLITE_ROW) return db_.error("read last event id");
  return scope->column_int64(0);
}

Status SqliteStore::prune_events(size_t keep) {
  StatementScope scope(stmts_.prune_events);
  scope->bind_int64(1, clamp_to_int64(keep));
  if (scope->step() != SQLITE_DONE) return db_.error("prune events");
  return ok_status();
}

Result<std::optional<std::string>> SqliteStore::get_setting(const std::string& key) {
  StatementScope scope(stmts_.get_setting);
  scope->bind_text(1, key);
  const int rc = scope->step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return db_.error("get setting " + key);
  return std::optional<std::string>(scope->column_text(0));
}

Status SqliteStore::put_setting(const std::string& key, const std::string& value) {
  StatementScope scope(stmts_.put_setting);
  scope->bind_text(1, key);
  scope->bind_text(2, value);
  if (scope->step() != SQLITE_DONE) return db_.error("put setting " + key);
  return ok_status();
}

Status SqliteStore::run(SqliteStatement& stmt, std::string_view doing) {
  StatementScope scope(stmt);
  if (scope->step() != SQLITE_DONE) return db_.error(doing);
  return ok_status();
}

void SqliteStore::rollback() {
  // A full disk or an I/O error may already have rolled the transaction back; ROLLBACK would then only fail.
  if (db_.in_transaction()) (void)run(stmts_.rollback, "rollback");
}

Status set_journal_mode_wal(SqliteDb& db) {
  auto stmt = db.prepare("PRAGMA journal_mode = WAL");
  if (!stmt) return stmt.error();
  if (stmt->step() != SQLITE_ROW) return db.error("set journal_mode=WAL");
  const std::string mode = stmt->column_text(0);
  // SQLite answers with the mode it kept: the durability below is WAL's, so anything else is refused.
  if (mode != "wal")
    return Error(ErrorCode::kIo, db.path() + ": journal_mode stays \"" + mode + "\", not wal");
  return ok_status();
}

Status configure(SqliteDb& db) {
  // First, so that switching to WAL waits for another process holding the file rather than failing at once.
  if (auto busy = db.exec("PRAGMA busy_timeout = 5000"); !busy) return busy;
  if (auto wal = set_journal_mode_wal(db); !wal) return wal;
  // In WAL mode, NORMAL syncs the WAL only at checkpoints: a commit survives the process being killed (kill
  // -9; the WAL is in the OS page cache and replayed on the next open), though the last commits may roll back
  // after a power loss or an OS crash. FULL would fsync on every commit, on the control thread, for that last
  // case.
  if (auto sync = db.exec("PRAGMA synchronous = NORMAL"); !sync) return sync;
  // Off by default in SQLite, per connection; destinations.channel_id relies on it.
  return db.exec("PRAGMA foreign_keys = ON");
}

Status cap_page_count(SqliteDb& db, int64_t max_page_count) {
  // The one SQL text with a value in it: pragmas take no bound parameters (and pragma_max_page_count() reads
  // its argument as a schema name). The value is an integer we format ourselves, never text from outside.
  const std::string sql = "PRAGMA max_page_count = " + std::to_string(max_page_count);
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  if (stmt->step() != SQLITE_ROW) return db.error("set max_page_count");
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, const SqliteStoreOptions& options) {
  auto db = SqliteDb::open(path);
  if (!db) return db.error();
  if (auto configured = configure(*db); !configured) return configured.error();
  if (auto migrated = apply_migrations(*db, lunora_migrations()); !migrated) return migrated.error();
  if (options.max_page_count > 0) {
    if (auto capped = cap_page_count(*db, options.max_page_count); !capped) return capped.error();
  }
  auto stmts = prepare_statements(*db);
  if (!stmts) return stmts.error();
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(*db), std::move(*stmts)));
}

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path) {
  return open_sqlite_store(path, SqliteStoreOptions{});
}

}  // namespace lunora::store
