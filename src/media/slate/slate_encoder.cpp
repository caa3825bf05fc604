#include "media/slate/slate_encoder.hpp"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
}

#include <cmath>
#include <mutex>

#include "media/codec/aac.hpp"
#include "media/codec/h264.hpp"
#include "media/slate/slate_picture.hpp"

namespace lunora::media {
namespace {

constexpr int kAacFrameSamples = 1024;

// libav* report through return codes here; their own log lines (x264's banner, deprecation notes) would land
// on Lunora's stderr unstructured.
void quiet_libav() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

const char* x264_profile(uint8_t profile_idc) {
  if (profile_idc == 66) return "baseline";
  if (profile_idc == 77) return "main";
  return "high";
}

Status check_spec(const SlateSpec& spec) {
  if (spec.width < 16 || spec.height < 16 || spec.width > 4096 || spec.height > 2304) {
    return Error(ErrorCode::kInvalidArgument, "the slate size must be between 16x16 and 4096x2304");
  }
  if (spec.width % 2 != 0 || spec.height % 2 != 0) {
    return Error(ErrorCode::kInvalidArgument, "the slate's width and height must be even");
  }
  if (!(spec.fps >= 1 && spec.fps <= 120)) {
    return Error(ErrorCode::kInvalidArgument, "the slate's frame rate must be between 1 and 120");
  }
  if (spec.sample_rate != 0 && aac::index_from_sample_rate(spec.sample_rate) < 0) {
    return Error(ErrorCode::kInvalidArgument, "the slate's audio sample rate is not one AAC can carry");
  }
  if (spec.sample_rate != 0 && (spec.channels < 1 || spec.channels > 2)) {
    return Error(ErrorCode::kInvalidArgument, "the slate's audio has 1 or 2 channels");
  }
  return ok_status();
}

// Annex B access unit -> AVCC without parameter sets, delimiters and SEI (the caller places SPS/PPS).
Bytes to_avcc_slices(ByteSpan annexb) {
  Bytes out;
  for (ByteSpan nal : h264::split_annexb(annexb)) {
    const uint8_t type = h264::nal_type(nal);
    if (type == 6 || type == 7 || type == 8 || type == 9) continue;
    h264::append_avcc(out, nal);
  }
  return out;
}

Status encode_video(const av::Frame& picture, const SlateSpec& spec, Slate& slate) {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (codec == nullptr) return Error(ErrorCode::kInternal, "libavcodec has no libx264 encoder");
  av::CodecContext ctx(avcodec_alloc_context3(codec));
  const AVRational rate = av_d2q(spec.fps, 100000);
  const int gop_frames = std::max(1, static_cast<int>(std::lround(spec.fps * spec.gop_seconds)));
  ctx->width = spec.width;
  ctx->height = spec.height;
  ctx->pix_fmt = AV_PIX_FMT_YUV420P;
  ctx->time_base = av_inv_q(rate);
  ctx->framerate = rate;
  ctx->gop_size = gop_frames;
  ctx->keyint_min = gop_frames;
  ctx->max_b_frames = 0;
  ctx->bit_rate = int64_t{spec.video_bitrate_kbps} * 1000;
  ctx->rc_max_rate = ctx->bit_rate;
  ctx->rc_buffer_size = static_cast<int>(ctx->bit_rate);
  ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;  // SPS/PPS in extradata: they become the config record
  AVDictionary* options = nullptr;
  av_dict_set(&options, "preset", "veryfast", 0);
  av_dict_set(&options, "tune", "stillimage,zerolatency", 0);
  av_dict_set(&options, "profile", x264_profile(spec.profile_idc), 0);
  av_dict_set(&options, "x264-params", "scenecut=0:open-gop=0", 0);
  const int opened = avcodec_open2(ctx.get(), codec, &options);
  av_dict_free(&options);
  if (opened < 0) return Error(ErrorCode::kInternal, "cannot open libx264: " + av::error_text(opened));

  auto parsed =
      h264::avc_config_from_annexb(ByteSpan(ctx->extradata, static_cast<size_t>(ctx->extradata_size)));
  if (!parsed) return parsed.error().wrap("libx264");
  h264::AvcConfig config = std::move(*parsed);
  auto sps = h264::parse_sps(config.sps.front());
  if (!sps) return sps.error().wrap("the slate's SPS");
  slate.video_config.kind = PacketKind::kVideoConfig;
  slate.video_config.codec = Codec::kH264;
  slate.video_config.keyframe = true;
  slate.video_config.payload = h264::build_avc_decoder_config(config);
  slate.video_config.video = VideoParams{sps->width, sps->height, spec.fps, sps->profile_idc, sps->level_idc};

  const double ticks_per_unit = static_cast<double>(kTicksPerSecond) * av_q2d(ctx->time_base);
  av::Packet packet(av_packet_alloc());
  auto drain = [&]() -> Status {
    while (true) {
      const int got = avcodec_receive_packet(ctx.get(), packet.get());
      if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return ok_status();
      if (got < 0) return Error(ErrorCode::kInternal, "libx264: " + av::error_text(got));
      SlateFrame frame;
      frame.keyframe = (packet->flags & AV_PKT_FLAG_KEY) != 0;
      // Keyframes carry SPS/PPS in-band too, as hardware encoders send them: a receiver that keeps only the
      // first sequence header (nginx-rtmp's recorder does) still decodes the slate, and the input after it.
      if (frame.keyframe) {
        for (const auto& nal : config.sps) h264::append_avcc(frame.payload, nal);
        for (const auto& nal : config.pps) h264::append_avcc(frame.payload, nal);
      }
      const Bytes slices = to_avcc_slices(ByteSpan(packet->data, static_cast<size_t>(packet->size)));
      frame.payload.insert(frame.payload.end(), slices.begin(), slices.end());
      frame.pts_offset = std::llround(static_cast<double>(packet->pts) * ticks_per_unit);
      frame.dts_offset = std::llround(static_cast<double>(packet->dts) * ticks_per_unit);
      slate.gop.push_back(std::move(frame));
      av_packet_unref(packet.get());
    }
  };
  for (int i = 0; i < gop_frames; ++i) {
    picture->pts = i;
    // The first frame is forced to an IDR: the GOP must open with one to be repeatable.
    picture->pict_type = i == 0 ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    if (const int sent = avcodec_send_frame(ctx.get(), picture.get()); sent < 0) {
      return Error(ErrorCode::kInternal, "libx264: " + av::error_text(sent));
    }
    if (auto drained = drain(); !drained) return drained;
  }
  avcodec_send_frame(ctx.get(), nullptr);
  if (auto drained = drain(); !drained) return drained;
  if (slate.gop.size() != static_cast<size_t>(gop_frames) || !slate.gop.front().keyframe) {
    return Error(ErrorCode::kInternal, "libx264 did not give one GOP that starts with an IDR");
  }
  slate.frame_ticks = std::llround(ticks_per_unit);
  slate.gop_ticks = std::llround(ticks_per_unit * gop_frames);
  return ok_status();
}

Status encode_audio(const SlateSpec& spec, Slate& slate) {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
  if (codec == nullptr) return Error(ErrorCode::kInternal, "libavcodec has no AAC encoder");
  av::CodecContext ctx(avcodec_alloc_context3(codec));
  ctx->sample_rate = spec.sample_rate;
  ctx->sample_fmt = AV_SAMPLE_FMT_FLTP;
  av_channel_layout_default(&ctx->ch_layout, spec.channels);
  ctx->bit_rate = 64000;
  ctx->time_base = AVRational{1, spec.sample_rate};
  ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (const int opened = avcodec_open2(ctx.get(), codec, nullptr); opened < 0) {
    return Error(ErrorCode::kInternal, "cannot open the AAC encoder: " + av::error_text(opened));
  }
  auto asc =
      aac::parse_audio_specific_config(ByteSpan(ctx->extradata, static_cast<size_t>(ctx->extradata_size)));
  if (!asc) return asc.error().wrap("the slate's AudioSpecificConfig");
  slate.audio_config.kind = PacketKind::kAudioConfig;
  slate.audio_config.codec = Codec::kAac;
  slate.audio_config.keyframe = true;
  slate.audio_config.payload.assign(ctx->extradata, ctx->extradata + ctx->extradata_size);
  slate.audio_config.audio = AudioParams{asc->sample_rate, asc->channels, asc->object_type};

  av::Frame silence(av_frame_alloc());
  silence->format = AV_SAMPLE_FMT_FLTP;
  silence->nb_samples = kAacFrameSamples;
  silence->sample_rate = spec.sample_rate;
  av_channel_layout_copy(&silence->ch_layout, &ctx->ch_layout);
  if (av_frame_get_buffer(silence.get(), 0) < 0) return Error(ErrorCode::kInternal, "out of memory (audio)");
  av_samples_set_silence(silence->data, 0, kAacFrameSamples, spec.channels, AV_SAMPLE_FMT_FLTP);
  av::Packet packet(av_packet_alloc());
  // The encoder's first packets carry its priming; a steady-state frame of silence is what repeats cleanly.
  for (int i = 0; i < 8 && slate.silent_audio_frame.empty(); ++i) {
    silence->pts = int64_t{i} * kAacFrameSamples;
    if (const int sent = avcodec_send_frame(ctx.get(), silence.get()); sent < 0) {
      return Error(ErrorCode::kInternal, "AAC encoder: " + av::error_text(sent));
    }
    while (avcodec_receive_packet(ctx.get(), packet.get()) >= 0) {
      if (i >= 4) slate.silent_audio_frame.assign(packet->data, packet->data + packet->size);
      av_packet_unref(packet.get());
    }
  }
  if (slate.silent_audio_frame.empty()) return Error(ErrorCode::kInternal, "the AAC encoder gave no frame");
  slate.audio_frame_ticks = int64_t{kAacFrameSamples} * kTicksPerSecond / spec.sample_rate;
  slate.has_audio = true;
  return ok_status();
}

}  // namespace

Result<Slate> encode_slate(ByteSpan image, const SlateSpec& spec) {
  quiet_libav();
  if (auto checked = check_spec(spec); !checked) return checked.error();
  auto picture = slate_picture(image, spec.width, spec.height);
  if (!picture) return picture.error();
  Slate slate;
  slate.spec = spec;
  if (auto video = encode_video(*picture, spec, slate); !video) return video.error();
  if (spec.sample_rate != 0) {
    if (auto audio = encode_audio(spec, slate); !audio) return audio.error();
  }
  return slate;
}

}  // namespace lunora::media
