#include "store/dynamodb/dynamodb_store.hpp"

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>
#include <thread>
#include <utility>

#include "store/dynamodb/dynamodb_head.hpp"
#include "store/dynamodb/dynamodb_leases.hpp"
#include "store/dynamodb/dynamodb_records.hpp"
#include "store/dynamodb/dynamodb_schema.hpp"
#include "store/dynamodb/dynamodb_table.hpp"

namespace lunora::store {
namespace {

using dynamodb::AttributeReader;
using dynamodb::DynamoDbTable;
using dynamodb::Head;
using dynamodb::Item;
using dynamodb::ItemKey;
using nlohmann::json;

constexpr const char* kChannels = "channel";
constexpr const char* kDestinations = "destination";
constexpr const char* kEvents = "event";
constexpr const char* kSettings = "setting";
// A lost race is tried again this many times; each loser re-reads, so only a steady stream of commits from
// other nodes can exhaust it.
constexpr int kCommitAttempts = 20;
// "only a newer Change may write this record": the record's seq is that of the Change that last wrote it.
constexpr const char* kNewerOnly = "attribute_not_exists(pk) OR seq < :seq";

// Event ids as sort keys: zero-padded so that text order is number order.
std::string padded(int64_t n) {
  char text[24];
  std::snprintf(text, sizeof text, "%020lld", static_cast<long long>(std::max<int64_t>(n, 0)));
  return text;
}

std::string random_token() {
  std::random_device random;
  std::uniform_int_distribution<uint64_t> bits;
  char text[40];
  std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(bits(random)),
                static_cast<unsigned long long>(bits(random)));
  return text;
}

bool is_tombstone(const Item& item) {
  return item.is_object() && item.contains("deleted");
}

Item with_key(Item attributes, const char* pk, const std::string& sk, int64_t seq) {
  attributes["pk"] = dynamodb::text_value(pk);
  attributes["sk"] = dynamodb::text_value(sk);
  attributes["seq"] = dynamodb::number_value(seq);
  return attributes;
}

template <typename Record>
bool by_created_then_id(const Record& a, const Record& b) {
  return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
}

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

Error changed_meanwhile(const std::string& what, int64_t put_version, std::optional<int64_t> stored) {
  const std::string now =
      stored ? "the stored version is " + std::to_string(*stored) : std::string("it does not exist");
  return Error(ErrorCode::kConflict, what + " changed meanwhile: the put names version " +
                                         std::to_string(put_version) + " but " + now);
}

// The Store is used from one thread only, the control thread (as the SQLite store), so it holds no lock; the
// table's io_context is that thread's too.
class DynamoDbStore final : public Store {
 public:
  explicit DynamoDbStore(std::unique_ptr<DynamoDbTable> table) : table_(std::move(table)), leases_(*table_) {}

  Leases* leases() override { return &leases_; }

  Result<std::vector<ChannelRecord>> list_channels() override {
    return list_records<ChannelRecord>(kChannels, dynamodb::channel_from);
  }
  Result<std::vector<DestinationRecord>> list_destinations() override {
    return list_records<DestinationRecord>(kDestinations, dynamodb::destination_from);
  }
  Result<std::optional<ChannelRecord>> get_channel(const std::string& id) override {
    return get_record<ChannelRecord>(kChannels, id, dynamodb::channel_from);
  }
  Result<std::optional<DestinationRecord>> get_destination(const std::string& id) override {
    return get_record<DestinationRecord>(kDestinations, id, dynamodb::destination_from);
  }

  Result<CommitResult> commit(const Change& change) override;

  Result<std::vector<EventRecord>> events_after(int64_t after_id, size_t limit) override;
  Result<int64_t> last_event_id() override;
  Status prune_events(size_t keep) override;

  Result<std::optional<std::string>> get_setting(const std::string& key) override;
  Status put_setting(const std::string& key, const std::string& value) override;

  // Reads the head and applies it when its writer did not: afterwards the records reflect every Change.
  Result<std::optional<Head>> settled_head();

 private:
  template <typename Record>
  Result<std::vector<Record>> list_records(const char* kind, Result<Record> (*from)(const Item&));
  template <typename Record>
  Result<std::optional<Record>> get_record(const char* kind, const std::string& id,
                                           Result<Record> (*from)(const Item&));

