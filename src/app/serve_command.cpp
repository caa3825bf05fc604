#include "app/serve_command.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <boost/asio.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include "api/api_routes.hpp"
#include "api/http/http_server.hpp"
#include "app/node_id.hpp"
#include "app/serve_settings.hpp"
#include "app/store_opener.hpp"
#include "control/control_plane.hpp"
#include "control/secret_box.hpp"
#include "engine/local/local_engine.hpp"

namespace lunora::app {
namespace {

namespace asio = boost::asio;

constexpr const char* kTokenHashSetting = "admin_token_sha256";
constexpr const char* kSecretKeyCheckSetting = "secret_key_check";
constexpr const char* kSecretKeyCheckText = "lunora secret key check";

// A value sealed under the key on first start: a node started later with another key (a lost secret.key, a
// second node on the same DynamoDB table without the same LUNORA_SECRET_KEY) stops here, instead of failing
// to open every stream key later.
Status check_secret_key(store::Store& store, const control::SecretBox& secrets,
                        const ServeSettings& settings) {
  auto stored = store.get_setting(kSecretKeyCheckSetting);
  if (!stored) return stored.error();
  if (!*stored) return store.put_setting(kSecretKeyCheckSetting, secrets.seal(kSecretKeyCheckText));
  if (auto opened = secrets.open(**stored); opened && *opened == kSecretKeyCheckText) return ok_status();
  const std::string key_source =
      settings.secret_key.empty() ? settings.data_dir + "/secret.key" : std::string("LUNORA_SECRET_KEY");
  return Error(ErrorCode::kConflict,
               "the store's secrets were sealed with another secret key than " + key_source +
                   ": start with the key the store was first used with (every node sharing a store needs the "
                   "same LUNORA_SECRET_KEY)");
}

struct AdminToken {
  std::string sha256;
  std::string shown_once;  // the token when it was generated now ("" otherwise)
  std::string source;      // where the operator finds it
};

// LUNORA_API_TOKEN wins; otherwise the token generated on first start (file <data-dir>/admin-token, 0600).
Result<AdminToken> admin_token(store::Store& store, const ServeSettings& settings) {
  AdminToken token;
  if (!settings.api_token.empty()) {
    token.sha256 = control::sha256_hex(settings.api_token);
    token.source = "LUNORA_API_TOKEN / api_token";
  } else {
    const std::string path = settings.data_dir + "/admin-token";
    auto stored = store.get_setting(kTokenHashSetting);
    if (!stored) return stored.error();
    if (*stored) {
      token.sha256 = **stored;
      token.source = path;
      return token;
    }
    const std::string generated = control::random_token(24);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return Error(ErrorCode::kIo, "cannot create " + path + ": " + std::strerror(errno));
    const std::string line = generated + "\n";
    const bool ok =
        ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return Error(ErrorCode::kIo, "cannot write " + path + " (disk full?)");
    token.sha256 = control::sha256_hex(generated);
    token.shown_once = generated;
    token.source = path;
  }
  if (auto saved = store.put_setting(kTokenHashSetting, token.sha256); !saved) return saved.error();
  return token;
}

struct ServeArgs {
  SettingValues flags;
  std::string config;
};

int run_serve(const ServeArgs& args) {
  SettingValues file;
  std::string config = args.config;
  if (config.empty()) {
    if (const char* env = std::getenv("LUNORA_CONFIG")) config = env;
  }
  if (!config.empty()) {
    auto loaded = settings_from_toml(config);
    if (!loaded) {
      std::cerr << "error: " << loaded.error().message() << "\n";
      return 2;
    }
    file = std::move(loaded.value());
  }
  auto merged = merge_settings(args.flags, settings_from_env(), file);
  if (!merged) {
    std::cerr << "error: " << merged.error().message() << "\n";
    return 2;
  }
  const ServeSettings& settings = *merged;
  auto http_address = split_host_port(settings.http, "http");
  auto rtmp_address = split_host_port(settings.rtmp, "rtmp");

  std::error_code fs_error;
  std::filesystem::create_directories(settings.data_dir, fs_error);
  if (fs_error) {
    std::cerr << "error: cannot create the data directory " << settings.data_dir << ": " << fs_error.message()
              << "\n";
    return 1;
  }
  ::chmod(settings.data_dir.c_str(), 0700);
  auto store = open_store(settings);
  if (!store) {
    std::cerr << "error: " << store.error().message() << "\n";
    return 1;
  }
  auto secrets = control::SecretBox::load(settings.data_dir + "/secret.key", settings.secret_key);
  if (!secrets) {
    std::cerr << "error: " << secrets.error().message() << "\n";
    return 1;
  }
  if (auto checked = check_secret_key(**store, *secrets, settings); !checked) {
    std::cerr << "error: " << checked.error().message() << "\n";
    return 1;
  }
  auto token = admin_token(**store, settings);
  if (!token) {
    std::cerr << "error: admin token: " << token.error().message() << "\n";
    return 1;
  }

  asio::io_context io;          // network I/O: HTTP, RTMP in and out
  asio::io_context control_io;  // the control thread: domain state and the store
  auto io_guard = asio::make_work_guard(io);
  auto control_guard = asio::make_work_guard(control_io);

  engine::LocalEngineOptions engine_options;
  engine_options.rtmp_host = rtmp_address->first;
  engine_options.rtmp_port = rtmp_address->second;
  engine_options.output.insecure_tls = settings.insecure_tls;
  engine_options.output.backoff.initial = std::chrono::milliseconds(settings.backoff_initial_ms);
  engine_options.output.backoff.cap = std::chrono::milliseconds(settings.backoff_cap_ms);
  engine::LocalEngine engine(io, engine_options);
  if (auto started = engine.start(); !started) {
    std::cerr << "error: " << started.error().message() << "\n";
    return 1;
  }

  // The HTTP listener binds first (its port goes into playback URLs); nothing is served before io runs,
  // and the routes are added below, before it does.
  auto router = std::make_shared<api::Router>();
  api::HttpServerOptions http_options;
  http_options.host = http_address->first;
  http_options.port = http_address->second;
  http_options.is_upload = [](std::string_view method, std::string_view target) {
    // PUT /api/v1/channels/{id}/slate: a picture, larger than any JSON body.
    target = target.substr(0, target.find('?'));
    return method == "PUT" && target.starts_with("/api/v1/channels/") && target.ends_with("/slate");
  };
  api::HttpServer http(io, http_options, router);
  if (auto started = http.start(); !started) {
    std::cerr << "error: " << started.error().message() << "\n";
    return 1;
  }

  control::ControlOptions control_options;
  control_options.rtmp_port = engine.rtmp_port();
  control_options.first_srt_port = settings.srt_port;
  control_options.public_host = settings.public_host;
  if (control_options.public_host.empty()) {
    control_options.public_host = rtmp_address->first == "0.0.0.0" ? "127.0.0.1" : rtmp_address->first;
  }
  control_options.http_base_url = !settings.public_url.empty() ? settings.public_url
                                                               : "http://" + control_options.public_host +
                                                                     ":" + std::to_string(http.port());
  // On a shared store every node drives its share of the channels and forwards commands for the others.
  std::string node_id;
  if ((*store)->leases() != nullptr) {
    node_id = make_node_id();
    const std::string host = http_options.host == "0.0.0.0" ? control_options.public_host : http_options.host;
    control_options.cluster =
        control::ControlOptions::Cluster{node_id, "http://" + host + ":" + std::to_string(http.port()),
                                         std::chrono::milliseconds(settings.lease_ms)};
  }
  control::ControlPlane control(control_io.get_executor(), **store, engine, secrets.value(), control_options);
  // The control thread is not running yet: start() runs here, alone.
  auto created = control.start();
  if (!created) {
    std::cerr << "error: " << created.error().message() << "\n";
    return 1;
  }

  api::ApiOptions api_options{token->sha256, 5000, nullptr, node_id};
  const std::string web_dir = settings.web_dir.empty() ? LUNORA_DEFAULT_WEB_DIR : settings.web_dir;
  if (auto assets = api::StaticAssets::load(web_dir); assets) {
    api_options.assets = *assets;
  } else {
    // The API and HLS work without them; /watch says what to do.
    spdlog::warn("event=web_assets_missing dir={} error=\"{}\"", web_dir, assets.error().message());
  }
  api::add_api_routes(*router, control, api_options);

  std::cout << "Lunora is running.\n  API:   http://" << http_options.host << ":" << http.port()
            << "/api/v1\n";
  if (!node_id.empty()) {
    std::cout << "  Node:  " << node_id << " (sharing the channels of " << settings.store
              << " with its other nodes)\n";
  }
  if (*created) {
    const auto& ingest = **created;
    std::cout << "  Channel \"main\" created. Point your encoder at:\n";
    if (ingest["srt_url"].is_string()) {
      std::cout << "    SRT:  " << ingest["srt_url"].get<std::string>() << "\n";
    }
    std::cout << "    RTMP: " << ingest["rtmp_server"].get<std::string>()
              << "  (stream key: " << ingest["rtmp_key"].get<std::string>() << ")\n";
    std::cout << "  Watch it at: " << ingest["playback_url"].get<std::string>() << "\n";
  }
  if (!token->shown_once.empty()) {
    std::cout << "  Admin token (shown once; also in " << token->source << "): " << token->shown_once << "\n";
  } else {
    std::cout << "  Admin token: " << token->source << "\n";
  }
  std::cout << std::flush;
  spdlog::info("event=serve_started http={}:{} rtmp={}:{} data_dir={}", http_options.host, http.port(),
               engine_options.rtmp_host, engine.rtmp_port(), settings.data_dir);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("event=serve_stopping signal={}", signal);
    http.stop();
    asio::post(control_io, [&] {
      control.shutdown([&] {
        asio::post(io, [&] {
          io_guard.reset();
          io.stop();
        });
        asio::post(control_io, [&] {
          control_guard.reset();
          control_io.stop();
        });
      });
    });
    // A destination that never answers its close must not hold the process.
    auto deadline = std::make_shared<asio::steady_timer>(io, std::chrono::seconds(5));
    deadline->async_wait([&, deadline](const boost::system::error_code& e) {
      if (e) return;
      spdlog::warn("event=serve_stop_timeout");
      io.stop();
      control_io.stop();
    });
  });

