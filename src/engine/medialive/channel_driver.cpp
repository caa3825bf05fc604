#include "engine/medialive/channel_driver.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

namespace lunora::engine::medialive {
namespace {

using std::chrono::milliseconds;

std::vector<std::string> ids_of(const std::vector<RtmpPush>& pushes) {
  std::vector<std::string> ids;
  ids.reserve(pushes.size());
  for (const auto& push : pushes) ids.push_back(push.id);
  return ids;
}

// States in which MediaLive is in the middle of something: nothing can be asked of the channel but to wait.
bool is_moving(const std::string& state) {
  return state == "CREATING" || state == "STARTING" || state == "STOPPING" || state == "DELETING" ||
         state == "UPDATING";
}

}  // namespace

ChannelDriver::ChannelDriver(boost::asio::any_io_executor executor, const aws::MediaLiveClient& client,
                             std::string channel_id, Options options)
    : executor_(executor),
      client_(client),
      channel_id_(std::move(channel_id)),
      options_(options),
      timer_(executor) {}

std::shared_ptr<ChannelDriver> ChannelDriver::start(boost::asio::any_io_executor executor,
                                                    const aws::MediaLiveClient& client,
                                                    std::string channel_id, Options options) {
  auto driver = std::make_shared<ChannelDriver>(executor, client, std::move(channel_id), options);
  boost::asio::co_spawn(executor, run(driver), boost::asio::detached);
  return driver;
}

void ChannelDriver::set_desired(Desired desired) {
  {
    std::lock_guard lock(mutex_);
    if (desired_ == desired) return;
    desired_ = std::move(desired);
  }
  wake();
}

ChannelDriver::Observed ChannelDriver::observed() const {
  std::lock_guard lock(mutex_);
  return observed_;
}

void ChannelDriver::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  wake();
}

bool ChannelDriver::quiet() const {
  std::lock_guard lock(mutex_);
  return waiting_ && wakes_ == wakes_seen_;
}

void ChannelDriver::wake() {
  {
    std::lock_guard lock(mutex_);
    ++wakes_;
  }
  // The timer belongs to the executor: cancelled there.
  boost::asio::post(executor_, [self = shared_from_this()] { self->timer_.cancel(); });
}

bool ChannelDriver::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

boost::asio::awaitable<void> ChannelDriver::run(std::shared_ptr<ChannelDriver> self) {
  while (!self->stopped()) {
    milliseconds wait = self->options_.poll_moving;
    {
      std::lock_guard lock(self->mutex_);
      self->wakes_seen_ = self->wakes_;
      self->waiting_ = false;
    }
    try {
      wait = co_await self->step();
    } catch (const std::exception& e) {
      // An answer of an unexpected shape (nlohmann's type errors): kept as the error, looked at again.
      spdlog::error("event=medialive_driver_failed channel={} error=\"{}\"", self->channel_id_, e.what());
      std::lock_guard lock(self->mutex_);
      self->observed_.error = std::string("unexpected answer from MediaLive: ") + e.what();
      self->observed_.activity.clear();
    }
    if (self->stopped()) break;
    {
      std::lock_guard lock(self->mutex_);
      self->waiting_ = true;
    }
    // A wake() posted after this point runs once the wait has begun (one thread or strand), so none is lost.
    self->timer_.expires_after(wait);
    boost::system::error_code ignored;  // cancelled: set_desired() or stop() woke it
    co_await self->timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
  }
}

boost::asio::awaitable<milliseconds> ChannelDriver::step() {
  aws::AwsOutcome described = co_await client_.describe_channel(channel_id_);
  if (!described.ok()) {
    const std::string message = described.error().to_error().message();
    spdlog::warn("event=medialive_describe_failed channel={} error=\"{}\"", channel_id_, message);
    std::lock_guard lock(mutex_);
    observed_.error = message;
    error_from_describe_ = true;
    co_return options_.poll_moving;
  }
  const nlohmann::json& channel = described->body;
  if (!channel.is_object()) throw std::runtime_error("DescribeChannel answered no channel object");
  const std::string state = channel.value("state", "");
  const std::vector<RtmpPush> current = pushes_of(channel);
  Desired want;
  {
    std::lock_guard lock(mutex_);
    want = desired_;
    observed_.state = state;
    observed_.pushes = ids_of(current);
    observed_.outputs = current;
    observed_.restart_pending = false;
    if (error_from_describe_) observed_.error.clear();
    error_from_describe_ = false;
  }
  if (is_moving(state)) co_return options_.poll_moving;
  if (state == "IDLE") co_return co_await step_idle(channel, want);
  if (state == "RUNNING" || state == "RECOVERING") {
    if (current == want.pushes) stop_for_restart_ = false;  // wanted back as it is: no restart after all
    if (!want.running || stop_for_restart_) {
      const bool restart = want.running;
      restart_due_.reset();
      if (co_await call_ok(client_.stop_channel(channel_id_), restart ? "restarting" : "stopping")) {
        stop_for_restart_ = false;
        restarting_ = restart;
      }
      co_return options_.poll_moving;
    }
    co_return step_running(want, current != want.pushes);
  }
  std::lock_guard lock(mutex_);
  observed_.error = "the MediaLive channel " + channel_id_ + " is " + (state.empty() ? "in no state" : state);
  co_return options_.poll_steady;
}

