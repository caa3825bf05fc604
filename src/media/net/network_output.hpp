// An output that owns the connection to one remote destination and its reconnect loop (STYLE.md 9: one runner
// per destination): started, stopped and observed by whoever drives the Hub (the relay command, the engine).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "core/backoff.hpp"
#include "core/result.hpp"
#include "media/hub/output.hpp"
#include "media/hub/packet_queue.hpp"

namespace lunora::media {

// Words a person and the control plane read. "failed" is terminal until the input changes (unsupported
// codec).
enum class OutputState { kIdle, kConnecting, kPublishing, kLive, kRetrying, kFailed, kStopping, kStopped };
std::string_view output_state_name(OutputState state);

struct OutputStats {
  OutputState state = OutputState::kIdle;
  uint64_t bytes = 0;            // bytes written to the destination, all connections
  uint64_t media_packets = 0;    // media messages written
  uint64_t dropped_packets = 0;  // dropped because the destination fell behind
  uint32_t reconnects = 0;       // connections after the first
  std::string last_error;        // a sentence a person can act on
  std::string last_error_code;   // error_code_name() of the last failure
  std::chrono::milliseconds next_retry_in{0};
  std::chrono::steady_clock::time_point live_since{};
};

struct OutputOptions {
  BackoffPolicy backoff;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds handshake_timeout{10000};  // connect -> NetStream.Publish.Start
  std::chrono::milliseconds write_timeout{10000};      // one write making no progress
  PacketQueueLimits queue;
  bool insecure_tls = false;  // accept any certificate (self-signed test servers)
};

class NetworkOutput : public Output {
 public:
  virtual void start() = 0;
  // Stops with a proper close (RTMP: FCUnpublish + deleteStream); `done` runs once everything is torn down.
  virtual void stop(std::function<void()> done) = 0;
  virtual OutputStats stats() const = 0;
  virtual const std::string& redacted_url() const = 0;
};

}  // namespace lunora::media
