// The local engine of a process that runs no media itself (`lunora lambda`): every channel it is asked to
// open is refused with the reason, so that a local channel in a shared table says why it does not run here.
#pragma once

#include <string>

#include "engine/engine.hpp"

namespace lunora::engine {

class RefusingEngine final : public Engine {
 public:
  explicit RefusingEngine(std::string reason) : reason_(std::move(reason)) {}

  Status open_channel(const IngestSpec& spec) override;
  void close_channel(const std::string& channel_id, std::function<void()> done) override;
  Status switch_input(const std::string& channel_id, const std::string& to) override;
  Status start_output(const std::string& channel_id, const OutputSpec& spec) override;
  void stop_output(const std::string& channel_id, const std::string& destination_id,
                   std::function<void()> done) override;
  Result<std::shared_ptr<const HlsStream>> start_hls(const std::string& channel_id) override;
  void stop_hls(const std::string& channel_id) override;
  std::vector<ChannelReport> report() override { return {}; }
  void shutdown(std::function<void()> done) override;

 private:
  Error refusal() const { return Error(ErrorCode::kInvalidArgument, reason_); }

  const std::string reason_;
};

}  // namespace lunora::engine
