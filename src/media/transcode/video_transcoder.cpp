#include "media/transcode/video_transcoder.hpp"

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
}

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>

#include "media/codec/av_handles.hpp"
#include "media/codec/h264.hpp"
#include "media/transcode/encoder_load.hpp"

namespace lunora::media {
namespace {

// A jump of the input's clock larger than this (with the same publisher) is a discontinuity: the output
// clock follows it instead of filling the gap with repeated frames.
constexpr int64_t kMaxGapTicks = 2 * kTicksPerSecond;

void quiet_libav() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

// Annex B access unit -> AVCC without parameter sets, delimiters and SEI (SPS/PPS travel in the config, and
// in-band on keyframes).
Bytes to_avcc_slices(ByteSpan annexb) {
  Bytes out;
  for (ByteSpan nal : h264::split_annexb(annexb)) {
    const uint8_t type = h264::nal_type(nal);
    if (type == 6 || type == 7 || type == 8 || type == 9) continue;
    h264::append_avcc(out, nal);
  }
  return out;
}

// The largest even size of the input's shape that fits the output: the picture is letterboxed, never
// stretched.
std::pair<int, int> fit_inside(int in_w, int in_h, int out_w, int out_h) {
  if (in_w <= 0 || in_h <= 0) return {out_w, out_h};
  const double scale = std::min(static_cast<double>(out_w) / in_w, static_cast<double>(out_h) / in_h);
  const int w = std::min(out_w, static_cast<int>(std::lround(in_w * scale / 2.0)) * 2);
  const int h = std::min(out_h, static_cast<int>(std::lround(in_h * scale / 2.0)) * 2);
  return {std::max(w, 2), std::max(h, 2)};
}

}  // namespace

struct VideoTranscoder::Codecs {
  av::CodecContext decoder;
  av::CodecContext encoder;
  av::Frame decoded{av_frame_alloc()};
  av::Frame scaled{av_frame_alloc()};
  av::Packet packet{av_packet_alloc()};
  av::Sws sws;
  h264::AvcConfig output_config;
  MediaPacket config_packet;
};

Status check_video_profile(const VideoProfile& p) {
  // Each message starts with the field it is about: the API names that field.
  if (p.width < 16 || p.width > 3840 || p.width % 2 != 0) {
    return Error(ErrorCode::kInvalidArgument, "width must be even and between 16 and 3840 (4:2:0 video)");
  }
  if (p.height < 16 || p.height > 2160 || p.height % 2 != 0) {
    return Error(ErrorCode::kInvalidArgument, "height must be even and between 16 and 2160 (4:2:0 video)");
  }
  if (!(p.fps >= 1 && p.fps <= 120)) {
    return Error(ErrorCode::kInvalidArgument, "fps must be between 1 and 120");
  }
  if (p.bitrate_kbps < 100 || p.bitrate_kbps > 50000) {
    return Error(ErrorCode::kInvalidArgument, "video_bitrate_kbps must be between 100 and 50000");
  }
  if (!(p.keyframe_interval_s >= 0.5 && p.keyframe_interval_s <= 10)) {
    return Error(ErrorCode::kInvalidArgument, "keyframe_interval_s must be between 0.5 and 10");
  }
  if (!is_x264_preset(p.preset)) {
    return Error(ErrorCode::kInvalidArgument,
                 "preset must be one of x264's: ultrafast, superfast, veryfast, faster, fast, medium, slow, "
                 "slower, veryslow, placebo");
  }
  return ok_status();
}

VideoTranscoder::VideoTranscoder(const VideoProfile& profile)
    : profile_(profile),
      slot_ticks_(std::max<int64_t>(1, std::llround(static_cast<double>(kTicksPerSecond) / profile.fps))),
      gop_frames_(std::max(1, static_cast<int>(std::lround(profile.fps * profile.keyframe_interval_s)))),
      av_(std::make_unique<Codecs>()) {}

VideoTranscoder::~VideoTranscoder() = default;

Result<std::unique_ptr<VideoTranscoder>> VideoTranscoder::create(const VideoProfile& profile) {
  quiet_libav();
  if (auto checked = check_video_profile(profile); !checked) return checked.error();
  std::unique_ptr<VideoTranscoder> transcoder(new VideoTranscoder(profile));
  if (!transcoder->av_->decoded || !transcoder->av_->scaled || !transcoder->av_->packet) {
    return Error(ErrorCode::kInternal, "out of memory for the transcoder's frames");
  }
  if (auto opened = transcoder->open_encoder(); !opened) return opened.error();
  return transcoder;
}

Status VideoTranscoder::open_encoder() {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (codec == nullptr) return Error(ErrorCode::kInternal, "libavcodec has no libx264 encoder");
  av::CodecContext ctx(avcodec_alloc_context3(codec));
  if (!ctx) return Error(ErrorCode::kInternal, "out of memory for libx264");
  ctx->width = profile_.width;
  ctx->height = profile_.height;
  ctx->pix_fmt = AV_PIX_FMT_YUV420P;
  ctx->time_base = AVRational{1, static_cast<int>(kTicksPerSecond)};  // packets come out in 90 kHz ticks
  ctx->framerate = av_d2q(profile_.fps, 100000);
  ctx->gop_size = gop_frames_;
  ctx->keyint_min = gop_frames_;
  ctx->bit_rate = int64_t{profile_.bitrate_kbps} * 1000;
  ctx->rc_max_rate = ctx->bit_rate;                       // constant bitrate, as platforms ask ...
  ctx->rc_buffer_size = static_cast<int>(ctx->bit_rate);  // ... held by a one-second VBV buffer
  ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;              // SPS/PPS in extradata: they become the config
  AVDictionary* options = nullptr;
  av_dict_set(&options, "preset", profile_.preset.c_str(), 0);
  av_dict_set(&options, "profile", "high", 0);
  // A closed GOP with an IDR exactly every keyframe interval: platforms check the interval, and a
  // destination that joins mid-stream starts on one.
  // nal-hrd=cbr: constant bitrate as the HRD defines it (filler where a scene is simple), as Twitch and
  // YouTube ask, rather than a bitrate that merely stays below the cap.
  av_dict_set(&options, "x264-params", "scenecut=0:open-gop=0:nal-hrd=cbr", 0);
  const int opened = avcodec_open2(ctx.get(), codec, &options);
  av_dict_free(&options);
  if (opened < 0) return Error(ErrorCode::kInternal, "cannot open libx264: " + av::error_text(opened));

  auto parsed =
      h264::avc_config_from_annexb(ByteSpan(ctx->extradata, static_cast<size_t>(ctx->extradata_size)));
  if (!parsed) return parsed.error().wrap("libx264");
  h264::AvcConfig config = std::move(*parsed);
  auto sps = h264::parse_sps(config.sps.front());
  if (!sps) return sps.error().wrap("the rendition's SPS");
  MediaPacket& packet = av_->config_packet;
  packet.kind = PacketKind::kVideoConfig;
  packet.codec = Codec::kH264;
  packet.keyframe = true;
  packet.payload = h264::build_avc_decoder_config(config);
  packet.video = VideoParams{sps->width, sps->height, profile_.fps, sps->profile_idc, sps->level_idc};
  av_->output_config = std::move(config);
  av_->encoder = std::move(ctx);
  sent_since_open_ = false;
  return ok_status();
}

Status VideoTranscoder::open_decoder(const MediaPacket& config) {
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_H264);
  if (codec == nullptr) return Error(ErrorCode::kInternal, "libavcodec has no H.264 decoder");
  av::CodecContext ctx(avcodec_alloc_context3(codec));
  if (!ctx) return Error(ErrorCode::kInternal, "out of memory for the H.264 decoder");
  // The AVCDecoderConfigurationRecord as extradata: the decoder then reads AVCC access units as they are.
  ctx->extradata = static_cast<uint8_t*>(av_mallocz(config.payload.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  if (ctx->extradata == nullptr) return Error(ErrorCode::kInternal, "out of memory for the decoder's config");
  std::memcpy(ctx->extradata, config.payload.data(), config.payload.size());
  ctx->extradata_size = static_cast<int>(config.payload.size());
  ctx->pkt_timebase = AVRational{1, static_cast<int>(kTicksPerSecond)};
  ctx->thread_count = 1;  // no frame-threading delay; the encoder is where the time goes
  if (const int opened = avcodec_open2(ctx.get(), codec, nullptr); opened < 0) {
    return Error(ErrorCode::kParse, "the input's H.264 config: " + av::error_text(opened));
  }
  av_->decoder = std::move(ctx);
  input_config_ = config.payload;
  return ok_status();
}

Status VideoTranscoder::push(const MediaPacket& packet, const Emit& emit) {
  if (!packet.is_video() || packet.codec != Codec::kH264) return ok_status();
  const auto started = std::chrono::steady_clock::now();
  Status result = ok_status();
  if (epoch_ && *epoch_ != packet.epoch) result = new_publisher(emit);
  if (!epoch_ || *epoch_ != packet.epoch) {
    // Its clock starts anywhere, and destinations need an IDR to join.
    epoch_ = packet.epoch;
    next_slot_.reset();
    force_idr_ = true;
  }
  if (!result) return result;
  if (packet.kind == PacketKind::kVideoConfig) {
    if (packet.payload != input_config_) result = open_decoder(packet);
  } else if (av_->decoder) {
    result = decode(packet, emit);
  }
  stats_.busy_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

Status VideoTranscoder::new_publisher(const Emit& emit) {
  // The old publisher's last frames leave the encoder under its epoch, and a fresh encoder takes the new
  // clock (x264 wants its timestamps to rise). Frames the decoder still holds are the old publisher's: gone.
  if (av_->decoder) avcodec_flush_buffers(av_->decoder.get());
  if (!sent_since_open_) return ok_status();
  avcodec_send_frame(av_->encoder.get(), nullptr);
  if (auto drained = drain(*epoch_, emit); !drained) return drained;
  config_sent_ = false;  // the new publisher's destinations get the config again
  return open_encoder();
}

void VideoTranscoder::change_preset(const std::string& preset) {
  if (preset != profile_.preset) pending_preset_ = preset;
}

Status VideoTranscoder::apply_preset(uint32_t epoch, const Emit& emit) {
  if (sent_since_open_) {
    avcodec_send_frame(av_->encoder.get(), nullptr);
    if (auto drained = drain(epoch, emit); !drained) return drained;
  }
  profile_.preset = *pending_preset_;
  pending_preset_.reset();
  config_sent_ = false;  // x264 may describe the stream differently: destinations get the config again
  force_idr_ = true;
  return open_encoder();
}

Status VideoTranscoder::decode(const MediaPacket& packet, const Emit& emit) {
  AVPacket* in = av_->packet.get();
  if (av_new_packet(in, static_cast<int>(packet.payload.size())) < 0) {
    return Error(ErrorCode::kInternal, "out of memory for a video packet");
  }
  std::memcpy(in->data, packet.payload.data(), packet.payload.size());
  in->pts = packet.pts;
  in->dts = packet.dts;
  if (packet.keyframe) in->flags |= AV_PKT_FLAG_KEY;
  const int sent = avcodec_send_packet(av_->decoder.get(), in);
  av_packet_unref(in);
  if (sent < 0 && sent != AVERROR(EAGAIN)) {
    ++stats_.decode_errors;  // a broken access unit: skipped, the next keyframe heals the picture
    return ok_status();
  }
  while (true) {
    const int got = avcodec_receive_frame(av_->decoder.get(), av_->decoded.get());
    if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return ok_status();
    if (got < 0) {
      ++stats_.decode_errors;
      return ok_status();
    }
    ++stats_.frames_decoded;
    const int64_t pts = av_->decoded->best_effort_timestamp != AV_NOPTS_VALUE
                            ? av_->decoded->best_effort_timestamp
                            : packet.pts;
    Status placed = place(pts, packet.epoch, emit);
    av_frame_unref(av_->decoded.get());
    if (!placed) return placed;
  }
}

Status VideoTranscoder::place(int64_t pts, uint32_t epoch, const Emit& emit) {
  if (!next_slot_ || pts - *next_slot_ > kMaxGapTicks) next_slot_ = pts;
  // Each frame stands for the output slots nearest to it: [pts - half, pts + half). Nearest, not "at or
  // after": an RTMP input's millisecond timestamps (0, 33, 66, 100 ms) would otherwise drop one frame and
  // repeat the next every 100 ms.
  const int64_t half = slot_ticks_ / 2;
  if (pts + half <= *next_slot_) {
    ++stats_.frames_dropped;  // the output slot it would fill is taken: a lower frame rate
    return ok_status();
  }
  // Scaled once, encoded for every output slot up to its time (more than one: a higher frame rate).
  const AVFrame* in = av_->decoded.get();
  AVFrame* out = av_->scaled.get();
  if (out->width != profile_.width || out->height != profile_.height) {
    av_frame_unref(out);
    out->format = AV_PIX_FMT_YUV420P;
    out->width = profile_.width;
    out->height = profile_.height;
    if (av_frame_get_buffer(out, 0) < 0) return Error(ErrorCode::kInternal, "out of memory for a frame");
  }
  // The encoder may still hold the last picture's buffers: write into fresh ones then.
  if (av_frame_make_writable(out) < 0) return Error(ErrorCode::kInternal, "out of memory for a frame");
  const auto [fit_w, fit_h] = fit_inside(in->width, in->height, profile_.width, profile_.height);
  av_->sws.reset(sws_getCachedContext(av_->sws.release(), in->width, in->height,
                                      static_cast<AVPixelFormat>(in->format), fit_w, fit_h,
                                      AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!av_->sws) return Error(ErrorCode::kUnsupportedCodec, "cannot scale the input's pixel format");
  uint8_t* dst[4] = {};
  const int x = (profile_.width - fit_w) / 2 & ~1;
  const int y = (profile_.height - fit_h) / 2 & ~1;
  if (fit_w != profile_.width || fit_h != profile_.height) {
    // Letterbox: black borders (video range) around the picture.
    std::memset(out->data[0], 16, static_cast<size_t>(out->linesize[0]) * out->height);
    std::memset(out->data[1], 128, static_cast<size_t>(out->linesize[1]) * (out->height / 2));
    std::memset(out->data[2], 128, static_cast<size_t>(out->linesize[2]) * (out->height / 2));
  }
  dst[0] = out->data[0] + static_cast<ptrdiff_t>(y) * out->linesize[0] + x;
  dst[1] = out->data[1] + static_cast<ptrdiff_t>(y / 2) * out->linesize[1] + x / 2;
  dst[2] = out->data[2] + static_cast<ptrdiff_t>(y / 2) * out->linesize[2] + x / 2;
  sws_scale(av_->sws.get(), in->data, in->linesize, 0, in->height, dst, out->linesize);
  int slots = 0;
  while (*next_slot_ < pts + half) {
    if (auto encoded = encode(*next_slot_, epoch, emit); !encoded) return encoded;
    *next_slot_ += slot_ticks_;
    ++slots;
  }
  if (slots > 1) stats_.frames_repeated += static_cast<uint64_t>(slots - 1);
  return ok_status();
}

Status VideoTranscoder::encode(int64_t pts, uint32_t epoch, const Emit& emit) {
  // A new preset takes over where a GOP would start anyway: the keyframe cadence platforms check holds.
  if (pending_preset_ && (frames_in_gop_ >= gop_frames_ || force_idr_)) {
    if (auto applied = apply_preset(epoch, emit); !applied) return applied;
  }
  AVFrame* frame = av_->scaled.get();
  frame->pts = pts;
  frame->pict_type = force_idr_ ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
  frames_in_gop_ = force_idr_ || frames_in_gop_ >= gop_frames_ ? 1 : frames_in_gop_ + 1;
  force_idr_ = false;
  if (const int sent = avcodec_send_frame(av_->encoder.get(), frame); sent < 0) {
    return Error(ErrorCode::kInternal, "libx264: " + av::error_text(sent));
  }
  sent_since_open_ = true;
  return drain(epoch, emit);
}

Status VideoTranscoder::drain(uint32_t epoch, const Emit& emit) {
  AVPacket* packet = av_->packet.get();
  while (true) {
    const int got = avcodec_receive_packet(av_->encoder.get(), packet);
    if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return ok_status();
    if (got < 0) return Error(ErrorCode::kInternal, "libx264: " + av::error_text(got));
    if (!config_sent_) {
      MediaPacket config = av_->config_packet;
      config.epoch = epoch;
      config.dts = config.pts = packet->dts;
      emit(std::move(config));
      config_sent_ = true;
    }
    MediaPacket out;
    out.kind = PacketKind::kVideo;
    out.codec = Codec::kH264;
    out.keyframe = (packet->flags & AV_PKT_FLAG_KEY) != 0;
    out.pts = packet->pts;
    out.dts = packet->dts;
    out.epoch = epoch;
    out.video = av_->config_packet.video;
    // Keyframes carry SPS/PPS in-band too, as hardware encoders send them: a receiver that keeps only the
    // first sequence header still decodes.
    if (out.keyframe) {
      for (const auto& nal : av_->output_config.sps) h264::append_avcc(out.payload, nal);
      for (const auto& nal : av_->output_config.pps) h264::append_avcc(out.payload, nal);
    }
    const Bytes slices = to_avcc_slices(ByteSpan(packet->data, static_cast<size_t>(packet->size)));
    out.payload.insert(out.payload.end(), slices.begin(), slices.end());
    av_packet_unref(packet);
    ++stats_.frames_encoded;
    emit(std::move(out));
  }
}

Status VideoTranscoder::flush(const Emit& emit) {
  const auto started = std::chrono::steady_clock::now();
  if (av_->decoder) {
    avcodec_send_packet(av_->decoder.get(), nullptr);
    while (avcodec_receive_frame(av_->decoder.get(), av_->decoded.get()) >= 0) {
      ++stats_.frames_decoded;
      Status placed = place(av_->decoded->best_effort_timestamp, epoch_.value_or(0), emit);
      av_frame_unref(av_->decoded.get());
      if (!placed) return placed;
    }
  }
  avcodec_send_frame(av_->encoder.get(), nullptr);
  Status drained = drain(epoch_.value_or(0), emit);
  stats_.busy_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return drained;
}

}  // namespace lunora::media
