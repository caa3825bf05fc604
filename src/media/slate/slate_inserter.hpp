// Input loss -> slate -> input (issue 6): sits between a channel's input and its Hub. While media flows it
// passes every packet through. When the input has sent nothing for `slate_after`, it feeds the Hub the slate
// (a still picture and silence, encoded once for the input's format) in real time, so destinations stay
// connected. When the input comes back it switches at the input's first keyframe, sending the input's codec
// configuration again first.
//
// Timestamps: the slate runs in an epoch of its own, and the input comes back in its own epoch, so every
// destination's OutputClock splices each side right after the other (one frame apart): the timestamps a
// destination sees stay continuous across input -> slate -> input, also when the encoder restarted from 0 or
// resumed after a stall, and no input packet is ever copied to be re-stamped.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>

#include "core/byte_io.hpp"
#include "media/hub/hub.hpp"
#include "media/slate/slate_encoder.hpp"

namespace lunora::media {

struct SlateInserterOptions {
  std::chrono::milliseconds slate_after{1000};  // input_loss_slate_after_ms; 0 = no slate
  Bytes image;                                  // PNG/JPEG; empty = the built-in card
};

struct SlateInserterStats {
  bool slate_on = false;
  uint64_t slates = 0;           // times the slate went on
  double slate_seconds = 0;      // on the wire in all, the current one included
  uint64_t dropped_packets = 0;  // input packets dropped while waiting for its keyframe to switch back
  std::string last_error;        // why no slate could be made ("" = none)
};

class SlateInserter final : public PacketSink {
 public:
  using Clock = std::chrono::steady_clock;

  SlateInserter(Hub& hub, SlateInserterOptions options);

  // The input's packets, in order (in place of Hub::publish).
  void publish(const MediaPacketPtr& packet) override { publish(packet, Clock::now()); }
  void publish(const MediaPacketPtr& packet, Clock::time_point now);
  void set_input_codecs(const InputCodecs& codecs) override { hub_.set_input_codecs(codecs); }
  void input_ended() override { hub_.input_ended(); }
  // New settings (a changed channel); a slate on the wire keeps its picture until the input is back.
  void set_options(SlateInserterOptions options);
  // Starts the slate once the input has been silent for `slate_after`, and hands the Hub the slate packets
  // that are due. Call it every few milliseconds (it encodes the slate on first use: not on an I/O thread).
  void tick(Clock::time_point now);

  SlateInserterStats stats(Clock::time_point now) const;

 private:
  struct Running {
    const Slate* slate = nullptr;
    Clock::time_point started;
    int64_t base_dts = 0;  // the slate's first timestamp
    uint32_t epoch = 0;    // the slate's own (never an input's)
    uint64_t video_frames = 0;
    uint64_t audio_frames = 0;
    int64_t audio_start = 0;    // the first audio frame, in ticks after base_dts
    int64_t last_video_at = 0;  // the latest video frame sent, in ticks after base_dts
  };

  bool start_slate(Clock::time_point now);
  void send_due(Clock::time_point now);
  void switch_back(const MediaPacketPtr& packet, Clock::time_point now);
  SlateSpec spec_for_input() const;
  static MediaPacketPtr stamped(const MediaPacket& model, PacketKind kind, int64_t dts, uint32_t epoch);

  Hub& hub_;

  // Guards everything below: publish() runs on the input's thread, tick() on the slate thread.
  mutable std::mutex mutex_;
  SlateInserterOptions options_;
  std::optional<Clock::time_point> last_input_at_;  // the latest input media packet's arrival
  int64_t last_video_dts_ = 0;
  std::optional<int64_t> last_audio_dts_;
  int64_t input_audio_frame_ticks_ = 1920;  // 1024 samples at 48 kHz until the input shows its own
  std::optional<std::pair<uint32_t, int64_t>>
      audio_resumes_at_;               // (epoch, dts) of the keyframe that took over
  int64_t composition_delay_ = 0;      // the input's PTS - DTS at its keyframes: its B-frame delay
  MediaPacketPtr input_video_config_;  // the input's, sent again when it takes over from the slate
  MediaPacketPtr input_audio_config_;
  std::optional<Slate> slate_;  // encoded for `slate_spec_`, kept for the next loss
  SlateSpec slate_spec_;
  Bytes slate_image_;  // the picture `slate_` was made from
  std::optional<Running> running_;
  SlateInserterStats stats_;
  std::chrono::duration<double> finished_slate_time_{0};
};

}  // namespace lunora::media
