// Everything one `lunora lambda` environment serves with: the DynamoDB store, the MediaLive engine behind the
// engine router (no local media: local channels are refused), the control plane on its own thread, and the
// same API router as `lunora serve`. Built at init; built again when another environment of the function
// wrote to the store since (its state here is then stale).
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "api/http/router.hpp"
#include "app/serve_settings.hpp"
#include "control/control_plane.hpp"
#include "engine/engine_router.hpp"
#include "engine/refusing_engine.hpp"
#include "store/store.hpp"

namespace lunora::app {

// Why a local channel cannot be made here: a 422's message and a local channel's listen error.
extern const char* const kLambdaLocalRefusal;

class LambdaWorld {
 public:
  // Opens the store, checks the secret key, starts the control plane; an error says what is missing.
  static Result<std::unique_ptr<LambdaWorld>> create(const ServeSettings& settings);
  ~LambdaWorld();
  LambdaWorld(const LambdaWorld&) = delete;
  LambdaWorld& operator=(const LambdaWorld&) = delete;

  // One request through the API's routes, as `lunora serve` answers it (an event stream cannot be held open
  // in a Lambda invocation: 501 events_unavailable, and the GUI polls).
  api::HttpResponse handle(api::HttpRequest request);
  // Lets MediaLive's answers settle into the statuses until `deadline`: reconciles, then waits while the
  // MediaLive engine has calls in flight (or provisions), and reconciles again. `look_again`: every MediaLive
  // channel is described first (its state changed, or the minute's reconcile). False when the deadline came
  // first (a MediaLive call still out: the next invocation sees its answer).
  bool settle(std::chrono::steady_clock::time_point deadline, bool look_again);
  // Whether another environment wrote to the store since this one last looked (false when it cannot tell).
  bool stale();

 private:
  LambdaWorld() = default;
  // Stops the control plane (up to 5 s) and the threads.
  void stop_threads();
  // Runs `work` on the control thread and waits for it.
  template <typename Work>
  auto on_control(Work work) -> decltype(work());

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<engine::RefusingEngine> local_;
  engine::medialive::MediaLiveEngine* medialive_ = nullptr;  // owned by engines_; null without AWS settings
  std::unique_ptr<engine::EngineRouter> engines_;
  boost::asio::io_context control_io_;  // the control thread: domain state and the store
  boost::asio::io_context front_io_;    // the routes' coroutines between hops onto the control thread
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> control_work_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> front_work_;
  std::unique_ptr<control::ControlPlane> control_;
  std::shared_ptr<api::Router> router_;
  std::thread control_thread_;
  std::thread front_thread_;
};

}  // namespace lunora::app
