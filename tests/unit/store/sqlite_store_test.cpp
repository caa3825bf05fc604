#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/sqlite/sqlite_db.hpp"
#include "unit/store/sqlite_test_support.hpp"

namespace lunora::store {
namespace {

using testing::TempDir;

ChannelRecord make_channel(const std::string& id, TimestampMs created_at = 1000) {
  ChannelRecord c;
  c.id = id;
  c.name = "Channel " + id;
  c.created_at = created_at;
  c.updated_at = created_at;
  return c;
}

DestinationRecord make_destination(const std::string& id, const std::string& channel_id,
                                   TimestampMs created_at = 1000) {
  DestinationRecord d;
  d.id = id;
  d.channel_id = channel_id;
  d.name = "Destination " + id;
  d.platform = "twitch";
  d.url = "rtmp://live.example/app";
  d.url_sealed = "c2VhbGVkIHVybA==";
  d.created_at = created_at;
  d.updated_at = created_at;
  return d;
}

EventRecord make_event(const std::string& type, TimestampMs at = 5000) {
  return EventRecord{.id = 0, .type = type, .data = R"({"n":1})", .at = at};
}

void expect_same_channel(const ChannelRecord& want, const ChannelRecord& got) {
  EXPECT_EQ(want.id, got.id);
  EXPECT_EQ(want.name, got.name);
  EXPECT_EQ(want.engine, got.engine);
  EXPECT_EQ(want.input_protocol, got.input_protocol);
  EXPECT_EQ(want.srt_port, got.srt_port);
  EXPECT_EQ(want.latency_ms, got.latency_ms);
  EXPECT_EQ(want.streamid, got.streamid);
  EXPECT_EQ(want.passphrase_sealed, got.passphrase_sealed);
  EXPECT_EQ(want.rtmp_key_sealed, got.rtmp_key_sealed);
  EXPECT_EQ(want.auto_start, got.auto_start);
  EXPECT_EQ(want.auto_stop_after_s, got.auto_stop_after_s);
  EXPECT_EQ(want.state, got.state);
  EXPECT_EQ(want.state_message, got.state_message);
  EXPECT_EQ(want.extra_json, got.extra_json);
  EXPECT_EQ(want.created_at, got.created_at);
  EXPECT_EQ(want.updated_at, got.updated_at);
  EXPECT_EQ(want.version, got.version);
}

void expect_same_destination(const DestinationRecord& want, const DestinationRecord& got) {
  EXPECT_EQ(want.id, got.id);
  EXPECT_EQ(want.channel_id, got.channel_id);
  EXPECT_EQ(want.name, got.name);
  EXPECT_EQ(want.platform, got.platform);
  EXPECT_EQ(want.url, got.url);
  EXPECT_EQ(want.url_sealed, got.url_sealed);
  EXPECT_EQ(want.stream_key_sealed, got.stream_key_sealed);
  EXPECT_EQ(want.stream_key_hint, got.stream_key_hint);
  EXPECT_EQ(want.desired_on, got.desired_on);
  EXPECT_EQ(want.status, got.status);
  EXPECT_EQ(want.status_since, got.status_since);
  EXPECT_EQ(want.last_error_code, got.last_error_code);
  EXPECT_EQ(want.last_error_message, got.last_error_message);
  EXPECT_EQ(want.last_error_at, got.last_error_at);
  EXPECT_EQ(want.next_retry_at, got.next_retry_at);
  EXPECT_EQ(want.extra_json, got.extra_json);
  EXPECT_EQ(want.created_at, got.created_at);
  EXPECT_EQ(want.updated_at, got.updated_at);
  EXPECT_EQ(want.version, got.version);
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  // Callers wrap it in ASSERT_NO_FATAL_FAILURE: a test must stop, not go on without a store.
  void reopen(const SqliteStoreOptions& options = {}) {
    store_.reset();  // closes the file before it is opened again
    auto opened = open_sqlite_store(path_, options);
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    store_ = std::move(*opened);
  }

  Store& store() { return *store_; }

  // Commits and expects success.
  CommitResult commit_ok(const Change& change) {
    auto result = store_->commit(change);
    EXPECT_TRUE(result.ok()) << result.error().message();
    return result.ok() ? *result : CommitResult{};
  }

  Change create_channel(const std::string& id, TimestampMs created_at = 1000) {
    Change change;
    change.put_channels.push_back(make_channel(id, created_at));
    return change;
  }

  int64_t last_event_id() {
    auto id = store_->last_event_id();
    EXPECT_TRUE(id.ok()) << id.error().message();
    return id.ok() ? *id : -1;
  }

  TempDir dir_;
  std::string path_ = dir_.file("lunora.db");
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, RoundTripsEveryChannelField) {
  ChannelRecord c;
  c.id = "ch_1";
  c.name = "Main stage ✓";
  c.engine = "medialive";
  c.input_protocol = "rtmp";
  c.srt_port = 9001;
  c.latency_ms = 250;
  c.streamid = "publish/main";
  c.passphrase_sealed = std::string("sealed\0pass\xff", 12);  // sealed bytes may hold anything
  c.rtmp_key_sealed = "sealed-rtmp-key";
  c.auto_start = false;
  c.auto_stop_after_s = 45;
  c.state = "error";
  c.state_message = "input lost";
  c.extra_json = R"({"hls":{"enabled":true}})";
  c.created_at = 1'700'000'000'123;
  c.updated_at = 1'700'000'000'456;
  Change change;
  change.put_channels.push_back(c);
  commit_ok(change);

  auto got = store().get_channel("ch_1");
  ASSERT_TRUE(got.ok()) << got.error().message();
  ASSERT_TRUE(got->has_value());
  c.version = 1;  // a put with version N stores N + 1
  expect_same_channel(c, **got);
}

TEST_F(SqliteStoreTest, RoundTripsEveryDestinationField) {
  commit_ok(create_channel("ch_1"));
  DestinationRecord d;
  d.id = "dst_1";
  d.channel_id = "ch_1";
  d.name = "Twitch main";
  d.platform = "twitch";
  d.url = "rtmps://live.twitch.tv/app";
  d.stream_key_sealed = std::string("k\0e\xfey", 5);
  d.stream_key_hint = "…3f9a";
  d.desired_on = true;
  d.status = "error";
  d.status_since = 1'700'000'000'001;
  d.last_error_code = "publish_rejected";
  d.last_error_message = "the server refused the stream key";
  d.last_error_at = 1'700'000'000'002;
  d.next_retry_at = 1'700'000'000'003;
  d.extra_json = R"({"bitrate":6000})";
  d.created_at = 1'700'000'000'004;
  d.updated_at = 1'700'000'000'005;
  Change change;
  change.put_destinations.push_back(d);
  commit_ok(change);

  auto got = store().get_destination("dst_1");
  ASSERT_TRUE(got.ok()) << got.error().message();
  ASSERT_TRUE(got->has_value());
  d.version = 1;
  expect_same_destination(d, **got);
}

TEST_F(SqliteStoreTest, GetReturnsNulloptWhenMissing) {
  auto channel = store().get_channel("nope");
  ASSERT_TRUE(channel.ok());
  EXPECT_FALSE(channel->has_value());
  auto destination = store().get_destination("nope");
  ASSERT_TRUE(destination.ok());
  EXPECT_FALSE(destination->has_value());
}

TEST_F(SqliteStoreTest, UpdateWithTheReadVersionBumpsIt) {
  commit_ok(create_channel("ch_1"));
  ChannelRecord c = **store().get_channel("ch_1");
  c.state = "running";
  Change change;
  change.put_channels.push_back(c);
  commit_ok(change);

  ChannelRecord stored = **store().get_channel("ch_1");
  EXPECT_EQ(stored.version, 2);
  EXPECT_EQ(stored.state, "running");
}

TEST_F(SqliteStoreTest, StaleVersionConflictsAndWritesNothing) {
  commit_ok(create_channel("ch_1"));
  ChannelRecord read_by_both = **store().get_channel("ch_1");
  ChannelRecord first = read_by_both;
  first.name = "first writer";
  Change change;
  change.put_channels.push_back(first);
  commit_ok(change);

  ChannelRecord second = read_by_both;  // still names version 1; the store is at 2
  second.name = "second writer";
  Change stale;
  stale.put_channels.push_back(second);
  stale.events.push_back(make_event("channel"));
  auto result = store().commit(stale);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kConflict);
  EXPECT_NE(result.error().message().find("ch_1"), std::string::npos) << result.error().message();

