// Makes one MediaLive channel follow what Lunora wants of it (issue 8, direct mode): which RTMP pushes it has
// and whether it runs. MediaLive edits a channel only while it is IDLE, so:
//   IDLE    -> UpdateChannel with the wanted pushes, then StartChannel when it should run;
//   RUNNING -> a change of pushes waits until a restart is allowed, then waits out the batch window (changes
//              arriving meanwhile share the one restart): StopChannel, and the IDLE step does the rest;
//              nothing should run: StopChannel, and the pushes come off while IDLE;
//   moving (CREATING, STARTING, STOPPING, ...) -> look again a poll interval later.
// Every answer comes from DescribeChannel, and every update sends back what it returned (channel_plan.hpp).
// One operation at a time; a 409 ConflictException (another operation in flight) is looked at again later;
// throttling and 5xx are retried by the AWS client; any other refusal is kept as the error, in AWS's words.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aws/medialive/medialive_client.hpp"
#include "engine/medialive/channel_plan.hpp"

namespace lunora::engine::medialive {

class ChannelDriver : public std::enable_shared_from_this<ChannelDriver> {
 public:
  struct Options {
    std::chrono::milliseconds poll_moving{5000};    // while the channel moves (the SDK waiters' 5 s)
    std::chrono::milliseconds poll_steady{30000};   // while nothing is to be done
    std::chrono::milliseconds batch_window{10000};  // changes within it share one restart
  };
  struct Desired {
    std::vector<RtmpPush> pushes;
    bool running = false;
    bool allow_restart = false;  // a change of pushes may stop a running channel (and its live outputs)
    bool operator==(const Desired&) const = default;
  };
  struct Observed {
    std::string state;                // MediaLive's (IDLE, STARTING, RUNNING, ...); "" before the first look
    std::vector<std::string> pushes;  // the destination ids the channel pushes to now
    std::vector<RtmpPush> outputs;    // the same with URL and stream name (keys: never logged or shown)
    std::string activity;             // "", "updating", "starting", "stopping", "restarting"
    bool restart_pending = false;     // RUNNING with other pushes wanted, and no restart allowed
    std::string error;                // the last refusal in AWS's words ("" = none)
    int starts = 0;                   // StartChannel calls MediaLive accepted
    int updates = 0;                  // UpdateChannel calls MediaLive accepted
  };

  // Starts following the channel on `executor` (one thread, or a strand: the driver's own work is never
  // concurrent with itself). `client` must outlive the driver.
  static std::shared_ptr<ChannelDriver> start(boost::asio::any_io_executor executor,
                                              const aws::MediaLiveClient& client, std::string channel_id,
                                              Options options);
  // Any thread: what the channel should be; the driver acts on it at once.
  void set_desired(Desired desired);
  // Any thread.
  Observed observed() const;
  // Any thread: look at the channel now (its state may have changed: MediaLive said so).
  void refresh() { wake(); }
  // Any thread: waiting for its next look, with no call in flight and nothing asked since its last step.
  bool quiet() const;
  // Any thread: the driver stops after the call in flight, if any (MediaLive is left as it is); the io
  // context's work ends then.
  void stop();

  ChannelDriver(boost::asio::any_io_executor executor, const aws::MediaLiveClient& client,
                std::string channel_id, Options options);

 private:
  static boost::asio::awaitable<void> run(std::shared_ptr<ChannelDriver> self);
  // One look and at most one operation; how long to wait before the next.
  boost::asio::awaitable<std::chrono::milliseconds> step();
  boost::asio::awaitable<std::chrono::milliseconds> step_idle(const nlohmann::json& channel,
                                                              const Desired& want);
  std::chrono::milliseconds step_running(const Desired& want, bool pushes_differ);
  boost::asio::awaitable<bool> call_ok(boost::asio::awaitable<aws::AwsOutcome> call, const char* activity);
  void wake();
  bool stopped() const;

  boost::asio::any_io_executor executor_;
  const aws::MediaLiveClient& client_;
  const std::string channel_id_;
  const Options options_;
  boost::asio::steady_timer timer_;  // the wait between steps; used on executor_ only
  // On executor_ only: when a restart of the running channel is due (the batch window), that it is (the next
  // step stops the channel), and that one is underway (stopped for it, not running again yet).
  std::optional<std::chrono::steady_clock::time_point> restart_due_;
  bool stop_for_restart_ = false;
  bool restarting_ = false;
  // On executor_ only: the pushes of the last accepted update (until the channel shows them), and pushes
  // MediaLive refused or did not keep (not asked for again).
  std::optional<std::vector<RtmpPush>> sent_;
  std::optional<std::vector<RtmpPush>> given_up_;
  std::optional<Desired> start_refused_for_;  // on executor_ only: StartChannel was refused for this
  // On executor_ only: the last failed call was a refusal (a 4xx other than 409 and 429), not a transient
  // failure (no answer, 5xx or throttling after the client's retries), which is tried again later.
  bool last_refusal_final_ = false;
  bool error_from_describe_ =
      false;  // guarded by mutex_: observed_.error is a failed look, cleared by the next

  mutable std::mutex mutex_;  // guards desired_, observed_ and stopped_ (set from any thread)
  Desired desired_;
  Observed observed_;
  bool stopped_ = false;
  uint64_t wakes_ = 0;       // wake() calls
  uint64_t wakes_seen_ = 0;  // wake() calls before the current (or last) step began
  bool waiting_ = false;     // between steps
};

}  // namespace lunora::engine::medialive
