#include "api/http/sse_channel.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>
#include <vector>

namespace lunora::api {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::optional<std::string> next_now(asio::io_context& io, SseChannel& channel,
                                    std::chrono::milliseconds heartbeat = 10s) {
  auto future = asio::co_spawn(io, channel.next(heartbeat), asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

TEST(SseChannelTest, FormatsOneEvent) {
  EXPECT_EQ(SseChannel::format(7, "destination", R"({"id":"d1"})"),
            "id: 7\nevent: destination\ndata: {\"id\":\"d1\"}\n\n");
}

TEST(SseChannelTest, FormatSplitsDataOnEveryKindOfLineBreak) {
  EXPECT_EQ(SseChannel::format(1, "log", "a\nb\r\nc\rd"),
            "id: 1\nevent: log\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
  EXPECT_EQ(SseChannel::format(2, "x", ""), "id: 2\nevent: x\ndata: \n\n");
  EXPECT_EQ(SseChannel::format(3, "x", "end\n"), "id: 3\nevent: x\ndata: end\ndata: \n\n");
  // A line break in the event name cannot inject a field.
  EXPECT_EQ(SseChannel::format(4, "a\nid: 99", "d"), "id: 4\nevent: aid: 99\ndata: d\n\n");
}

TEST(SseChannelTest, QueuedBlocksComeOutAsOneWrite) {
  asio::io_context io;
  auto channel = std::make_shared<SseChannel>(io.get_executor(), 16);
  EXPECT_TRUE(channel->push("a\n\n"));
  EXPECT_TRUE(channel->push("b\n\n"));
  EXPECT_TRUE(channel->push("c\n\n"));
  EXPECT_EQ(next_now(io, *channel), "a\n\nb\n\nc\n\n");
}

TEST(SseChannelTest, HeartbeatAfterSilence) {
  asio::io_context io;
  auto channel = std::make_shared<SseChannel>(io.get_executor(), 16);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(next_now(io, *channel, 50ms), ": keep-alive\n\n");
  EXPECT_GE(std::chrono::steady_clock::now() - started, 50ms);
}

TEST(SseChannelTest, CloseDrainsThenEnds) {
  asio::io_context io;
  auto channel = std::make_shared<SseChannel>(io.get_executor(), 16);
  EXPECT_TRUE(channel->push("last\n\n"));
  channel->close();
  EXPECT_TRUE(channel->closed());
  EXPECT_FALSE(channel->push("late\n\n"));
  EXPECT_EQ(next_now(io, *channel), "last\n\n");
  EXPECT_EQ(next_now(io, *channel), std::nullopt);
}

TEST(SseChannelTest, OverflowClosesTheChannel) {
  asio::io_context io;
  auto channel = std::make_shared<SseChannel>(io.get_executor(), 2);
  EXPECT_TRUE(channel->push("1"));
  EXPECT_TRUE(channel->push("2"));
  EXPECT_FALSE(channel->push("3"));  // the client is too slow: it reconnects and resumes from the store
  EXPECT_TRUE(channel->closed());
  EXPECT_FALSE(channel->push("4"));
  EXPECT_EQ(next_now(io, *channel), std::nullopt);  // what was queued is dropped, memory freed
}

// The real arrangement: the waiter on a strand of a running io_context, producers on other threads.
TEST(SseChannelTest, PushFromOtherThreadsWakesTheWaiterInOrder) {
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  auto strand = asio::make_strand(io);
  auto channel = std::make_shared<SseChannel>(strand, 1000);

  auto collected = asio::co_spawn(
      strand,
      [channel]() -> asio::awaitable<std::string> {
        std::string all;
        while (auto block = co_await channel->next(10s)) all += *block;
        co_return all;
      },
      asio::use_future);

  std::string expected;
  for (int i = 0; i < 200; ++i) expected += SseChannel::format(i, "n", std::to_string(i));
  std::thread producer([&] {
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE(channel->push(SseChannel::format(i, "n", std::to_string(i))));
      if (i % 50 == 0) std::this_thread::sleep_for(1ms);  // let the waiter catch up and wait again
    }
    channel->close();
  });
  producer.join();
  ASSERT_EQ(collected.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(collected.get(), expected);
  work.reset();
  runner.join();
}

TEST(SseChannelTest, CloseFromAnotherThreadWakesTheWaiter) {
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  auto strand = asio::make_strand(io);
  auto channel = std::make_shared<SseChannel>(strand, 10);
  auto result = asio::co_spawn(strand, channel->next(10s), asio::use_future);
  std::this_thread::sleep_for(20ms);  // the waiter is (most likely) parked on its timer by now
  channel->close();
  ASSERT_EQ(result.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(result.get(), std::nullopt);
  work.reset();
  runner.join();
}

}  // namespace
}  // namespace lunora::api