  ChannelRecord stored = **store().get_channel("ch_1");
  EXPECT_EQ(stored.name, "first writer");
  EXPECT_EQ(stored.version, 2);
  EXPECT_EQ(last_event_id(), 0);
}

TEST_F(SqliteStoreTest, CreatingAnExistingRecordConflicts) {
  commit_ok(create_channel("ch_1"));
  Change again = create_channel("ch_1");
  again.put_channels[0].name = "duplicate";
  auto result = store().commit(again);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kConflict);
  EXPECT_NE(result.error().message().find("ch_1"), std::string::npos) << result.error().message();
  EXPECT_EQ((**store().get_channel("ch_1")).name, "Channel ch_1");
}

TEST_F(SqliteStoreTest, UpdatingAMissingRecordConflicts) {
  commit_ok(create_channel("ch_1"));
  DestinationRecord ghost = make_destination("dst_ghost", "ch_1");
  ghost.version = 3;
  Change change;
  change.put_destinations.push_back(ghost);
  auto result = store().commit(change);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kConflict);
  EXPECT_NE(result.error().message().find("dst_ghost"), std::string::npos) << result.error().message();
  EXPECT_FALSE(store().get_destination("dst_ghost")->has_value());
}

TEST_F(SqliteStoreTest, DeletesAChannelWithItsDestinationsInOneChange) {
  Change setup = create_channel("ch_1");
  setup.put_destinations.push_back(make_destination("dst_1", "ch_1"));
  setup.put_destinations.push_back(make_destination("dst_2", "ch_1"));
  commit_ok(setup);

  Change removal;
  removal.delete_channels.push_back("ch_1");
  removal.delete_destinations = {"dst_1", "dst_2"};
  removal.events.push_back(make_event("channel_deleted"));
  commit_ok(removal);

  EXPECT_FALSE(store().get_channel("ch_1")->has_value());
  EXPECT_TRUE(store().list_destinations()->empty());
  EXPECT_EQ(last_event_id(), 1);
}

