// Builders and comparisons for Store records, shared by the store conformance suite
// (tests/support/store_conformance.hpp) and the tests of one implementation's own behaviour
// (tests/unit/store/sqlite_store_test.cpp). Separate from the suite so that a binary can use these in more
// than one file while it includes the suite, whose TEST_Ps register themselves, in exactly one.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "store/store.hpp"

namespace lunora::store::testing {

inline ChannelRecord make_channel(const std::string& id, TimestampMs created_at = 1000) {
  ChannelRecord c;
  c.id = id;
  c.name = "Channel " + id;
  c.created_at = created_at;
  c.updated_at = created_at;
  return c;
}

inline DestinationRecord make_destination(const std::string& id, const std::string& channel_id,
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

inline EventRecord make_event(const std::string& type, TimestampMs at = 5000) {
  return EventRecord{.id = 0, .type = type, .data = R"({"n":1})", .at = at};
}

// A Change that creates one channel.
inline Change create_channel(const std::string& id, TimestampMs created_at = 1000) {
  Change change;
  change.put_channels.push_back(make_channel(id, created_at));
  return change;
}

// Commits and expects success.
inline CommitResult commit_ok(Store& store, const Change& change) {
  auto result = store.commit(change);
  EXPECT_TRUE(result.ok()) << result.error().message();
  return result.ok() ? *result : CommitResult{};
}

inline int64_t last_event_id(Store& store) {
  auto id = store.last_event_id();
  EXPECT_TRUE(id.ok()) << id.error().message();
  return id.ok() ? *id : -1;
}

inline void expect_same_channel(const ChannelRecord& want, const ChannelRecord& got) {
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

inline void expect_same_destination(const DestinationRecord& want, const DestinationRecord& got) {
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

}  // namespace lunora::store::testing
