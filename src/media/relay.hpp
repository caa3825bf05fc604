// One live input restreamed to a changing set of outputs: the Hub, the input that feeds it and the outputs it
// feeds, with add/remove on the running hub (the control plane's engine drives this next; `lunora relay`
// drives it from the command line).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "media/asio_fwd.hpp"
#include "media/endpoint_url.hpp"
#include "media/hub/hub.hpp"
#include "media/net/input_stats.hpp"
#include "media/net/network_output.hpp"

namespace lunora::media {

class SrtInput;
class RtmpInput;

struct RelayOutputStats {
  uint64_t id = 0;
  std::string url;  // redacted
  OutputStats stats;
};

class Relay {
 public:
  Relay(boost::asio::io_context& io, OutputOptions output_options);
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // srt://HOST:PORT?mode=listener... or rtmp://HOST:PORT/APP/KEY (Lunora listens).
  Status start_input(const std::string& url);
  // Adds and starts an output on the running hub; returns its id.
  Result<uint64_t> add_output(const std::string& url);
  // Stops the output with a proper close and removes it; `done` runs when it is torn down.
  Status remove_output(uint64_t id, std::function<void()> done = {});
  // Stops the input and every output (each gets a proper close); `done` runs when all are down.
  void stop(std::function<void()> done);

  InputStats input_stats() const;
  std::vector<RelayOutputStats> output_stats() const;
  std::vector<uint64_t> output_ids() const;
  Hub& hub() { return hub_; }

 private:
  boost::asio::io_context& io_;
  const OutputOptions output_options_;
  Hub hub_;
  InputRecorder recorder_;
  std::unique_ptr<SrtInput> srt_input_;
  std::unique_ptr<RtmpInput> rtmp_input_;
  std::shared_ptr<boost::asio::ssl::context> tls_;

  mutable std::mutex mutex_;  // guards outputs_ and next_id_
  std::map<uint64_t, std::shared_ptr<NetworkOutput>> outputs_;
  uint64_t next_id_ = 1;
};

}  // namespace lunora::media
