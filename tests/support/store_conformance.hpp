// The Store conformance suite: what every lunora::store::Store must do (src/store/store.hpp), as
// value-parameterized tests that run against any implementation. SQLite's behaviour is the contract: every
// test here passes against the SQLite store. Error codes are part of the contract; error texts are not,
// beyond naming the record they are about.
//
// A binary runs the suite by including this header in exactly one .cpp (the TEST_Ps below register
// themselves) and instantiating it there, in this namespace or with the names brought in:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance,
//                            ::testing::Values(StoreFactory{"sqlite", [] { return make_sqlite_harness(); }}),
//                            StoreFactoryName());
//
// Other files of the same binary use tests/support/store_test_records.hpp for the record helpers.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "support/store_test_records.hpp"

namespace lunora::store::testing {

// One store under test, with the storage behind it.
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;

  virtual Store& store() = 0;
  // Closes the store and opens the same storage again: everything committed must survive. Reports a failure
  // to reopen with gtest assertions (callers wrap it in ASSERT_NO_FATAL_FAILURE).
  virtual void reopen() = 0;
};

// Makes a harness around a fresh, empty store, one per test. On failure it records a gtest failure and
// returns nullptr (or a harness after a fatal failure): the test then stops before its body.
struct StoreFactory {
  std::string name;  // the test name suffix: letters, digits and '_' only
  std::function<std::unique_ptr<StoreHarness>()> make;
};

// gtest prints a parameter in test listings and failures; the name is all there is to show.
inline void PrintTo(const StoreFactory& factory, std::ostream* os) {
  *os << factory.name;
}

// The name generator for INSTANTIATE_TEST_SUITE_P: ".../StoreConformance.RoundTripsEveryChannelField/sqlite".
struct StoreFactoryName {
  std::string operator()(const ::testing::TestParamInfo<StoreFactory>& info) const { return info.param.name; }
};

class StoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    ASSERT_NE(harness_, nullptr) << GetParam().name << ": the factory made no store";
  }

  Store& store() { return harness_->store(); }
  // Callers wrap it in ASSERT_NO_FATAL_FAILURE: a test must stop, not go on without a store.
  void reopen() { harness_->reopen(); }

  CommitResult commit_ok(const Change& change) {
    return ::lunora::store::testing::commit_ok(store(), change);
  }
  int64_t last_event_id() { return ::lunora::store::testing::last_event_id(store()); }

 private:
  std::unique_ptr<StoreHarness> harness_;
};

