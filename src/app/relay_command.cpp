#include "app/relay_command.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <iostream>
#include <sstream>
#include <thread>

#include "app/stats_json.hpp"
#include "media/relay.hpp"

namespace lunora::app {
namespace {

namespace asio = boost::asio;

struct RelayArgs {
  std::string input;
  std::vector<std::string> outputs;
  bool stats = false;
  bool commands = false;
  bool insecure_tls = false;
  int backoff_initial_ms = 1000;
  int backoff_cap_ms = 30000;
  int threads = 2;
  int queue_ms = 3000;
};

// Reads "add URL" / "remove ID" lines from stdin (for scripts and tests: outputs join and leave a live hub).
void run_command_reader(asio::io_context& io, media::Relay& relay) {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream words(line);
    std::string verb;
    std::string argument;
    words >> verb >> argument;
    if (verb == "add") {
      auto id = relay.add_output(argument);
      if (id) {
        std::cout << R"({"event":"output_added","id":)" << *id << "}" << std::endl;
      } else {
        std::cout << R"({"event":"error","message":)" << nlohmann::json(id.error().message()) << "}"
                  << std::endl;
      }
    } else if (verb == "remove") {
      uint64_t id = 0;
      std::istringstream(argument) >> id;
      auto st = relay.remove_output(
          id, [id] { std::cout << R"({"event":"output_removed","id":)" << id << "}" << std::endl; });
      if (!st) {
        std::cout << R"({"event":"error","message":)" << nlohmann::json(st.error().message()) << "}"
                  << std::endl;
      }
    } else if (!verb.empty()) {
      std::cout << R"({"event":"error","message":"unknown command; use: add URL | remove ID"})" << std::endl;
    }
  }
}

int run_relay(const RelayArgs& args) {
  asio::io_context io;
  media::OutputOptions options;
  options.insecure_tls = args.insecure_tls;
  options.backoff.initial = std::chrono::milliseconds(args.backoff_initial_ms);
  options.backoff.cap = std::chrono::milliseconds(args.backoff_cap_ms);
  options.queue.max_duration_ticks = media::ms_to_ticks(args.queue_ms);
  media::Relay relay(io, options);

  if (auto st = relay.start_input(args.input); !st) {
    std::cerr << "error: " << st.error().message() << "\n";
    return 1;
  }
  for (const auto& url : args.outputs) {
    if (auto id = relay.add_output(url); !id) {
      std::cerr << "error: " << id.error().message() << "\n";
      relay.stop([] {});
      return 1;
    }
  }

  auto guard = asio::make_work_guard(io);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("event=relay_stopping signal={}", signal);
    relay.stop([&] {
      asio::post(io, [&] {
        guard.reset();
        io.stop();
      });
    });
    // A destination that never answers must not hold the process forever.
    auto deadline = std::make_shared<asio::steady_timer>(io, std::chrono::seconds(5));
    deadline->async_wait([&, deadline](const boost::system::error_code& e) {
      if (!e) {
        spdlog::warn("event=relay_stop_timeout");
        io.stop();
      }
    });
  });

  StatsSampler sampler;
  asio::steady_timer stats_timer(io);
  std::function<void()> print_stats = [&] {
    stats_timer.expires_after(std::chrono::seconds(1));
    stats_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      std::cout << sampler.sample(relay, std::chrono::steady_clock::now()).dump() << std::endl;
      print_stats();
    });
  };
  if (args.stats) {
    sampler.sample(relay, std::chrono::steady_clock::now());
    print_stats();
  }
  if (args.commands) std::thread([&io, &relay] { run_command_reader(io, relay); }).detach();

  std::vector<std::thread> threads;
  for (int i = 1; i < args.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  spdlog::info("event=relay_stopped");
  std::cout.flush();
  // The stdin reader may still block in getline: leave without unwinding it.
  std::_Exit(0);
}

}  // namespace

void register_relay_command(CLI::App& app) {
  auto args = std::make_shared<RelayArgs>();
  auto* cmd = app.add_subcommand("relay", "Restream one live input to every output until interrupted");
  cmd->add_option(
         "--input", args->input,
         "srt://HOST:PORT?mode=listener[&passphrase=][&latency=MS][&streamid=] or rtmp://HOST:PORT/APP/KEY")
      ->required();
  cmd->add_option("--output", args->outputs,
                  "rtmp://HOST[:PORT]/APP/KEY, rtmps://..., srt://HOST:PORT[?...]");
  cmd->add_flag("--stats", args->stats, "Print one JSON line per second: the input and each output");
  cmd->add_flag("--commands", args->commands, "Read 'add URL' and 'remove ID' lines from stdin");
  cmd->add_flag("--insecure-tls", args->insecure_tls,
                "Accept any TLS certificate (self-signed test servers)");
  cmd->add_option("--backoff-initial-ms", args->backoff_initial_ms, "First reconnect delay")
      ->check(CLI::Range(10, 600000));
  cmd->add_option("--backoff-cap-ms", args->backoff_cap_ms, "Longest reconnect delay")
      ->check(CLI::Range(10, 3600000));
  cmd->add_option("--queue-ms", args->queue_ms,
                  "Media buffered per destination before it drops to the next keyframe")
      ->check(CLI::Range(100, 60000));
  cmd->add_option("--threads", args->threads, "I/O threads")->check(CLI::Range(1, 64));
  cmd->callback([args] { std::exit(run_relay(*args)); });
}

}  // namespace lunora::app
