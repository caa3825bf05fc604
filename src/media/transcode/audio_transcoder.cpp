#include "media/transcode/audio_transcoder.hpp"

#include <cstring>

#include "media/codec/aac.hpp"
#include "media/codec/av_handles.hpp"

namespace lunora::media {

struct AudioTranscoder::Codecs {
  av::CodecContext decoder;
  av::CodecContext encoder;
  av::Frame frame{av_frame_alloc()};
  av::Packet packet{av_packet_alloc()};
  MediaPacket config_packet;
};

AudioTranscoder::AudioTranscoder(int bitrate_kbps)
    : bitrate_kbps_(bitrate_kbps), av_(std::make_unique<Codecs>()) {}

AudioTranscoder::~AudioTranscoder() = default;

Result<std::unique_ptr<AudioTranscoder>> AudioTranscoder::create(int bitrate_kbps) {
  if (bitrate_kbps < 32 || bitrate_kbps > 512) {
    return Error(ErrorCode::kInvalidArgument, "audio_bitrate_kbps must be between 32 and 512");
  }
  std::unique_ptr<AudioTranscoder> transcoder(new AudioTranscoder(bitrate_kbps));
  if (!transcoder->av_->frame || !transcoder->av_->packet) {
    return Error(ErrorCode::kInternal, "out of memory for the audio transcoder");
  }
  return transcoder;
}

Status AudioTranscoder::open(const MediaPacket& config) {
  const AVCodec* decoder = avcodec_find_decoder(AV_CODEC_ID_AAC);
  const AVCodec* encoder = avcodec_find_encoder(AV_CODEC_ID_AAC);
  if (decoder == nullptr || encoder == nullptr) {
    return Error(ErrorCode::kInternal, "libavcodec has no AAC codec");
  }
  auto asc = aac::parse_audio_specific_config(config.payload);
  if (!asc) return asc.error().wrap("the input's AudioSpecificConfig");

  av::CodecContext in(avcodec_alloc_context3(decoder));
  if (!in) return Error(ErrorCode::kInternal, "out of memory for the AAC decoder");
  in->extradata = static_cast<uint8_t*>(av_mallocz(config.payload.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  if (in->extradata == nullptr) return Error(ErrorCode::kInternal, "out of memory for the AAC config");
  std::memcpy(in->extradata, config.payload.data(), config.payload.size());
  in->extradata_size = static_cast<int>(config.payload.size());
  if (const int opened = avcodec_open2(in.get(), decoder, nullptr); opened < 0) {
    return Error(ErrorCode::kParse, "the input's AAC config: " + av::error_text(opened));
  }

  av::CodecContext out(avcodec_alloc_context3(encoder));
  if (!out) return Error(ErrorCode::kInternal, "out of memory for the AAC encoder");
  out->sample_rate = asc->sample_rate;
  out->sample_fmt = AV_SAMPLE_FMT_FLTP;  // what FFmpeg's AAC decoder gives and its encoder takes
  av_channel_layout_default(&out->ch_layout, asc->channels);
  out->bit_rate = int64_t{bitrate_kbps_} * 1000;
  out->time_base = AVRational{1, asc->sample_rate};
  out->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;  // the AudioSpecificConfig in extradata: it becomes the config
  if (const int opened = avcodec_open2(out.get(), encoder, nullptr); opened < 0) {
    return Error(ErrorCode::kInternal, "cannot open the AAC encoder: " + av::error_text(opened));
  }
  auto out_asc =
      aac::parse_audio_specific_config(ByteSpan(out->extradata, static_cast<size_t>(out->extradata_size)));
  if (!out_asc) return out_asc.error().wrap("the rendition's AudioSpecificConfig");
  MediaPacket& packet = av_->config_packet;
  packet.kind = PacketKind::kAudioConfig;
  packet.codec = Codec::kAac;
  packet.keyframe = true;
  packet.payload.assign(out->extradata, out->extradata + out->extradata_size);
  packet.audio = AudioParams{out_asc->sample_rate, out_asc->channels, out_asc->object_type};
  av_->decoder = std::move(in);
  av_->encoder = std::move(out);
  input_config_ = config.payload;
  sample_rate_ = asc->sample_rate;
  config_sent_ = false;
  return ok_status();
}

Status AudioTranscoder::push(const MediaPacket& packet, const Emit& emit) {
  if (packet.codec != Codec::kAac) return ok_status();
  if (packet.kind == PacketKind::kAudioConfig) {
    return packet.payload == input_config_ ? ok_status() : open(packet);
  }
  if (packet.kind != PacketKind::kAudio || !av_->decoder) return ok_status();
  AVPacket* in = av_->packet.get();
  if (av_new_packet(in, static_cast<int>(packet.payload.size())) < 0) {
    return Error(ErrorCode::kInternal, "out of memory for an audio packet");
  }
  std::memcpy(in->data, packet.payload.data(), packet.payload.size());
  const int sent = avcodec_send_packet(av_->decoder.get(), in);
  av_packet_unref(in);
  if (sent < 0) {
    ++decode_errors_;
    return ok_status();
  }
  // Frames take the input packet's time, in samples: the encoder's output stays on the input's timeline.
  const int64_t pts = packet.pts * sample_rate_ / kTicksPerSecond;
  while (avcodec_receive_frame(av_->decoder.get(), av_->frame.get()) >= 0) {
    av_->frame->pts = pts;
    const int encoded = avcodec_send_frame(av_->encoder.get(), av_->frame.get());
    av_frame_unref(av_->frame.get());
    if (encoded < 0) return Error(ErrorCode::kInternal, "AAC encoder: " + av::error_text(encoded));
    if (auto drained = drain(packet.epoch, emit); !drained) return drained;
  }
  return ok_status();
}

Status AudioTranscoder::drain(uint32_t epoch, const Emit& emit) {
  AVPacket* packet = av_->packet.get();
  while (true) {
    const int got = avcodec_receive_packet(av_->encoder.get(), packet);
    if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return ok_status();
    if (got < 0) return Error(ErrorCode::kInternal, "AAC encoder: " + av::error_text(got));
    const int64_t ticks = packet->pts * kTicksPerSecond / sample_rate_;
    if (!config_sent_) {
      MediaPacket config = av_->config_packet;
      config.epoch = epoch;
      config.pts = config.dts = ticks;
      emit(std::move(config));
      config_sent_ = true;
    }
    MediaPacket out;
    out.kind = PacketKind::kAudio;
    out.codec = Codec::kAac;
    out.keyframe = true;
    out.pts = out.dts = ticks;
    out.epoch = epoch;
    out.audio = av_->config_packet.audio;
    out.payload.assign(packet->data, packet->data + packet->size);
    av_packet_unref(packet);
    ++frames_encoded_;
    emit(std::move(out));
  }
}

}  // namespace lunora::media