boost::asio::awaitable<milliseconds> ChannelDriver::step_idle(const nlohmann::json& channel,
                                                              const Desired& want) {
  if (pushes_of(channel) != want.pushes) {
    // Asked and refused, or accepted and not kept: not again until something else is wanted (set_desired
    // wakes the driver), so that a bad push never turns into a loop of calls.
    if (given_up_ && *given_up_ == want.pushes) co_return options_.poll_steady;
    if (sent_ && *sent_ == want.pushes) {
      given_up_ = want.pushes;
      std::lock_guard lock(mutex_);
      observed_.error = "MediaLive accepted the update of channel " + channel_id_ +
                        " but does not show the RTMP outputs asked for";
      observed_.activity.clear();
      co_return options_.poll_steady;
    }
    const bool accepted =
        co_await call_ok(client_.update_channel(channel_id_, with_pushes(channel, want.pushes)), "updating");
    if (!accepted) {
      if (last_refusal_final_) given_up_ = want.pushes;  // refused (a 409 or a timeout is tried again)
      co_return options_.poll_moving;
    }
    sent_ = want.pushes;
    {
      std::lock_guard lock(mutex_);
      ++observed_.updates;
    }
    co_return milliseconds(0);  // look again at once: start it, or it is done
  }
  sent_.reset();
  given_up_.reset();
  if (want.running) {
    // A refused start (no role, a bad input) is not asked again until something else is wanted.
    if (start_refused_for_ && *start_refused_for_ == want) co_return options_.poll_steady;
    if (co_await call_ok(client_.start_channel(channel_id_), restarting_ ? "restarting" : "starting")) {
      std::lock_guard lock(mutex_);
      ++observed_.starts;
    } else if (last_refusal_final_) {
      start_refused_for_ = want;
    }
    co_return options_.poll_moving;
  }
  start_refused_for_.reset();
  restarting_ = false;
  std::lock_guard lock(mutex_);
  observed_.activity.clear();
  co_return options_.poll_steady;
}

milliseconds ChannelDriver::step_running(const Desired& want, bool pushes_differ) {
  std::lock_guard lock(mutex_);
  if (!pushes_differ) {
    restarting_ = false;
    observed_.activity.clear();
    observed_.error.clear();
    return options_.poll_steady;
  }
  if (!want.allow_restart) {
    restart_due_.reset();
    observed_.restart_pending = true;
    return options_.poll_steady;
  }
  // A restart interrupts every output: the changes of one batch window share it.
  const auto now = std::chrono::steady_clock::now();
  if (!restart_due_) restart_due_ = now + options_.batch_window;
  observed_.activity = "restarting";
  if (now < *restart_due_) return std::chrono::duration_cast<milliseconds>(*restart_due_ - now);
  restart_due_.reset();
  stop_for_restart_ = true;  // the next step stops it
  return milliseconds(0);
}

boost::asio::awaitable<bool> ChannelDriver::call_ok(boost::asio::awaitable<aws::AwsOutcome> call,
                                                    const char* activity) {
  {
    std::lock_guard lock(mutex_);
    observed_.activity = activity;
  }
  aws::AwsOutcome outcome = co_await std::move(call);
  std::lock_guard lock(mutex_);
  error_from_describe_ = false;
  const int status = outcome.ok() ? 0 : outcome.error().http_status;
  last_refusal_final_ = status >= 400 && status < 500 && status != 409 && status != 429;
  if (outcome.ok()) {
    observed_.error.clear();
    co_return true;
  }
  // Another operation is in flight (409): not a refusal, the next look sees where the channel went.
  if (outcome.error().http_status == 409) {
    observed_.error.clear();
    co_return false;
  }
  observed_.error = outcome.error().to_error().message();
  observed_.activity.clear();  // refused: nothing is underway
  spdlog::warn("event=medialive_refused channel={} activity={} error=\"{}\"", channel_id_, activity,
               observed_.error);
  co_return false;
}

}  // namespace lunora::engine::medialive