  Result<Head> plan(const Change& change, const std::optional<Head>& previous);
  Status check_channel_puts(const Change& change, Head& next);
  Status check_destination_puts(const Change& change, Head& next);
  Status check_deletes(const Change& change);
  Result<std::optional<int64_t>> stored_version(const char* kind, const std::string& id);
  // True when the head now holds `next`; false when another writer committed first.
  Result<bool> replace_head(const Head& next, const std::optional<Head>& previous);
  Status apply(const Head& head);
  Status write_newer(const Item& item, int64_t seq);
  Status finish_pending();

  std::unique_ptr<DynamoDbTable> table_;
  dynamodb::DynamoDbLeases leases_;
  // A commit whose Change is in the head but whose records could not all be written yet (DynamoDB refused,
  // throttled): every call finishes it first, so this node reads its own writes.
  bool pending_apply_ = false;
};

template <typename Record>
Result<std::vector<Record>> DynamoDbStore::list_records(const char* kind,
                                                        Result<Record> (*from)(const Item&)) {
  if (auto pending = finish_pending(); !pending) return pending.error();
  auto items = table_->query(kind);
  if (!items) return items.error();
  std::vector<Record> records;
  for (const Item& item : *items) {
    if (is_tombstone(item)) continue;
    auto record = from(item);
    if (!record) return record.error();
    records.push_back(std::move(*record));
  }
  std::sort(records.begin(), records.end(), by_created_then_id<Record>);
  return records;
}

template <typename Record>
Result<std::optional<Record>> DynamoDbStore::get_record(const char* kind, const std::string& id,
                                                        Result<Record> (*from)(const Item&)) {
  if (auto pending = finish_pending(); !pending) return pending.error();
  auto item = table_->get({kind, id});
  if (!item) return item.error();
  if (!*item || is_tombstone(**item)) return std::optional<Record>();
  auto record = from(**item);
  if (!record) return record.error();
  return std::optional<Record>(std::move(*record));
}

Result<CommitResult> DynamoDbStore::commit(const Change& change) {
  for (int attempt = 0; attempt < kCommitAttempts; ++attempt) {
    auto previous = settled_head();
    if (!previous) return previous.error();
    auto next = plan(change, *previous);
    if (!next) return next.error();
    auto replaced = replace_head(*next, *previous);
    if (!replaced) return replaced.error();
    if (!*replaced) continue;  // another node committed first: read again and check again
    CommitResult result;
    for (const auto& event : next->events) result.event_ids.push_back(event.id);
    // The Change is committed once the head holds it; writing its records may still fail (throttled past
    // the retries): then the next call of any kind finishes it before reading.
    pending_apply_ = !apply(*next).ok();
    return result;
  }
  return Error(ErrorCode::kConflict, "the change lost the race against other writers " +
                                         std::to_string(kCommitAttempts) + " times; nothing was changed");
}

Result<std::optional<Head>> DynamoDbStore::settled_head() {
  auto item = table_->get(dynamodb::head_key());
  if (!item) return item.error();
  if (!*item) return std::optional<Head>();
  auto head = dynamodb::head_from(**item);
  if (!head) return head.error();
  if (!head->applied) {
    if (auto applied = apply(*head); !applied) return applied.error();
  }
  pending_apply_ = false;
  return std::optional<Head>(std::move(*head));
}

Status DynamoDbStore::finish_pending() {
  if (!pending_apply_) return ok_status();
  auto head = settled_head();
  if (!head) return head.error();
  return ok_status();
}

Result<Head> DynamoDbStore::plan(const Change& change, const std::optional<Head>& previous) {
  Head next;
  next.seq = previous ? previous->seq + 1 : 1;
  next.first_event_id = previous ? previous->last_event_id() + 1 : 1;
  next.writer = random_token();
  next.recent_writers = previous ? previous->recent_writers : std::vector<std::string>{};
  dynamodb::remember_writer(next.recent_writers, next.writer);
  // In the SQLite store's order: channel puts, destination puts, destination deletes, channel deletes.
  if (auto checked = check_channel_puts(change, next); !checked) return checked.error();
  if (auto checked = check_destination_puts(change, next); !checked) return checked.error();
  if (auto checked = check_deletes(change); !checked) return checked.error();
  next.delete_channels = change.delete_channels;
  next.delete_destinations = change.delete_destinations;
  int64_t id = next.first_event_id;
  for (EventRecord event : change.events) {
    event.id = id++;
    next.events.push_back(std::move(event));
  }
  return next;
}

Status DynamoDbStore::check_channel_puts(const Change& change, Head& next) {
  for (ChannelRecord channel : change.put_channels) {
    const std::string what = "channel " + channel.id;
    auto stored = stored_version(kChannels, channel.id);
    if (!stored) return stored.error();
    const bool fits = channel.version == 0 ? !*stored : (*stored && **stored == channel.version);
    if (!fits) return changed_meanwhile(what, channel.version, *stored);
    ++channel.version;
    next.put_channels.push_back(std::move(channel));
  }
  return ok_status();
}

Status DynamoDbStore::check_destination_puts(const Change& change, Head& next) {
  for (DestinationRecord destination : change.put_destinations) {
    const std::string what = "destination " + destination.id;
    auto stored = stored_version(kDestinations, destination.id);
    if (!stored) return stored.error();
    const bool fits = destination.version == 0 ? !*stored : (*stored && **stored == destination.version);
    if (!fits) return changed_meanwhile(what, destination.version, *stored);
    // The parent must exist after this change: put in it, or stored and not deleted by it.
    const std::string& parent = destination.channel_id;
    bool parent_exists = std::any_of(change.put_channels.begin(), change.put_channels.end(),
                                     [&](const ChannelRecord& c) { return c.id == parent; });
    if (!parent_exists) {
      auto parent_version = stored_version(kChannels, parent);
      if (!parent_version) return parent_version.error();
      parent_exists = parent_version->has_value();
    }
    if (!parent_exists) {
      std::string message = what;
      message += ": channel " + parent + " does not exist";
      return Error(ErrorCode::kNotFound, std::move(message));
    }
    ++destination.version;
    next.put_destinations.push_back(std::move(destination));
  }
  return ok_status();
}

Status DynamoDbStore::check_deletes(const Change& change) {
  for (const auto& id : change.delete_destinations) {
    auto stored = stored_version(kDestinations, id);
    if (!stored) return stored.error();
    if (!*stored) return Error(ErrorCode::kNotFound, "destination " + id + " does not exist");
  }
  if (change.delete_channels.empty()) return ok_status();
  auto destinations = list_destinations();
  if (!destinations) return destinations.error();
  for (const auto& id : change.delete_channels) {
    auto stored = stored_version(kChannels, id);
    if (!stored) return stored.error();
    if (!*stored) return Error(ErrorCode::kNotFound, "channel " + id + " does not exist");
    const bool kept =
        std::any_of(destinations->begin(), destinations->end(), [&](const DestinationRecord& d) {
          return d.channel_id == id && !contains(change.delete_destinations, d.id);
        });
    const bool added = std::any_of(change.put_destinations.begin(), change.put_destinations.end(),
                                   [&](const DestinationRecord& d) { return d.channel_id == id; });
    if (kept || added) {
      return Error(ErrorCode::kConflict,
                   "channel " + id + " still has destinations: delete them in the same change");
    }
  }
  return ok_status();
}

Result<std::optional<int64_t>> DynamoDbStore::stored_version(const char* kind, const std::string& id) {
  auto item = table_->get({kind, id});
  if (!item) return item.error();
  if (!*item || is_tombstone(**item)) return std::optional<int64_t>();
  AttributeReader reader(**item, std::string(kind) + " " + id);
  const int64_t version = reader.number("version");
  if (auto read = reader.status(); !read) return read.error();
  return std::optional<int64_t>(version);
}

Result<bool> DynamoDbStore::replace_head(const Head& next, const std::optional<Head>& previous) {
  const Item item = dynamodb::head_item(next);
  const Status put = previous
                         ? table_->put(item, "seq = :seq", {{":seq", dynamodb::number_value(previous->seq)}})
                         : table_->put(item, "attribute_not_exists(pk)");
  if (put) return true;
  if (put.error().code() != ErrorCode::kConflict) return put.error();
  // The condition failed: another writer got in first, or this very put did, on an attempt the client
  // retried after a lost answer. The head remembers its last writers.
  auto now = table_->get(dynamodb::head_key());
  if (!now) return now.error();
  if (!*now) return false;
  auto head = dynamodb::head_from(**now);
  if (!head) return head.error();
  return contains(head->recent_writers, next.writer);
}

Status DynamoDbStore::apply(const Head& head) {
  for (const auto& channel : head.put_channels) {
    auto item = with_key(dynamodb::channel_attributes(channel), kChannels, channel.id, head.seq);
    if (auto written = write_newer(item, head.seq); !written) return written;
  }
  for (const auto& destination : head.put_destinations) {
    auto item =
        with_key(dynamodb::destination_attributes(destination), kDestinations, destination.id, head.seq);
    if (auto written = write_newer(item, head.seq); !written) return written;
  }
  for (const auto& id : head.delete_destinations) {
    auto tombstone = with_key({{"deleted", {{"BOOL", true}}}}, kDestinations, id, head.seq);
    if (auto written = write_newer(tombstone, head.seq); !written) return written;
  }
  for (const auto& id : head.delete_channels) {
    auto tombstone = with_key({{"deleted", {{"BOOL", true}}}}, kChannels, id, head.seq);
    if (auto written = write_newer(tombstone, head.seq); !written) return written;
  }
  // Events in id order, so that a node reading the log while this runs sees a prefix of them.
  for (const auto& event : head.events) {
    if (auto written =
            table_->put(with_key(dynamodb::event_attributes(event), kEvents, padded(event.id), head.seq));
        !written) {
      return written;
    }
  }
  // Only if the head still holds this Change: a newer one applied it already.
  Item applied = dynamodb::head_item(head);
  applied["applied"] = {{"BOOL", true}};
  Status marked = table_->put(applied, "seq = :seq", {{":seq", dynamodb::number_value(head.seq)}});
  if (!marked && marked.error().code() != ErrorCode::kConflict) return marked;
  return ok_status();
}

Status DynamoDbStore::write_newer(const Item& item, int64_t seq) {
  Status written = table_->put(item, kNewerOnly, {{":seq", dynamodb::number_value(seq)}});
  // A failed condition: this Change or a newer one wrote the record already.
  if (!written && written.error().code() == ErrorCode::kConflict) return ok_status();
  return written;
}

Result<std::vector<EventRecord>> DynamoDbStore::events_after(int64_t after_id, size_t limit) {
  if (auto pending = finish_pending(); !pending) return pending.error();
  if (limit == 0) return std::vector<EventRecord>();
  auto items =
      table_->query(kEvents, "sk > :after", {{":after", dynamodb::text_value(padded(after_id))}}, limit);
  if (!items) return items.error();
  std::vector<EventRecord> events;
  for (const Item& item : *items) {
    auto event = dynamodb::event_from(item);
    if (!event) return event.error();
    events.push_back(std::move(*event));
  }
  return events;
}

Result<int64_t> DynamoDbStore::last_event_id() {
  auto head = settled_head();
  if (!head) return head.error();
  return *head ? (*head)->last_event_id() : 0;
}

Status DynamoDbStore::prune_events(size_t keep) {
  auto last = last_event_id();
  if (!last) return last.error();
  if (static_cast<uint64_t>(*last) <= keep) return ok_status();
  const int64_t cutoff = *last - static_cast<int64_t>(keep);
  auto old = table_->query(kEvents, "sk <= :cutoff", {{":cutoff", dynamodb::text_value(padded(cutoff))}});
  if (!old) return old.error();
  std::vector<ItemKey> keys;
  keys.reserve(old->size());
  for (const Item& item : *old) keys.push_back(dynamodb::key_of(item));
  return table_->delete_all(keys);
}

Result<std::optional<std::string>> DynamoDbStore::get_setting(const std::string& key) {
  auto item = table_->get({kSettings, key});
  if (!item) return item.error();
  if (!*item) return std::optional<std::string>();
  AttributeReader reader(**item, "setting " + key);
  std::string value = reader.text("value");
  if (auto read = reader.status(); !read) return read.error();
  return std::optional<std::string>(std::move(value));
}

Status DynamoDbStore::put_setting(const std::string& key, const std::string& value) {
  Item item = {{"pk", dynamodb::text_value(kSettings)}, {"sk", dynamodb::text_value(key)}};
  if (!value.empty()) item["value"] = dynamodb::text_value(value);
  return table_->put(item);
}

}  // namespace

Result<std::unique_ptr<Store>> open_dynamodb_store(std::unique_ptr<aws::AwsClient> client,
                                                   const DynamoDbStoreOptions& options) {
  auto table = std::make_unique<DynamoDbTable>(std::move(client), options.table);
  if (auto ready = dynamodb::prepare_table(*table, options); !ready) return ready.error();
  auto store = std::make_unique<DynamoDbStore>(std::move(table));
  if (auto settled = store->settled_head(); !settled) return settled.error();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace lunora::store
