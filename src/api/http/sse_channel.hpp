// One Server-Sent Events client: producers on any thread push already formatted event blocks, the connection
// coroutine awaits them and writes them out. Bounded: a client that does not keep up is closed (it reconnects
// with Last-Event-ID and resumes from the store), so a slow browser never holds memory or slows a producer.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace lunora::api {

// Always owned by a std::shared_ptr (std::make_shared): push() and close() post the wake-up with a reference
// to the channel, so a producer may drop the last outside reference right after pushing.
class SseChannel : public std::enable_shared_from_this<SseChannel> {
 public:
  // `executor` is the connection's executor (the waiting coroutine runs there). It must run one handler at a
  // time (a strand, as HttpServer's connections have): push() and close() cancel the timer there.
  SseChannel(const boost::asio::any_io_executor& executor, size_t max_queued_events);

  // Thread-safe. Returns false when the channel is closed (or was just closed for overflowing): the producer
  // drops its reference.
  bool push(std::string block);
  // Thread-safe; the waiting coroutine wakes and sees the end.
  void close();
  bool closed() const;

  // The connection's side: the next block, a heartbeat comment (": keep-alive\n\n") after `heartbeat` of
  // silence, or nullopt when the channel is closed and drained.
  boost::asio::awaitable<std::optional<std::string>> next(std::chrono::milliseconds heartbeat);

  // Formats one event block: "id: 7\nevent: destination\ndata: {...}\n\n" (data split on newlines).
  static std::string format(int64_t id, const std::string& event, const std::string& data);

 private:
  void wake();  // cancels wake_ on its executor

  mutable std::mutex mutex_;  // guards queue_, closed_
  std::deque<std::string> queue_;
  bool closed_ = false;
  const size_t max_queued_;
  boost::asio::steady_timer wake_;  // cancelled by push/close to wake next(); touched only on `executor`
};

}  // namespace lunora::api