TEST_F(SqliteStoreTest, DeletingAMissingRecordIsNotFoundAndWritesNothing) {
  commit_ok(create_channel("ch_1"));
  Change change;
  change.put_channels.push_back(make_channel("ch_2"));
  change.delete_destinations.push_back("dst_missing");
  auto result = store().commit(change);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(result.error().message().find("dst_missing"), std::string::npos) << result.error().message();
  EXPECT_FALSE(store().get_channel("ch_2")->has_value());

  Change missing_channel;
  missing_channel.delete_channels.push_back("ch_missing");
  auto channel_result = store().commit(missing_channel);
  ASSERT_FALSE(channel_result.ok());
  EXPECT_EQ(channel_result.error().code(), ErrorCode::kNotFound);
}

TEST_F(SqliteStoreTest, DeletingAChannelThatStillHasDestinationsConflicts) {
  Change setup = create_channel("ch_1");
  setup.put_destinations.push_back(make_destination("dst_1", "ch_1"));
  commit_ok(setup);

  Change change;
  change.delete_channels.push_back("ch_1");
  auto result = store().commit(change);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kConflict);
  EXPECT_NE(result.error().message().find("ch_1"), std::string::npos) << result.error().message();
  EXPECT_TRUE(store().get_channel("ch_1")->has_value());
  EXPECT_TRUE(store().get_destination("dst_1")->has_value());
}

TEST_F(SqliteStoreTest, DestinationOfAMissingChannelIsNotFound) {
  Change change;
  change.put_destinations.push_back(make_destination("dst_1", "ch_missing"));
  auto result = store().commit(change);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(result.error().message().find("ch_missing"), std::string::npos) << result.error().message();
  EXPECT_FALSE(store().get_destination("dst_1")->has_value());
}

