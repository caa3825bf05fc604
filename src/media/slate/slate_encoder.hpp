// The slate (issue 6): what destinations get while a channel's input is gone, so that YouTube does not end
// the broadcast and Twitch does not start a new VOD. A still picture with silent audio, encoded once per
// input format (libavcodec: libx264 and FFmpeg's AAC) into one GOP and one silent audio frame. A still
// picture needs no more: the GOP starts with an IDR and its P-frames refer only inside it, so it is sent
// again and again with new timestamps, and a slate on the wire costs no encoding at all.
#pragma once

#include <cstdint>
#include <vector>

#include "core/byte_io.hpp"
#include "core/result.hpp"
#include "media/media_packet.hpp"

namespace lunora::media {

struct SlateSpec {
  int width = 1280;  // the input's last resolution (the picture is fitted inside, letterboxed)
  int height = 720;
  double fps = 30;               // the input's frame rate
  uint8_t profile_idc = 100;     // the input's H.264 profile (66 baseline, 77 main, 100 high): one the
                                 // destinations already accepted
  int video_bitrate_kbps = 500;  // modest: a still picture
  double gop_seconds = 2;        // platforms want a keyframe every 2 s
  int sample_rate = 48000;       // 0 = no audio track (the input had none)
  int channels = 2;

  bool operator==(const SlateSpec&) const = default;
};

struct SlateFrame {
  Bytes payload;  // AVCC (4-byte lengths), slices only: SPS/PPS travel in the config
  bool keyframe = false;
  int64_t pts_offset = 0;  // 90 kHz ticks from the GOP's start
  int64_t dts_offset = 0;
};

struct Slate {
  SlateSpec spec;
  MediaPacket video_config;  // AVCDecoderConfigurationRecord, with the SPS's parameters
  std::vector<SlateFrame> gop;
  int64_t frame_ticks = 0;  // one frame
  int64_t gop_ticks = 0;    // the GOP's length: the next copy starts this much later
  bool has_audio = false;
  MediaPacket audio_config;  // AudioSpecificConfig
  Bytes silent_audio_frame;  // one raw AAC frame of silence
  int64_t audio_frame_ticks = 0;
};

// The built-in card ("We'll be right back"), a PNG.
ByteSpan default_slate_image();

// Encodes `image` (PNG or JPEG bytes) as a slate for `spec`. An error says what is wrong with the image or
// the spec ("not a PNG or JPEG image", "width must be even").
Result<Slate> encode_slate(ByteSpan image, const SlateSpec& spec);

}  // namespace lunora::media
