#include "app/lambda_command.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "api/lambda/lambda_event.hpp"
#include "api/lambda/runtime_client.hpp"
#include "app/aws_setup.hpp"
#include "app/lambda_world.hpp"
#include "app/serve_settings.hpp"
#include "aws/secrets_manager.hpp"

namespace lunora::app {
namespace {

using Clock = std::chrono::steady_clock;
using api::lambda::Invocation;
using api::lambda::RuntimeClient;

// Left of an invocation's time when Lunora stops waiting for MediaLive's answers: enough to say so.
constexpr std::chrono::milliseconds kDeadlineMargin{500};

struct LambdaSetup {
  ServeSettings settings;
  std::chrono::milliseconds settle{3000};  // LUNORA_LAMBDA_SETTLE_MS
};

boost::asio::awaitable<void> read_secret_into(const aws::AwsClient* client, std::string arn,
                                              std::optional<Result<std::string>>* out) {
  *out = co_await aws::get_secret_string(*client, std::move(arn));
}

// A secret's text from Secrets Manager (blocking: the runtime's thread, before it serves).
Result<std::string> read_secret(const aws::AwsClient& client, const std::string& arn) {
  boost::asio::io_context io;
  std::optional<Result<std::string>> got;
  boost::asio::co_spawn(io, read_secret_into(&client, arn, &got), [](const std::exception_ptr&) {});
  io.run();
  if (!got) return Error(ErrorCode::kInternal, "reading the secret " + arn + " failed");
  if (!*got) return got->error();
  std::string text = std::move(**got);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

// The admin token and the secret key from Secrets Manager when the function names their secrets (the
// template does: neither is then a plain setting of the function, visible in its configuration).
Status read_secrets(ServeSettings& settings) {
  const char* token_arn = std::getenv("LUNORA_API_TOKEN_SECRET_ARN");
  const char* key_arn = std::getenv("LUNORA_SECRET_KEY_SECRET_ARN");
  const bool token_named = token_arn != nullptr && *token_arn != '\0';
  const bool key_named = key_arn != nullptr && *key_arn != '\0';
  if (!token_named && !key_named) return ok_status();
  auto setup = aws_setup("Secrets Manager", "secretsmanager");
  if (!setup) return setup.error().wrap("reading Lunora's secrets from Secrets Manager");
  auto client = aws::AwsClient::create(setup->options);
  if (!client) return client.error().wrap("Secrets Manager");
  if (token_named) {
    auto token = read_secret(**client, token_arn);
    if (!token) return token.error();
    if (token->size() < 16) {
      return Error(ErrorCode::kInvalidArgument,
                   std::string("the admin token in ") + token_arn + " is shorter than 16 characters");
    }
    settings.api_token = std::move(*token);
  }
  if (key_named) {
    auto key = read_secret(**client, key_arn);
    if (!key) return key.error();
    settings.secret_key = std::move(*key);
  }
  return ok_status();
}

Result<LambdaSetup> lambda_setup() {
  LambdaSetup setup;
  auto settings = load_serve_settings({}, "");
  if (!settings) return settings.error();
  setup.settings = *settings;
  if (auto secrets = read_secrets(setup.settings); !secrets) return secrets.error();
  if (const char* settle = std::getenv("LUNORA_LAMBDA_SETTLE_MS"); settle != nullptr && *settle != '\0') {
    char* end = nullptr;
    const long ms = std::strtol(settle, &end, 10);
    if (*end != '\0' || ms < 0 || ms > 60000) {
      return Error(ErrorCode::kInvalidArgument, "LUNORA_LAMBDA_SETTLE_MS must be 0..60000 milliseconds");
    }
    setup.settle = std::chrono::milliseconds(ms);
  }
  return setup;
}

// How long this invocation may still wait for MediaLive: the settle budget, within the invocation's deadline.
Clock::time_point settle_deadline(const Invocation& invocation, std::chrono::milliseconds settle) {
  const auto now = Clock::now();
  auto deadline = now + settle;
  if (invocation.deadline_ms > 0) {
    const int64_t wall_now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    const auto left = std::chrono::milliseconds(invocation.deadline_ms - wall_now) - kDeadlineMargin;
    deadline = std::min(deadline, now + std::max(left, std::chrono::milliseconds(0)));
  }
  return deadline;
}

// An event's answer: what it was, and whether MediaLive answered every call before the invocation ended.
std::string reconciled_body(const char* what, bool settled) {
  return nlohmann::json{{"reconciled", true}, {"event", what}, {"settled", settled}}.dump();
}

class LambdaRuntime {
 public:
  LambdaRuntime(RuntimeClient& client, LambdaSetup setup) : client_(client), setup_(std::move(setup)) {}

  Status init() {
    auto world = LambdaWorld::create(setup_.settings);
    if (!world) return world.error();
    world_ = std::move(*world);
    // The first look at every MediaLive channel, before the first request reads their statuses.
    world_->settle(Clock::now() + setup_.settle, true);
    return ok_status();
  }

  void serve(const Invocation& invocation) {
    const auto deadline = settle_deadline(invocation, setup_.settle);
    auto event = api::lambda::parse_lambda_event(invocation.payload);
    if (!event) {
      spdlog::warn("event=lambda_bad_event request={} error=\"{}\"", invocation.request_id,
                   event.error().message());
      report(client_.fail(invocation.request_id, "Lunora.BadEvent", event.error().message()));
      return;
    }
    if (!ready(invocation)) return;
    if (auto* request = std::get_if<api::HttpRequest>(&*event)) {
      const std::string method = request->method;
      const std::string path = request->target.substr(0, request->target.find('?'));
      const api::HttpResponse response = world_->handle(std::move(*request));
      spdlog::debug("event=http_request method={} path={} status={} door=lambda", method, path,
                    response.status);
      // A change is carried to MediaLive before the answer, not after it: the function serves one request at
      // a time, and the caller's next request would be refused while this one still worked. A read changed
      // nothing to carry.
      if (method != "GET" && method != "HEAD") world_->settle(deadline, false);
      report(client_.respond(invocation.request_id, api::lambda::http_api_response(response)));
      return;
    }
    if (auto* change = std::get_if<api::lambda::MediaLiveStateChange>(&*event)) {
      spdlog::info("event=medialive_state_change channel_arn={} state={}", change->channel_arn,
                   change->state);
      const bool settled = world_->settle(deadline, true);
      report(client_.respond(invocation.request_id, reconciled_body("medialive_state_change", settled)));
      return;
    }
    const bool settled = world_->settle(deadline, true);
    report(client_.respond(invocation.request_id, reconciled_body("scheduled", settled)));
  }

 private:
  // A world to serve with, and a fresh one when another environment wrote to the store since this one last
  // looked; false (the invocation answered with the error) when none can be made now.
  bool ready(const Invocation& invocation) {
    if (world_ && world_->stale()) {
      spdlog::info("event=lambda_state_reload reason=\"another environment wrote to the store\"");
      world_.reset();
    }
    if (!world_) {
      auto world = LambdaWorld::create(setup_.settings);
      if (!world) {
        spdlog::error("event=lambda_init_failed error=\"{}\"", world.error().message());
        report(client_.fail(invocation.request_id, "Lunora.InitError", world.error().message()));
        return false;
      }
      world_ = std::move(*world);
      world_->settle(settle_deadline(invocation, setup_.settle), true);
    }
    return true;
  }

  static void report(const Status& sent) {
    if (!sent) spdlog::error("event=lambda_runtime_api_error error=\"{}\"", sent.error().message());
  }

  RuntimeClient& client_;
  const LambdaSetup setup_;
  std::unique_ptr<LambdaWorld> world_;
};

int run_lambda() {
  const char* address = std::getenv("AWS_LAMBDA_RUNTIME_API");
  auto client = RuntimeClient::connect(address == nullptr ? "" : address);
  if (!client) {
    std::cerr << "error: " << client.error().message() << "\n";
    return 2;
  }
  auto setup = lambda_setup();
  Status started = setup ? ok_status() : Status(setup.error());
  std::optional<LambdaRuntime> runtime;
  if (started) {
    runtime.emplace(**client, *setup);
    started = runtime->init();
  }
  if (!started) {
    spdlog::error("event=lambda_init_failed error=\"{}\"", started.error().message());
    if (auto sent = (*client)->init_failed("Lunora.InitError", started.error().message()); !sent) {
      spdlog::error("event=lambda_runtime_api_error error=\"{}\"", sent.error().message());
    }
    return 1;
  }
  spdlog::info("event=lambda_ready");
  for (;;) {
    auto invocation = (*client)->next();
    if (!invocation) {
      // The Runtime API is the environment itself: without it there is nothing left to serve.
      spdlog::error("event=lambda_runtime_api_error error=\"{}\"", invocation.error().message());
      return 1;
    }
    runtime->serve(*invocation);
  }
}

}  // namespace

void register_lambda_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "lambda",
      "Run as an AWS Lambda function's bootstrap (custom runtime): API Gateway HTTP API requests, MediaLive "
      "state changes and scheduled reconciles; settings from LUNORA_* variables "
      "(LUNORA_STORE=dynamodb:TABLE, "
      "LUNORA_API_TOKEN, LUNORA_SECRET_KEY)");
  cmd->callback([] { std::exit(run_lambda()); });
}

}  // namespace lunora::app