TEST_F(SqliteStoreTest, ChangeIsAllOrNothing) {
  commit_ok(create_channel("ch_old"));
  Change setup;
  setup.put_destinations.push_back(make_destination("dst_taken", "ch_old"));
  commit_ok(setup);

  // A new channel, a good destination, then one that clashes with an existing id, then events.
  Change change = create_channel("ch_new");
  change.put_destinations.push_back(make_destination("dst_good", "ch_new"));
  change.put_destinations.push_back(make_destination("dst_taken", "ch_new"));
  change.events = {make_event("channel"), make_event("destination")};
  auto result = store().commit(change);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kConflict);

  EXPECT_FALSE(store().get_channel("ch_new")->has_value());
  EXPECT_FALSE(store().get_destination("dst_good")->has_value());
  EXPECT_EQ((**store().get_destination("dst_taken")).channel_id, "ch_old");
  EXPECT_EQ(last_event_id(), 0);

  // The store stays usable: the same change without the clash lands whole.
  change.put_destinations.pop_back();
  CommitResult committed = commit_ok(change);
  EXPECT_EQ(committed.event_ids, (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(store().get_destination("dst_good")->has_value());
}

TEST_F(SqliteStoreTest, ListsOrderByCreatedAtThenId) {
  Change change = create_channel("ch_b", 2000);
  change.put_channels.push_back(make_channel("ch_c", 1000));
  change.put_channels.push_back(make_channel("ch_a", 2000));
  change.put_destinations.push_back(make_destination("dst_z", "ch_a", 3000));
  change.put_destinations.push_back(make_destination("dst_y", "ch_b", 3000));
  change.put_destinations.push_back(make_destination("dst_x", "ch_c", 4000));
  change.put_destinations.push_back(make_destination("dst_w", "ch_c", 100));
  commit_ok(change);

  auto channels = store().list_channels();
  ASSERT_TRUE(channels.ok());
  std::vector<std::string> channel_ids;
  for (const auto& c : *channels) channel_ids.push_back(c.id);
  EXPECT_EQ(channel_ids, (std::vector<std::string>{"ch_c", "ch_a", "ch_b"}));

  auto destinations = store().list_destinations();
  ASSERT_TRUE(destinations.ok());
  std::vector<std::string> destination_ids;
  for (const auto& d : *destinations) destination_ids.push_back(d.id);
  EXPECT_EQ(destination_ids, (std::vector<std::string>{"dst_w", "dst_y", "dst_z", "dst_x"}));
}

TEST_F(SqliteStoreTest, EventsComeBackOldestFirstWithLimit) {
  Change change;
  for (int i = 0; i < 5; ++i) change.events.push_back(make_event("channel", 100 + i));
  CommitResult committed = commit_ok(change);
  EXPECT_EQ(committed.event_ids, (std::vector<int64_t>{1, 2, 3, 4, 5}));

  auto all = store().events_after(0, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[0].id, 1);
  EXPECT_EQ((*all)[0].type, "channel");
  EXPECT_EQ((*all)[0].data, R"({"n":1})");
  EXPECT_EQ((*all)[0].at, 100);

  auto page = store().events_after(2, 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, 3);
  EXPECT_EQ((*page)[1].id, 4);
  EXPECT_TRUE(store().events_after(5, 10)->empty());
}

TEST_F(SqliteStoreTest, EventIdsKeepIncreasingAfterPruneAndReopen) {
  EXPECT_EQ(last_event_id(), 0);
  Change change;
  change.events = {make_event("a"), make_event("b"), make_event("c"), make_event("d")};
  commit_ok(change);

  ASSERT_TRUE(store().prune_events(2).ok());
  auto kept = store().events_after(0, 100);
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->size(), 2u);
  EXPECT_EQ((*kept)[0].id, 3);
  EXPECT_EQ((*kept)[1].id, 4);

  ASSERT_TRUE(store().prune_events(0).ok());
  EXPECT_TRUE(store().events_after(0, 100)->empty());
  EXPECT_EQ(last_event_id(), 4);  // monotonic even with no event left

  ASSERT_NO_FATAL_FAILURE(reopen());
  EXPECT_EQ(last_event_id(), 4);
  Change next;
  next.events.push_back(make_event("e"));
  EXPECT_EQ(commit_ok(next).event_ids, (std::vector<int64_t>{5}));
}

TEST_F(SqliteStoreTest, PruneKeepingMoreThanExistIsANoOp) {
  Change change;
  change.events = {make_event("a"), make_event("b")};
  commit_ok(change);
  ASSERT_TRUE(store().prune_events(10).ok());
  EXPECT_EQ(store().events_after(0, 100)->size(), 2u);
}

