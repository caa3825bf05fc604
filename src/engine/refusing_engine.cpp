#include "engine/refusing_engine.hpp"

namespace lunora::engine {

Status RefusingEngine::open_channel(const IngestSpec& spec) {
  (void)spec;
  return refusal();
}

void RefusingEngine::close_channel(const std::string& channel_id, std::function<void()> done) {
  (void)channel_id;
  if (done) done();
}

Status RefusingEngine::switch_input(const std::string& channel_id, const std::string& to) {
  (void)channel_id;
  (void)to;
  return refusal();
}

Status RefusingEngine::start_output(const std::string& channel_id, const OutputSpec& spec) {
  (void)channel_id;
  (void)spec;
  return refusal();
}

void RefusingEngine::stop_output(const std::string& channel_id, const std::string& destination_id,
                                 std::function<void()> done) {
  (void)channel_id;
  (void)destination_id;
  if (done) done();
}

Result<std::shared_ptr<const HlsStream>> RefusingEngine::start_hls(const std::string& channel_id) {
  (void)channel_id;
  return refusal();
}

void RefusingEngine::stop_hls(const std::string& channel_id) {
  (void)channel_id;
}

void RefusingEngine::shutdown(std::function<void()> done) {
  if (done) done();
}

}  // namespace lunora::engine