TEST_P(StoreConformance, RoundTripsEveryChannelField) {
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

TEST_P(StoreConformance, RoundTripsEveryDestinationField) {
  commit_ok(create_channel("ch_1"));
  DestinationRecord d;
  d.id = "dst_1";
  d.channel_id = "ch_1";
  d.name = "Twitch main";
  d.platform = "twitch";
  d.url = "rtmps://live.twitch.tv/app";
  d.url_sealed = std::string("u\0rl\xff", 5);
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

// Records as the defaults leave them: empty strings and zeros come back as such, not as missing fields.
TEST_P(StoreConformance, RoundTripsEmptyStringsAndZeros) {
  ChannelRecord c;
  c.id = "ch_1";
  c.srt_port = 0;
  c.latency_ms = 0;
  c.auto_stop_after_s = 0;
  c.state = "";
  c.extra_json = "";
  DestinationRecord d;
  d.id = "dst_1";
  d.channel_id = "ch_1";
  d.status = "";
  d.extra_json = "";
  Change change;
  change.put_channels.push_back(c);
  change.put_destinations.push_back(d);
  commit_ok(change);

  auto channel = store().get_channel("ch_1");
  ASSERT_TRUE(channel.ok()) << channel.error().message();
  ASSERT_TRUE(channel->has_value());
  c.version = 1;
  expect_same_channel(c, **channel);
  auto destination = store().get_destination("dst_1");
  ASSERT_TRUE(destination.ok()) << destination.error().message();
  ASSERT_TRUE(destination->has_value());
  d.version = 1;
  expect_same_destination(d, **destination);
}

TEST_P(StoreConformance, GetReturnsNulloptWhenMissing) {
  auto channel = store().get_channel("nope");
  ASSERT_TRUE(channel.ok());
  EXPECT_FALSE(channel->has_value());
  auto destination = store().get_destination("nope");
  ASSERT_TRUE(destination.ok());
  EXPECT_FALSE(destination->has_value());
}

TEST_P(StoreConformance, EmptyChangeCommitsAndWritesNothing) {
  CommitResult committed = commit_ok(Change{});
  EXPECT_TRUE(committed.event_ids.empty());
  EXPECT_EQ(last_event_id(), 0);
  EXPECT_TRUE(store().list_channels()->empty());
  EXPECT_TRUE(store().list_destinations()->empty());
}

TEST_P(StoreConformance, UpdateWithTheReadVersionBumpsIt) {
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

TEST_P(StoreConformance, StaleVersionConflictsAndWritesNothing) {
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

// Destinations are checked like channels: an update names the version it read, behind or ahead.
TEST_P(StoreConformance, DestinationUpdatesCheckTheVersion) {
  Change setup = create_channel("ch_1");
  setup.put_destinations.push_back(make_destination("dst_1", "ch_1"));
  commit_ok(setup);
  DestinationRecord read = **store().get_destination("dst_1");
  ASSERT_EQ(read.version, 1);

  DestinationRecord first = read;
  first.desired_on = true;
  Change update;
  update.put_destinations.push_back(first);
  commit_ok(update);
  EXPECT_EQ((**store().get_destination("dst_1")).version, 2);

  for (const int64_t version : {int64_t{1}, int64_t{5}}) {
    DestinationRecord wrong = read;
    wrong.version = version;
    wrong.name = "wrong writer";
    Change change;
    change.put_destinations.push_back(wrong);
    auto result = store().commit(change);
    ASSERT_FALSE(result.ok()) << "version " << version;
    EXPECT_EQ(result.error().code(), ErrorCode::kConflict) << "version " << version;
    EXPECT_NE(result.error().message().find("dst_1"), std::string::npos) << result.error().message();
  }
  DestinationRecord stored = **store().get_destination("dst_1");
  EXPECT_EQ(stored.name, "Destination dst_1");
  EXPECT_TRUE(stored.desired_on);
  EXPECT_EQ(stored.version, 2);
}

TEST_P(StoreConformance, CreatingAnExistingRecordConflicts) {
  commit_ok(create_channel("ch_1"));
  Change again = create_channel("ch_1");
  again.put_channels[0].name = "duplicate";
  auto result = store().commit(again);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kConflict);
  EXPECT_NE(result.error().message().find("ch_1"), std::string::npos) << result.error().message();
  EXPECT_EQ((**store().get_channel("ch_1")).name, "Channel ch_1");
}

TEST_P(StoreConformance, UpdatingAMissingRecordConflicts) {
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

// A deleted record is gone, version included: the id can be created again (version 0) and starts at 1, and
// a put naming the old version finds nothing to update.
TEST_P(StoreConformance, ARecreatedChannelStartsAtVersionOneAgain) {
  commit_ok(create_channel("ch_1"));
  ChannelRecord old = **store().get_channel("ch_1");
  Change update;
  update.put_channels.push_back(old);
  commit_ok(update);
  old = **store().get_channel("ch_1");
  ASSERT_EQ(old.version, 2);
  Change removal;
  removal.delete_channels.push_back("ch_1");
  commit_ok(removal);

  Change stale;
  stale.put_channels.push_back(old);
  auto result = store().commit(stale);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kConflict);
  EXPECT_NE(result.error().message().find("ch_1"), std::string::npos) << result.error().message();
  EXPECT_FALSE(store().get_channel("ch_1")->has_value());

  Change again = create_channel("ch_1", 7000);
  again.put_channels[0].name = "second life";
  commit_ok(again);
  ChannelRecord recreated = **store().get_channel("ch_1");
  EXPECT_EQ(recreated.version, 1);
  EXPECT_EQ(recreated.name, "second life");
  EXPECT_EQ(recreated.created_at, 7000);
}

TEST_P(StoreConformance, DeletesAChannelWithItsDestinationsInOneChange) {
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

TEST_P(StoreConformance, DeletingADestinationKeepsItsChannelAndSiblings) {
  Change setup = create_channel("ch_1");
  setup.put_destinations.push_back(make_destination("dst_1", "ch_1"));
  setup.put_destinations.push_back(make_destination("dst_2", "ch_1"));
  commit_ok(setup);

  Change removal;
  removal.delete_destinations.push_back("dst_1");
  removal.events.push_back(make_event("destination_deleted"));
  EXPECT_EQ(commit_ok(removal).event_ids, (std::vector<int64_t>{1}));

  EXPECT_FALSE(store().get_destination("dst_1")->has_value());
  EXPECT_TRUE(store().get_destination("dst_2")->has_value());
  ChannelRecord channel = **store().get_channel("ch_1");
  EXPECT_EQ(channel.version, 1);  // a destination's delete does not touch its channel
  auto destinations = store().list_destinations();
  ASSERT_TRUE(destinations.ok());
  ASSERT_EQ(destinations->size(), 1u);
  EXPECT_EQ((*destinations)[0].id, "dst_2");
}

TEST_P(StoreConformance, DeletingAMissingRecordIsNotFoundAndWritesNothing) {
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

TEST_P(StoreConformance, DeletingAChannelThatStillHasDestinationsConflicts) {
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

TEST_P(StoreConformance, ListsAreEmptyAfterEverythingIsDeleted) {
  Change setup = create_channel("ch_1");
  setup.put_channels.push_back(make_channel("ch_2"));
  setup.put_destinations.push_back(make_destination("dst_1", "ch_1"));
  setup.put_destinations.push_back(make_destination("dst_2", "ch_1"));
  setup.put_destinations.push_back(make_destination("dst_3", "ch_2"));
  commit_ok(setup);

  Change removal;
  removal.delete_channels = {"ch_1", "ch_2"};
  removal.delete_destinations = {"dst_1", "dst_2", "dst_3"};
  commit_ok(removal);

  auto channels = store().list_channels();
  ASSERT_TRUE(channels.ok()) << channels.error().message();
  EXPECT_TRUE(channels->empty());
  auto destinations = store().list_destinations();
  ASSERT_TRUE(destinations.ok()) << destinations.error().message();
  EXPECT_TRUE(destinations->empty());
}

TEST_P(StoreConformance, DestinationOfAMissingChannelIsNotFound) {
  Change change;
  change.put_destinations.push_back(make_destination("dst_1", "ch_missing"));
  auto result = store().commit(change);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(result.error().message().find("ch_missing"), std::string::npos) << result.error().message();
  EXPECT_FALSE(store().get_destination("dst_1")->has_value());
}

// An update may change a destination's channel; the channel it names must exist, as on create.
TEST_P(StoreConformance, ADestinationMovesToAnotherChannel) {
  Change setup = create_channel("ch_a");
  setup.put_channels.push_back(make_channel("ch_b"));
  setup.put_destinations.push_back(make_destination("dst_1", "ch_a"));
  commit_ok(setup);

  DestinationRecord moved = **store().get_destination("dst_1");
  moved.channel_id = "ch_missing";
  Change to_nowhere;
  to_nowhere.put_destinations.push_back(moved);
  auto result = store().commit(to_nowhere);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(result.error().message().find("ch_missing"), std::string::npos) << result.error().message();
  EXPECT_EQ((**store().get_destination("dst_1")).channel_id, "ch_a");

  moved.channel_id = "ch_b";
  Change to_b;
  to_b.put_destinations.push_back(moved);
  commit_ok(to_b);
  DestinationRecord stored = **store().get_destination("dst_1");
  EXPECT_EQ(stored.channel_id, "ch_b");
  EXPECT_EQ(stored.version, 2);

  // The destination now holds on to ch_b, not ch_a.
  Change delete_a;
  delete_a.delete_channels.push_back("ch_a");
  commit_ok(delete_a);
  Change delete_b;
  delete_b.delete_channels.push_back("ch_b");
  auto blocked = store().commit(delete_b);
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code(), ErrorCode::kConflict);
}

TEST_P(StoreConformance, ChangeIsAllOrNothing) {
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

  // The store stays usable: the same change without the clash lands whole, and the failed one used no id.
  change.put_destinations.pop_back();
  CommitResult committed = commit_ok(change);
  EXPECT_EQ(committed.event_ids, (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(store().get_destination("dst_good")->has_value());
}

TEST_P(StoreConformance, ListsOrderByCreatedAtThenId) {
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

TEST_P(StoreConformance, EventsComeBackOldestFirstWithLimit) {
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

// A change's events get consecutive ids, in the order of Change::events, after those already given.
TEST_P(StoreConformance, ManyEventsInOneChangeGetConsecutiveIdsInOrder) {
  Change first;
  first.events.push_back(make_event("first"));
  EXPECT_EQ(commit_ok(first).event_ids, (std::vector<int64_t>{1}));

  constexpr int kCount = 30;
  Change change;
  std::vector<int64_t> want_ids;
  for (int i = 0; i < kCount; ++i) {
    change.events.push_back(EventRecord{.id = 0,
                                        .type = "e" + std::to_string(i),
                                        .data = R"({"i":)" + std::to_string(i) + "}",
                                        .at = 100 + i});
    want_ids.push_back(2 + i);
  }
  EXPECT_EQ(commit_ok(change).event_ids, want_ids);
  EXPECT_EQ(last_event_id(), 1 + kCount);

  auto events = store().events_after(1, 100);
  ASSERT_TRUE(events.ok()) << events.error().message();
  ASSERT_EQ(events->size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    const EventRecord& event = (*events)[static_cast<size_t>(i)];
    EXPECT_EQ(event.id, 2 + i);
    EXPECT_EQ(event.type, "e" + std::to_string(i));
    EXPECT_EQ(event.data, R"({"i":)" + std::to_string(i) + "}");
    EXPECT_EQ(event.at, 100 + i);
  }

  auto page = store().events_after(10, 5);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 5u);
  EXPECT_EQ(page->front().id, 11);
  EXPECT_EQ(page->back().id, 15);
}

TEST_P(StoreConformance, EventsAfterTheLastOneOrWithZeroLimitAreNone) {
  EXPECT_TRUE(store().events_after(0, 10)->empty());
  Change change;
  change.events = {make_event("a"), make_event("b"), make_event("c")};
  commit_ok(change);

  for (const int64_t after : {int64_t{3}, int64_t{4}, int64_t{1'000'000}}) {
    auto events = store().events_after(after, 10);
    ASSERT_TRUE(events.ok()) << events.error().message();
    EXPECT_TRUE(events->empty()) << "after " << after;
  }
  auto none = store().events_after(0, 0);
  ASSERT_TRUE(none.ok()) << none.error().message();
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreConformance, EventIdsKeepIncreasingAfterPruneAndReopen) {
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

TEST_P(StoreConformance, PruneKeepingMoreThanExistIsANoOp) {
  Change change;
  change.events = {make_event("a"), make_event("b")};
  commit_ok(change);
  ASSERT_TRUE(store().prune_events(10).ok());
  EXPECT_EQ(store().events_after(0, 100)->size(), 2u);
}

TEST_P(StoreConformance, SettingsAreUpserted) {
  auto missing = store().get_setting("admin_token_hash");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  ASSERT_TRUE(store().put_setting("admin_token_hash", "first").ok());
  ASSERT_TRUE(store().put_setting("admin_token_hash", "second").ok());
  auto got = store().get_setting("admin_token_hash");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->value_or(""), "second");
}

TEST_P(StoreConformance, AnEmptySettingIsSetAndKeysAreApart) {
  ASSERT_TRUE(store().put_setting("a", "").ok());
  ASSERT_TRUE(store().put_setting("b", "value of b").ok());
  auto a = store().get_setting("a");
  ASSERT_TRUE(a.ok()) << a.error().message();
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ(**a, "");
  EXPECT_EQ(store().get_setting("b")->value_or(""), "value of b");
  EXPECT_FALSE(store().get_setting("c")->has_value());
}

TEST_P(StoreConformance, ReopenKeepsEverything) {
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

}  // namespace lunora::store::testing
