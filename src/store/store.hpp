// The Store keeps what must survive a restart (DESIGN.md "The flow of one command"): the desired state of
// every channel and destination, the state last reported for it, and the event log that SSE clients resume
// from. Records are plain data; secrets arrive sealed (control/ encrypts them) and are stored as given.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace lunora::store {

// Milliseconds since the Unix epoch.
using TimestampMs = int64_t;

struct ChannelRecord {
  std::string id;
  std::string name;
  std::string engine = "local";
  // Input: "srt" | "rtmp". SRT listens on `srt_port`; every channel also has an RTMP publish key.
  std::string input_protocol = "srt";
  int srt_port = 0;
  int latency_ms = 120;
  std::string streamid;           // SRT streamid a publisher must send ("" = any)
  std::string passphrase_sealed;  // SRT passphrase, sealed ("" = none)
  std::string rtmp_key_sealed;    // RTMP publish key, sealed
  bool auto_start = true;
  int auto_stop_after_s = 30;
  std::string state = "idle";     // reported: idle|starting|running|stopping|error
  std::string state_message;      // why, when state is error
  std::string extra_json = "{}";  // settings later issues add (HLS, slate, engine options), as a JSON object
  TimestampMs created_at = 0;
  TimestampMs updated_at = 0;
  int64_t version = 0;  // bumped by every put; a put names the version it read (optimistic concurrency)
};

struct DestinationRecord {
  std::string id;
  std::string channel_id;
  std::string name;
  std::string platform;
  std::string url;         // as shown: secrets in it (a custom URL's key, an SRT passphrase) only as hints
  std::string url_sealed;  // the full URL, sealed
  std::string stream_key_sealed;
  std::string stream_key_hint;  // "…3f9a"
  bool desired_on = false;      // desired state: the reconciler drives the engine toward it
  // Reported state.
  std::string status = "ready";  // ready|starting|streaming|stopping|error
  TimestampMs status_since = 0;
  std::string last_error_code;  // "" = no error
  std::string last_error_message;
  TimestampMs last_error_at = 0;
  TimestampMs next_retry_at = 0;  // 0 = none
  std::string extra_json = "{}";
  TimestampMs created_at = 0;
  TimestampMs updated_at = 0;
  int64_t version = 0;
};

struct EventRecord {
  int64_t id = 0;    // increasing, never reused (also across restarts)
  std::string type;  // SSE event name: "channel" | "destination" | "channel_deleted" | "destination_deleted"
  std::string data;  // JSON text, sent as is
  TimestampMs at = 0;
};

// One atomic change: every put and delete and the events announcing them land together or not at all.
// A put with `version` N succeeds only when the stored version is N (0 = the record must not exist yet), and
// stores N + 1; otherwise the whole change fails with kConflict and nothing is written.
struct Change {
  std::vector<ChannelRecord> put_channels;
  std::vector<DestinationRecord> put_destinations;
  std::vector<std::string> delete_channels;  // deleting a channel does not cascade: delete its destinations
  std::vector<std::string> delete_destinations;  // explicitly in the same Change
  std::vector<EventRecord> events;               // id is assigned by the store; `at` kept as given
};

struct CommitResult {
  std::vector<int64_t> event_ids;  // in the order of Change::events
};

// A lease: one owner holds the named thing until `expires_at`, unless it renews it first. What lets several
// processes share one store without two of them driving the same thing.
struct LeaseRecord {
  std::string name;
  std::string owner;      // the node holding it
  std::string owner_url;  // where that node's API answers
  TimestampMs expires_at = 0;
};

class Leases {
 public:
  virtual ~Leases() = default;
  // Takes or renews `lease` (for lease.owner until lease.expires_at) when it is free, expired at `now` or
  // already the owner's. Answers who holds it afterwards: lease.owner on success, the other holder otherwise.
  virtual Result<LeaseRecord> acquire(const LeaseRecord& lease, TimestampMs now) = 0;
  // Gives it up at once, if `owner` still holds it.
  virtual Status release(const std::string& name, const std::string& owner) = 0;
  // Hands `lease` to lease.owner only while `expected_owner` holds it ("" = nobody does): how a node takes a
  // dead node's channel over without racing a third. Answers the holder afterwards.
  virtual Result<LeaseRecord> transfer(const LeaseRecord& lease, const std::string& expected_owner) = 0;
  // Every lease whose name starts with `prefix`, by name.
  virtual Result<std::vector<LeaseRecord>> list(const std::string& prefix) = 0;
  // Who holds it (owner "" when no one does; it may have expired), by a read: cheaper than a failed acquire.
  virtual Result<LeaseRecord> holder(const std::string& name) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Leases of a store several processes can share (DynamoDB); nullptr for one only a single process opens
  // (SQLite).
  virtual Leases* leases() { return nullptr; }

  virtual Result<std::vector<ChannelRecord>> list_channels() = 0;
  virtual Result<std::vector<DestinationRecord>>
  list_destinations() = 0;  // all channels, ordered by created_at
  virtual Result<std::optional<ChannelRecord>> get_channel(const std::string& id) = 0;
  virtual Result<std::optional<DestinationRecord>> get_destination(const std::string& id) = 0;

  virtual Result<CommitResult> commit(const Change& change) = 0;

  // Events with id > after_id, oldest first, at most `limit`.
  virtual Result<std::vector<EventRecord>> events_after(int64_t after_id, size_t limit) = 0;
  virtual Result<int64_t> last_event_id() = 0;
  // Keeps the newest `keep` events.
  virtual Status prune_events(size_t keep) = 0;

  // Small named values: the admin token hash, the schema's own bookkeeping is separate.
  virtual Result<std::optional<std::string>> get_setting(const std::string& key) = 0;
  virtual Status put_setting(const std::string& key, const std::string& value) = 0;
};

// Opens (creating when missing) `<path>`: WAL mode, foreign keys, versioned migrations applied in order.
// Errors name the file and what SQLite said (a full disk, a read-only file, a newer schema than this binary).
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path);

}  // namespace lunora::store
