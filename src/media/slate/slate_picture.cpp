#include "media/slate/slate_picture.hpp"

#include <algorithm>
#include <cstring>

namespace lunora::media {
namespace {

constexpr size_t kMaxImageBytes = 16 << 20;

Result<av::Frame> decode_image(ByteSpan image) {
  AVCodecID id = AV_CODEC_ID_NONE;
  if (image.size() >= 8 && std::memcmp(image.data(), "\x89PNG\r\n\x1a\n", 8) == 0) id = AV_CODEC_ID_PNG;
  if (image.size() >= 3 && image[0] == 0xFF && image[1] == 0xD8 && image[2] == 0xFF) id = AV_CODEC_ID_MJPEG;
  if (id == AV_CODEC_ID_NONE)
    return Error(ErrorCode::kInvalidArgument, "the slate is not a PNG or JPEG image");
  if (image.size() > kMaxImageBytes) {
    return Error(ErrorCode::kInvalidArgument, "the slate image is larger than 16 MiB");
  }
  const AVCodec* codec = avcodec_find_decoder(id);
  av::CodecContext ctx(codec != nullptr ? avcodec_alloc_context3(codec) : nullptr);
  if (!ctx || avcodec_open2(ctx.get(), codec, nullptr) < 0) {
    return Error(ErrorCode::kInternal, "no image decoder in this libavcodec");
  }
  av::Packet packet(av_packet_alloc());
  // The decoder may read up to AV_INPUT_BUFFER_PADDING_SIZE past the end: give it a padded copy.
  if (!packet || av_new_packet(packet.get(), static_cast<int>(image.size())) < 0) {
    return Error(ErrorCode::kInternal, "out of memory decoding the slate");
  }
  std::memcpy(packet->data, image.data(), image.size());
  av::Frame frame(av_frame_alloc());
  int sent = avcodec_send_packet(ctx.get(), packet.get());
  if (sent >= 0) sent = avcodec_send_packet(ctx.get(), nullptr);
  const int got = sent >= 0 ? avcodec_receive_frame(ctx.get(), frame.get()) : sent;
  if (got < 0 || frame->width <= 0 || frame->height <= 0) {
    return Error(ErrorCode::kInvalidArgument, "the slate image cannot be decoded: " + av::error_text(got));
  }
  return frame;
}

}  // namespace

Result<av::Frame> slate_picture(ByteSpan image, int width, int height) {
  auto decoded = decode_image(image);
  if (!decoded) return decoded.error();
  const AVFrame& in = **decoded;

  av::Frame out(av_frame_alloc());
  out->format = AV_PIX_FMT_YUV420P;
  out->width = width;
  out->height = height;
  if (av_frame_get_buffer(out.get(), 0) < 0)
    return Error(ErrorCode::kInternal, "out of memory for the slate");
  // Black: Y 16, Cb/Cr 128 (limited range, what H.264 encoders expect by default).
  for (int y = 0; y < height; ++y) std::memset(out->data[0] + y * out->linesize[0], 16, width);
  for (int plane = 1; plane < 3; ++plane) {
    for (int y = 0; y < height / 2; ++y)
      std::memset(out->data[plane] + y * out->linesize[plane], 128, width / 2);
  }

  // Fit inside, aspect kept; even sizes and offsets so the chroma planes line up.
  const double scale =
      std::min(static_cast<double>(width) / in.width, static_cast<double>(height) / in.height);
  const int fit_w = std::max(2, static_cast<int>(in.width * scale) & ~1);
  const int fit_h = std::max(2, static_cast<int>(in.height * scale) & ~1);
  const int x0 = ((width - fit_w) / 2) & ~1;
  const int y0 = ((height - fit_h) / 2) & ~1;
  av::Sws sws(sws_getContext(in.width, in.height, static_cast<AVPixelFormat>(in.format), fit_w, fit_h,
                             AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws) return Error(ErrorCode::kInvalidArgument, "the slate image's pixel format cannot be converted");
  uint8_t* dst[4] = {out->data[0] + y0 * out->linesize[0] + x0,
                     out->data[1] + (y0 / 2) * out->linesize[1] + x0 / 2,
                     out->data[2] + (y0 / 2) * out->linesize[2] + x0 / 2, nullptr};
  const int dst_stride[4] = {out->linesize[0], out->linesize[1], out->linesize[2], 0};
  sws_scale(sws.get(), in.data, in.linesize, 0, in.height, dst, dst_stride);
  return out;
}

}  // namespace lunora::media
