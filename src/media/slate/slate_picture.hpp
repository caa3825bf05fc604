// The slate's picture: a PNG or JPEG decoded and fitted (letterboxed, aspect kept) into a YUV 4:2:0 frame of
// the slate's size, ready for the encoder.
#pragma once

#include "core/byte_io.hpp"
#include "core/result.hpp"
#include "media/codec/av_handles.hpp"

namespace lunora::media {

Result<av::Frame> slate_picture(ByteSpan image, int width, int height);

}  // namespace lunora::media