TEST_F(SqliteStoreTest, SettingsAreUpserted) {
  auto missing = store().get_setting("admin_token_hash");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  ASSERT_TRUE(store().put_setting("admin_token_hash", "first").ok());
  ASSERT_TRUE(store().put_setting("admin_token_hash", "second").ok());
  auto got = store().get_setting("admin_token_hash");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->value_or(""), "second");
}

TEST_F(SqliteStoreTest, ReopenKeepsEverything) {
  Change change = create_channel("ch_1");
  change.put_channels[0].state = "running";
  change.put_destinations.push_back(make_destination("dst_1", "ch_1"));
  change.events.push_back(make_event("channel"));
  commit_ok(change);
  ASSERT_TRUE(store().put_setting("k", "v").ok());

  ASSERT_NO_FATAL_FAILURE(reopen());
  ChannelRecord channel = **store().get_channel("ch_1");
  EXPECT_EQ(channel.state, "running");
  EXPECT_EQ(channel.version, 1);
  EXPECT_EQ((**store().get_destination("dst_1")).channel_id, "ch_1");
  EXPECT_EQ(store().events_after(0, 10)->size(), 1u);
  EXPECT_EQ(store().get_setting("k")->value_or(""), "v");
}

TEST_F(SqliteStoreTest, FileIsInWalMode) {
  auto raw = SqliteDb::open(path_);
  ASSERT_TRUE(raw.ok()) << raw.error().message();
  auto stmt = raw->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(stmt.ok()) << stmt.error().message();
  ASSERT_EQ(stmt->step(), SQLITE_ROW);
  EXPECT_EQ(stmt->column_text(0), "wal");
}

// A full disk fails the change as a whole, says so, and leaves the file whole and the store usable.
TEST_F(SqliteStoreTest, FullDiskIsReportedAndLosesNothing) {
  commit_ok(create_channel("ch_1"));
  // Capped at the current size (SQLite never caps lower): updates in place still fit, new pages do not.
  ASSERT_NO_FATAL_FAILURE(reopen(SqliteStoreOptions{.max_page_count = 1}));

  Change big = create_channel("ch_2");
  EventRecord event = make_event("channel");
  event.data = std::string(256 * 1024, 'x');  // needs overflow pages
  big.events.push_back(event);
  auto result = store().commit(big);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kIo);
  EXPECT_NE(result.error().message().find("full"), std::string::npos) << result.error().message();
  EXPECT_NE(result.error().message().find(path_), std::string::npos) << result.error().message();
  EXPECT_FALSE(store().get_channel("ch_2")->has_value());
  EXPECT_EQ(last_event_id(), 0);

  // Still usable: a change that needs no new page lands.
  ChannelRecord c = **store().get_channel("ch_1");
  c.state = "running";
  Change small;
  small.put_channels.push_back(c);
  commit_ok(small);

  // No cap: what was committed is there, what failed is not, and the file is sound.
  ASSERT_NO_FATAL_FAILURE(reopen());
  auto raw = SqliteDb::open(path_);
  ASSERT_TRUE(raw.ok());
  auto check = raw->prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.ok());
  ASSERT_EQ(check->step(), SQLITE_ROW);
  EXPECT_EQ(check->column_text(0), "ok");
  EXPECT_EQ((**store().get_channel("ch_1")).state, "running");
  EXPECT_EQ((**store().get_channel("ch_1")).version, 2);
  EXPECT_FALSE(store().get_channel("ch_2")->has_value());
  EXPECT_EQ(commit_ok(big).event_ids, (std::vector<int64_t>{1}));
  EXPECT_EQ((*store().events_after(0, 1))[0].data.size(), 256u * 1024u);
}

TEST_F(SqliteStoreTest, OpeningInAMissingDirectoryNamesTheFile) {
  const std::string path = dir_.file("no/such/dir/lunora.db");
  auto opened = open_sqlite_store(path);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::kIo);
  EXPECT_NE(opened.error().message().find(path), std::string::npos) << opened.error().message();
}

}  // namespace
}  // namespace lunora::store
