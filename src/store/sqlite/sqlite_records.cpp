#include "store/sqlite/sqlite_records.hpp"

#include <cassert>
#include <string_view>
#include <vector>

namespace lunora::store {
namespace {

// The column list of each record, in the order of its fields. `Record` is const for binding, mutable for
// reading.
template <typename Visitor, typename Record>
void visit_channel(Visitor& v, Record& c) {
  v("id", c.id);
  v("name", c.name);
  v("engine", c.engine);
  v("input_protocol", c.input_protocol);
  v("srt_port", c.srt_port);
  v("latency_ms", c.latency_ms);
  v("streamid", c.streamid);
  v("passphrase_sealed", c.passphrase_sealed);
  v("rtmp_key_sealed", c.rtmp_key_sealed);
  v("auto_start", c.auto_start);
  v("auto_stop_after_s", c.auto_stop_after_s);
  v("state", c.state);
  v("state_message", c.state_message);
  v("extra_json", c.extra_json);
  v("created_at", c.created_at);
  v("updated_at", c.updated_at);
  v("version", c.version);
}

template <typename Visitor, typename Record>
void visit_destination(Visitor& v, Record& d) {
  v("id", d.id);
  v("channel_id", d.channel_id);
  v("name", d.name);
  v("platform", d.platform);
  v("url", d.url);
  v("url_sealed", d.url_sealed);
  v("stream_key_sealed", d.stream_key_sealed);
  v("stream_key_hint", d.stream_key_hint);
  v("desired_on", d.desired_on);
  v("status", d.status);
  v("status_since", d.status_since);
  v("last_error_code", d.last_error_code);
  v("last_error_message", d.last_error_message);
  v("last_error_at", d.last_error_at);
  v("next_retry_at", d.next_retry_at);
  v("extra_json", d.extra_json);
  v("created_at", d.created_at);
  v("updated_at", d.updated_at);
  v("version", d.version);
}

struct ColumnNames {
  std::vector<std::string> names;
  template <typename Field>
  void operator()(const char* name, const Field& /*field*/) {
    names.emplace_back(name);
  }
};

struct Binder {
  SqliteStatement& stmt;
  int index = 0;
  void operator()(const char* /*name*/, const std::string& text) { stmt.bind_text(++index, text); }
  void operator()(const char* /*name*/, const int64_t& value) { stmt.bind_int64(++index, value); }
  void operator()(const char* /*name*/, const int& value) { stmt.bind_int64(++index, value); }
  void operator()(const char* /*name*/, const bool& value) { stmt.bind_int64(++index, value ? 1 : 0); }
};

struct Reader {
  const SqliteStatement& stmt;
  int index = 0;
  void operator()(const char* /*name*/, std::string& text) { text = stmt.column_text(index++); }
  void operator()(const char* /*name*/, int64_t& value) { value = stmt.column_int64(index++); }
  void operator()(const char* /*name*/, int& value) { value = static_cast<int>(stmt.column_int64(index++)); }
  void operator()(const char* /*name*/, bool& value) { value = stmt.column_int64(index++) != 0; }
};

std::string param(size_t number) {
  return "?" + std::to_string(number);
}

// Builds the statements of one table from its column names (never from values: those are bound).
RecordSql build_sql(std::string_view table, const std::vector<std::string>& columns) {
  assert(columns.front() == "id" && columns.back() == "version");
  const size_t n = columns.size();
  std::string names;
  std::string values;
  std::string sets;
  for (size_t i = 0; i < n; ++i) {
    const bool last = i + 1 == n;
    names += (i == 0 ? "" : ", ") + columns[i];
    values += (i == 0 ? "" : ", ") + param(i + 1) + (last ? " + 1" : "");
    if (i > 0) sets += (i == 1 ? "" : ", ") + columns[i] + " = " + param(i + 1) + (last ? " + 1" : "");
  }
  const std::string from = std::string(" FROM ") + std::string(table);
  RecordSql sql;
  sql.list = "SELECT " + names + from + " ORDER BY created_at, id";
  sql.get = "SELECT " + names + from + " WHERE id = ?1";
  sql.insert = "INSERT INTO " + std::string(table) + " (" + names + ") VALUES (" + values + ")";
  sql.update = "UPDATE " + std::string(table) + " SET " + sets + " WHERE id = ?1 AND version = " + param(n);
  sql.version_of = "SELECT version" + from + " WHERE id = ?1";
  sql.remove = "DELETE" + from + " WHERE id = ?1";
  return sql;
}

}  // namespace

const RecordSql& channel_sql() {
  static const RecordSql sql = [] {
    ColumnNames columns;
    const ChannelRecord sample;
    visit_channel(columns, sample);
    return build_sql("channels", columns.names);
  }();
  return sql;
}

const RecordSql& destination_sql() {
  static const RecordSql sql = [] {
    ColumnNames columns;
    const DestinationRecord sample;
    visit_destination(columns, sample);
    return build_sql("destinations", columns.names);
  }();
  return sql;
}

void bind_channel(SqliteStatement& stmt, const ChannelRecord& channel) {
  Binder binder{stmt};
  visit_channel(binder, channel);
}

void bind_destination(SqliteStatement& stmt, const DestinationRecord& destination) {
  Binder binder{stmt};
  visit_destination(binder, destination);
}

ChannelRecord read_channel(const SqliteStatement& stmt) {
  ChannelRecord channel;
  Reader reader{stmt};
  visit_channel(reader, channel);
  return channel;
}

DestinationRecord read_destination(const SqliteStatement& stmt) {
  DestinationRecord destination;
  Reader reader{stmt};
  visit_destination(reader, destination);
  return destination;
}

}  // namespace lunora::store
