#include "api/http/sse_channel.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace lunora::api {

namespace asio = boost::asio;

SseChannel::SseChannel(const asio::any_io_executor& executor, size_t max_queued_events)
    : max_queued_(max_queued_events), wake_(executor) {}

bool SseChannel::push(std::string block) {
  bool accepted = false;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    if (queue_.size() >= max_queued_) {
      // The client does not keep up: end the stream rather than buffer without bound. It reconnects with
      // Last-Event-ID and catches up from the store, so dropping what is queued loses nothing.
      closed_ = true;
      queue_.clear();
    } else {
      queue_.push_back(std::move(block));
      accepted = true;
    }
  }
  wake();
  return accepted;
}

void SseChannel::close() {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
  }
  wake();
}

bool SseChannel::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

void SseChannel::wake() {
  // The timer is not thread-safe: cancel it on its own executor (the connection's strand). The waiter checks
  // the queue and starts its wait in one step on that strand, so this cancel either lands on a pending wait
  // or runs before the next check, which then sees the new block: no wake-up is lost.
  auto self = weak_from_this().lock();
  if (!self)
    return;  // not owned by a shared_ptr (see the header); the heartbeat tick still picks the block up
  asio::post(wake_.get_executor(), [self = std::move(self)] { self->wake_.cancel(); });
}

asio::awaitable<std::optional<std::string>> SseChannel::next(std::chrono::milliseconds heartbeat) {
  bool silent_for_a_heartbeat = false;
  for (;;) {
    std::optional<std::string> ready;
    bool ended = false;
    {
      std::lock_guard lock(mutex_);
      if (!queue_.empty()) {
        // Everything queued goes out in one write: fewer syscalls when a burst arrives.
        ready = std::move(queue_.front());
        queue_.pop_front();
        for (auto& block : queue_) *ready += block;
        queue_.clear();
      } else {
        ended = closed_;
      }
    }
    if (ready) co_return std::move(ready);
    if (ended) co_return std::nullopt;
    if (silent_for_a_heartbeat) co_return std::string(": keep-alive\n\n");
    wake_.expires_after(heartbeat);
    auto [ec] = co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    // Expired (no error): a full heartbeat of silence, unless a block raced in; cancelled: something to look
    // at.
    if (!ec) silent_for_a_heartbeat = true;
  }
}

std::string SseChannel::format(int64_t id, const std::string& event, const std::string& data) {
  std::string out = "id: " + std::to_string(id) + "\n";
  if (!event.empty()) {
    // A line break in the name would start a field of its own: drop it.
    std::string name;
    for (char c : event) {
      if (c != '\n' && c != '\r') name.push_back(c);
    }
    out += "event: " + name + "\n";
  }
  // SSE ends a line at CRLF, LF or CR; each line of the payload becomes its own data: field and the client
  // joins them with "\n".
  size_t start = 0;
  for (;;) {
    const size_t end = data.find_first_of("\r\n", start);
    out += "data: ";
    out.append(data, start, end == std::string::npos ? std::string::npos : end - start);
    out += "\n";
    if (end == std::string::npos) break;
    start = end + 1;
    if (data[end] == '\r' && start < data.size() && data[start] == '\n') ++start;
  }
  out += "\n";
  return out;
}

}  // namespace lunora::api
