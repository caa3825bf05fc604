// The HLS output of a channel (issue 4, DESIGN.md "The flow of one frame"): an Output whose offer() only
// enqueues; its own thread feeds an HlsSegmenter and publishes the playlist and segments as an immutable
// snapshot that any thread (the HTTP server) reads without ever touching the Hub's path.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "media/hls/hls_segmenter.hpp"
#include "media/hub/output.hpp"
#include "media/hub/packet_queue.hpp"

namespace lunora::media {

struct HlsOutputOptions {
  HlsSegmenterOptions segmenter;
  PacketQueueLimits queue;
};

struct HlsOutputStats {
  HlsSegmenterStats segmenter;
  uint64_t media_packets = 0;    // media packets the worker has packaged (or skipped)
  uint64_t dropped_packets = 0;  // dropped by the queue because the worker fell behind
  uint64_t window_segments = 0;  // segments in the published window
  uint64_t window_bytes = 0;     // the memory they hold
  std::string codec_error;       // set while the input carries a codec HLS cannot (H.264/AAC only)
};

class HlsOutput final : public Output {
 public:
  explicit HlsOutput(HlsOutputOptions options = {});
  ~HlsOutput() override;  // stops
  HlsOutput(const HlsOutput&) = delete;
  HlsOutput& operator=(const HlsOutput&) = delete;

  // Starts the worker once; later calls, and calls after stop(), do nothing.
  void start();
  // Stops and joins the worker without draining the queue. Idempotent; safe from any thread but the worker.
  void stop();

  // Output (Hub's lock held, input thread): enqueue and wake the worker, nothing else.
  void offer(const MediaPacketPtr& packet) override;
  void on_input_codecs(const InputCodecs& codecs) override;

  // From any thread: the latest published playlist and segments.
  std::string playlist() const;
  std::shared_ptr<const Bytes> segment(std::string_view name) const;
  // Segments published so far (a cheap progress counter for waits and the "is anything there yet" check).
  uint64_t segments_published() const;
  HlsOutputStats stats() const;

 private:
  struct Snapshot {
    std::string playlist;
    std::map<std::string, std::shared_ptr<const Bytes>, std::less<>> segments;
    uint64_t bytes = 0;
  };

  void run();
  void publish(const HlsSegmenter& segmenter, uint64_t media_packets);

  const HlsSegmenterOptions segmenter_options_;
  std::mutex lifecycle_mutex_;  // serialises start() and stop()
  std::thread thread_;
  bool started_ = false;

  std::atomic<bool> stopping_{false};  // also read by the worker between packets of a batch
  mutable std::mutex queue_mutex_;     // guards queue_ and codec_error_ (offer() runs on the input's thread)
  std::condition_variable wake_;
  PacketQueue queue_;
  std::string codec_error_;

  mutable std::mutex snapshot_mutex_;         // guards the three below (worker writes; readers copy)
  std::shared_ptr<const Snapshot> snapshot_;  // replaced whole when the window changes
  HlsSegmenterStats stats_;                   // as of the worker's last batch
  uint64_t media_packets_ = 0;
};

}  // namespace lunora::media
