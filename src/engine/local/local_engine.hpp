// The local engine: Lunora's own media core (DESIGN.md "The flow of one frame") behind the Engine interface.
// Per channel a Hub fed by the channel's ingest (its SRT listener and its mount on the shared RTMP listener)
// and one NetworkOutput per started destination. An output is created only once the input has delivered its
// codec configuration, so a destination started without input waits without connecting.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.hpp"
#include "media/asio_fwd.hpp"
#include "media/hls/hls_output.hpp"
#include "media/net/network_output.hpp"

namespace lunora::media {
class InputRecorder;
class Rendition;
class RtmpIngestServer;
struct InputStats;
}  // namespace lunora::media

namespace lunora::engine {

struct LocalEngineOptions {
  std::string ingest_host = "0.0.0.0";  // where SRT listeners bind
  std::string rtmp_host = "0.0.0.0";
  uint16_t rtmp_port = 1935;  // 0 = any free port (tests)
  std::string rtmp_app = "live";
  media::OutputOptions output;
  media::HlsOutputOptions hls;
};

class LocalEngine final : public Engine {
 public:
  LocalEngine(boost::asio::io_context& io, LocalEngineOptions options);
  ~LocalEngine() override;

  // Brings up the shared RTMP listener and the slate thread.
  Status start();
  uint16_t rtmp_port() const;

  Status open_channel(const IngestSpec& spec) override;
  void close_channel(const std::string& channel_id, std::function<void()> done) override;
  Status start_output(const std::string& channel_id, const OutputSpec& spec) override;
  void stop_output(const std::string& channel_id, const std::string& destination_id,
                   std::function<void()> done) override;
  Status switch_input(const std::string& channel_id, const std::string& to) override;
  Result<std::shared_ptr<const HlsStream>> start_hls(const std::string& channel_id) override;
  void stop_hls(const std::string& channel_id) override;
  std::vector<ChannelReport> report() override;
  void shutdown(std::function<void()> done) override;

  struct Pipeline;        // one channel's hub, ingest and outputs (defined in the .cpp)
  struct OutputEntry;     // one started destination
  struct RenditionEntry;  // one running rendition and how many outputs it feeds
  struct Ingest;          // one input's listeners (primary or backup)
  struct IngestParams;

 private:
  void connect(Pipeline& pipeline, const std::string& destination_id, OutputEntry& entry);
  // Takes the entry's output off the Hub that feeds it, and lets go of its rendition (the last output of a
  // rendition stops it). The output itself is the caller's to stop.
  static void detach(Pipeline& pipeline, OutputEntry& entry);
  static std::shared_ptr<media::Rendition> acquire_rendition(Pipeline& pipeline, const RenditionSpec& spec);
  static void release_rendition(Pipeline& pipeline, const media::Rendition* rendition);
  static RenditionReport rendition_report(const RenditionEntry& entry);
  static void stop_hls(Pipeline& pipeline);
  Status bring_up(Pipeline& pipeline, Ingest& ingest, const std::optional<IngestParams>& wanted,
                  media::InputRecorder& recorder);
  void take_down(Ingest& ingest);
  static bool input_has_codecs(const media::InputStats& in);
  static InputHealth input_health(Ingest& ingest, const media::InputStats& in,
                                  std::chrono::steady_clock::time_point now);
  void run_slates();
  static OutputReport output_report(const std::string& destination_id, OutputEntry& entry,
                                    std::chrono::steady_clock::time_point now);
  boost::asio::io_context& io_;
  const LocalEngineOptions options_;
  std::unique_ptr<media::RtmpIngestServer> rtmp_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // for rtmps:// outputs, made on first use
  // Called from the control thread only (Engine's contract): no lock. Outputs report through their own
  // thread-safe stats().
  std::map<std::string, std::shared_ptr<Pipeline>> channels_;

  // One thread ticks every channel's input selector and slate (a slate is encoded on first use: never on an
  // I/O thread).
  std::thread slate_thread_;
  std::atomic<bool> stopping_{false};
  std::mutex ticked_mutex_;  // guards ticked_ (added on the control thread, read by the slate thread)
  std::vector<std::weak_ptr<Pipeline>> ticked_;
};

}  // namespace lunora::engine
