#include "app/lambda_world.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <future>

#include "api/api_routes.hpp"
#include "app/aws_setup.hpp"
#include "app/store_opener.hpp"
#include "control/secret_box.hpp"

namespace lunora::app {

const char* const kLambdaLocalRefusal =
    "this Lunora runs on AWS Lambda (`lunora lambda`), which runs no media of its own: its channels run on "
    "MediaLive in direct mode (\"engine\": \"medialive\", \"medialive\": {\"mode\": \"direct\", ...}), "
    "unless a relay node is configured (LUNORA_RELAY_NODE_URL)";

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr auto kShutdownWait = std::chrono::seconds(5);
constexpr auto kQuietPoll = std::chrono::milliseconds(20);

// The route's coroutine owns its request (a parameter by value: GCC 12 and coroutine references).
asio::awaitable<api::HttpReply> dispatch_owned(std::shared_ptr<const api::Router> router,
                                               api::HttpRequest request) {
  co_return co_await router->dispatch(request);
}

Status check_lambda_settings(const ServeSettings& settings) {
  if (!settings.store.starts_with("dynamodb:")) {
    return Error(ErrorCode::kInvalidArgument,
                 "lunora lambda keeps its state in DynamoDB: set LUNORA_STORE=dynamodb:TABLE (got \"" +
                     settings.store + "\")");
  }
  if (settings.api_token.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "lunora lambda needs its admin token: name its Secrets Manager secret in "
                 "LUNORA_API_TOKEN_SECRET_ARN, or set LUNORA_API_TOKEN (at least 16 characters)");
  }
  if (settings.secret_key.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "lunora lambda needs its secret key (64 hex characters or base64 of 32 bytes): name its "
                 "Secrets Manager secret in LUNORA_SECRET_KEY_SECRET_ARN, or set LUNORA_SECRET_KEY; every "
                 "environment of the function seals stream keys with it, so it cannot be made here");
  }
  return ok_status();
}

}  // namespace

template <typename Work>
auto LambdaWorld::on_control(Work work) -> decltype(work()) {
  using Value = decltype(work());
  std::promise<Value> done;
  auto result = done.get_future();
  asio::post(control_io_, [&work, &done] {
    // The control thread's work stays on it: an exception is logged there, and a default answered.
    try {
      done.set_value(work());
    } catch (const std::exception& e) {
      spdlog::error("event=lambda_control_error error=\"{}\"", e.what());
      done.set_value(Value{});
    }
  });
  return result.get();
}

Result<std::unique_ptr<LambdaWorld>> LambdaWorld::create(const ServeSettings& settings) {
  if (auto checked = check_lambda_settings(settings); !checked) return checked.error();
  std::unique_ptr<LambdaWorld> world(new LambdaWorld());
  auto store = open_store(settings);
  if (!store) return store.error();
  world->store_ = std::move(*store);
  // The key comes from the environment only: Lambda's file system is not kept (a key file would be lost).
  auto secrets = control::SecretBox::load("", settings.secret_key);
  if (!secrets) return secrets.error();
  if (auto checked = check_secret_key(*world->store_, *secrets, settings); !checked) return checked.error();

  ServeSettings medialive_settings = settings;
  // Nothing runs between invocations: a change waits for no batch window, it restarts the channel at once
  // (when restarting is allowed at all).
  medialive_settings.medialive_batch_window_ms = 0;
  auto medialive = make_medialive_engine(medialive_settings);
  if (!medialive.first) {
    return Error(ErrorCode::kInvalidArgument, "lunora lambda drives MediaLive: " + medialive.second);
  }
  world->medialive_ = medialive.first.get();
  world->local_ = std::make_unique<engine::RefusingEngine>(kLambdaLocalRefusal);
  world->engines_ = std::make_unique<engine::EngineRouter>(*world->local_, std::move(medialive.first), "");

  control::ControlOptions options;
  options.local_engine_refusal = kLambdaLocalRefusal;
  options.http_base_url = settings.public_url;
  options.public_host = settings.public_host.empty() ? "127.0.0.1" : settings.public_host;
  options.public_rtmp_url = settings.public_rtmp_url;
  options.medialive_role_arn = settings.medialive_role_arn;
  options.relay_node_url = settings.relay_node_url;
  world->control_ = std::make_unique<control::ControlPlane>(world->control_io_.get_executor(), *world->store_,
                                                            *world->engines_, *secrets, options);
  // The control thread is not running yet: start() runs here, alone.
  if (auto started = world->control_->start(); !started) return started.error();
  world->router_ = api::make_api_router(*world->control_,
                                        {control::sha256_hex(settings.api_token), 5000, nullptr, "lambda"});
  world->control_work_.emplace(world->control_io_.get_executor());
  world->front_work_.emplace(world->front_io_.get_executor());
  world->control_thread_ = std::thread([io = &world->control_io_] { io->run(); });
  world->front_thread_ = std::thread([io = &world->front_io_] { io->run(); });
  return world;
}

LambdaWorld::~LambdaWorld() {
  try {
    stop_threads();
  } catch (const std::exception& e) {  // a destructor must not throw (posting can fail to allocate)
    spdlog::error("event=lambda_stop_failed error=\"{}\"", e.what());
  }
  router_.reset();
  control_.reset();
  engines_.reset();
  store_.reset();
}

void LambdaWorld::stop_threads() {
  if (control_thread_.joinable()) {
    std::promise<void> stopped;
    auto done = stopped.get_future();
    asio::post(control_io_, [this, &stopped] { control_->shutdown([&stopped] { stopped.set_value(); }); });
    if (done.wait_for(kShutdownWait) != std::future_status::ready) spdlog::warn("event=lambda_stop_timeout");
    control_work_.reset();
    front_work_.reset();
    control_io_.stop();
    front_io_.stop();
    control_thread_.join();
    front_thread_.join();
  }
}

api::HttpResponse LambdaWorld::handle(api::HttpRequest request) {
  api::HttpReply reply;
  try {
    auto pending = asio::co_spawn(front_io_, dispatch_owned(router_, std::move(request)), asio::use_future);
    reply = pending.get();
  } catch (const std::exception& e) {
    spdlog::error("event=http_handler_error error=\"{}\"", e.what());
    return api::json_error(500, "internal", "internal server error");
  }
  if (auto* stream = std::get_if<std::shared_ptr<api::SseChannel>>(&reply)) {
    if (*stream) (*stream)->close();  // its subscriber goes at its next event
    return api::json_error(501, "events_unavailable",
                           "this Lunora runs on AWS Lambda, which cannot hold an event stream open: poll "
                           "GET /api/v1/channels and GET /api/v1/destinations instead");
  }
  return std::get<api::HttpResponse>(std::move(reply));
}

bool LambdaWorld::settle(Clock::time_point deadline, bool look_again) {
  if (look_again) medialive_->refresh();
  for (;;) {
    on_control([this] {
      control_->reconcile_now();
      return true;
    });
    if (medialive_->quiet()) return true;
    while (!medialive_->quiet()) {
      if (Clock::now() >= deadline) {
        spdlog::info("event=lambda_settle_cut reason=deadline");
        return false;
      }
      std::this_thread::sleep_for(kQuietPoll);
    }
  }
}

bool LambdaWorld::stale() {
  return on_control([this] {
    auto written = control_->store_written_elsewhere();
    if (!written) {
      spdlog::warn("event=lambda_stale_check_failed error=\"{}\"", written.error().message());
      return false;
    }
    return *written;
  });
}

}  // namespace lunora::app
