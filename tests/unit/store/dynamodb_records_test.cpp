// Records and the head item as DynamoDB attribute maps: what goes in comes back, and an item written by
// something else (a hand edit in the console, another program) is an error naming the attribute, never a
// crash or a silently wrong record.
#include "store/dynamodb/dynamodb_records.hpp"

#include <gtest/gtest.h>

#include "store/dynamodb/dynamodb_head.hpp"

namespace lunora::store::dynamodb {
namespace {

using nlohmann::json;

TEST(DynamoDbRecords, ChannelRoundTripsWithBinarySecretsAndEmptyText) {
  ChannelRecord c;
  c.id = "ch_1";
  c.name = "Main stage ✓";
  c.passphrase_sealed = std::string("\0\xff sealed", 9);
  c.streamid = "";
  c.srt_port = 9001;
  c.version = 7;
  const Item item = channel_attributes(c);
  EXPECT_EQ(item["passphrase_sealed"].begin().key(), "B");
  EXPECT_FALSE(item.contains("streamid")) << "empty text is left out";
  auto back = channel_from(item);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->passphrase_sealed, c.passphrase_sealed);
  EXPECT_EQ(back->name, c.name);
  EXPECT_EQ(back->streamid, "");
  EXPECT_EQ(back->srt_port, 9001);
  EXPECT_EQ(back->version, 7);
}

TEST(DynamoDbRecords, WrongTypesAndMissingNumbersNameTheAttribute) {
  Item item = channel_attributes(ChannelRecord{});
  item["srt_port"] = {{"S", "9000"}};
  auto wrong_type = channel_from(item);
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.error().message().find("srt_port"), std::string::npos) << wrong_type.error().message();

  item = channel_attributes(ChannelRecord{});
  item.erase("version");
  auto missing = channel_from(item);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("version is missing"), std::string::npos);

  item = channel_attributes(ChannelRecord{});
  item["latency_ms"] = {{"N", "12x"}};
  auto not_a_number = channel_from(item);
  ASSERT_FALSE(not_a_number.ok());
  EXPECT_NE(not_a_number.error().message().find("latency_ms"), std::string::npos);

  item = destination_attributes(DestinationRecord{});
  item["stream_key_sealed"] = {{"B", "not base64!"}};
  auto not_base64 = destination_from(item);
  ASSERT_FALSE(not_base64.ok());
  EXPECT_NE(not_base64.error().message().find("stream_key_sealed is not base64"), std::string::npos);

  EXPECT_FALSE(event_from(json::array()).ok()) << "an item that is not a map";
}

TEST(DynamoDbHead, RoundTripsTheChangeItHolds) {
  Head head;
  head.seq = 41;
  head.first_event_id = 100;
  head.writer = "w2";
  head.recent_writers = {"w1", "w2"};
  ChannelRecord channel;
  channel.id = "ch_1";
  channel.version = 3;
  head.put_channels.push_back(channel);
  DestinationRecord destination;
  destination.id = "d_1";
  destination.channel_id = "ch_1";
  head.put_destinations.push_back(destination);
  head.delete_destinations = {"d_0"};
  head.events.push_back({100, "channel", R"({"id":"ch_1"})", 5});
  head.events.push_back({101, "destination_deleted", R"({"id":"d_0"})", 6});

  auto back = head_from(head_item(head));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->seq, 41);
  EXPECT_EQ(back->last_event_id(), 101);
  EXPECT_FALSE(back->applied);
  EXPECT_EQ(back->recent_writers, head.recent_writers);
  ASSERT_EQ(back->put_channels.size(), 1U);
  EXPECT_EQ(back->put_channels[0].version, 3);
  ASSERT_EQ(back->put_destinations.size(), 1U);
  EXPECT_EQ(back->put_destinations[0].channel_id, "ch_1");
  EXPECT_EQ(back->delete_destinations, head.delete_destinations);
  ASSERT_EQ(back->events.size(), 2U);
  EXPECT_EQ(back->events[1].type, "destination_deleted");
}

TEST(DynamoDbHead, KeepsOnlyTheNewestWriters) {
  std::vector<std::string> writers;
  for (int i = 0; i < 40; ++i) remember_writer(writers, "w" + std::to_string(i));
  ASSERT_EQ(writers.size(), 32U);
  EXPECT_EQ(writers.front(), "w8");
  EXPECT_EQ(writers.back(), "w39");
}

TEST(DynamoDbHead, AMalformedListIsAnError) {
  Item item = head_item(Head{});
  item["events"] = {{"L", json::array({{{"S", "not a map"}}})}};
  auto back = head_from(item);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.error().message().find("events"), std::string::npos);
}

}  // namespace
}  // namespace lunora::store::dynamodb