  std::thread control_thread([&control_io] { control_io.run(); });
  std::vector<std::thread> threads;
  for (int i = 1; i < settings.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& thread : threads) thread.join();
  control_thread.join();
  spdlog::info("event=serve_stopped");
  std::cout.flush();
  std::_Exit(0);  // outputs stopped; skip destructors racing the libsrt threads
}

}  // namespace

void register_serve_command(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Run the API, the engine and the control plane");
  struct Flag {
    const char* name;
    const char* key;
    const char* help;
  };
  static const Flag flags[] = {
      {"--data-dir", "data_dir", "Where the SQLite store, secret key and admin token live (./data)"},
      {"--http", "http", "HTTP listen address for the API (127.0.0.1:8080)"},
      {"--rtmp", "rtmp", "RTMP ingest listen address (0.0.0.0:1935)"},
      {"--public-host", "public_host", "Host name encoders use to reach Lunora, shown in ingest URLs"},
      {"--public-url", "public_url",
       "Base URL viewers reach Lunora at, used in playback URLs (http://<public host>:<HTTP port>)"},
      {"--web-dir", "web_dir", "Folder of the built browser assets: the player page (web/dist)"},
      {"--srt-port", "srt_port",
       "SRT port of the `main` channel; new SRT channels take the next free one (9000)"},
      {"--backoff-initial-ms", "backoff_initial_ms", "First reconnect delay of a failed destination (1000)"},
      {"--backoff-cap-ms", "backoff_cap_ms", "Longest reconnect delay (30000)"},
      {"--threads", "threads", "I/O threads (2)"},
      {"--store", "store",
       "Where the state lives: sqlite (<data-dir>/lunora.db) or dynamodb:TABLE, shared by every node naming "
       "it; "
       "AWS region, credentials and endpoint as the AWS SDKs read them (sqlite)"},
      {"--lease-ms", "lease_ms",
       "dynamodb: a node's lease on its channels; other nodes take them over this long after it died "
       "(10000)"},
  };
  for (const auto& flag : flags) {
    cmd->add_option_function<std::string>(
        flag.name,
        [args, key = std::string(flag.key)](const std::string& value) { args->flags[key] = value; },
        flag.help);
  }
  cmd->add_flag_function(
      "--insecure-tls", [args](int64_t) { args->flags["insecure_tls"] = "true"; },
      "Accept any TLS certificate from RTMPS destinations (self-signed test servers)");
  cmd->add_flag_function(
      "--create-table", [args](int64_t) { args->flags["create_table"] = "true"; },
      "With --store dynamodb:TABLE: create the table (on-demand billing) when it does not exist");
  cmd->add_option("--config", args->config, "TOML config file (keys as the flags: data_dir, http, ...)");
  cmd->callback([args] { std::exit(run_serve(*args)); });
}

}  // namespace lunora::app
