#include "media/codec/h264.hpp"

#include <algorithm>

#include "media/codec/bit_reader.hpp"

namespace lunora::media::h264 {
namespace {

// Largest picture dimension accepted from an SPS: generous for 8K, small enough that width * height and the
// crop arithmetic below never overflow an int.
constexpr uint32_t kMaxMacroblocks = 16384 / 16;

Error parse_error(std::string what) {
  return Error(ErrorCode::kParse, "h264: " + std::move(what));
}

// Removes emulation prevention bytes (00 00 03 -> 00 00) so the SPS can be read as RBSP.
Bytes to_rbsp(ByteSpan nal) {
  Bytes rbsp;
  rbsp.reserve(nal.size());
  int zeros = 0;
  for (uint8_t b : nal) {
    if (zeros >= 2 && b == 0x03) {
      zeros = 0;
      continue;
    }
    zeros = (b == 0) ? zeros + 1 : 0;
    rbsp.push_back(b);
  }
  return rbsp;
}

size_t read_nal_length(ByteReader& r, uint8_t size) {
  switch (size) {
    case 1:
      return r.u8();
    case 2:
      return r.u16();
    default:
      return r.u32();
  }
}

bool has_chroma_info(uint8_t profile_idc) {
  switch (profile_idc) {
    case 100:
    case 110:
    case 122:
    case 244:
    case 44:
    case 83:
    case 86:
    case 118:
    case 128:
    case 138:
    case 139:
    case 134:
    case 135:
      return true;
    default:
      return false;
  }
}

// The avcC extension bytes exist only for these profiles (ISO/IEC 14496-15 5.3.3.1.2).
bool has_avcc_extension(uint8_t profile_idc) {
  return profile_idc == 100 || profile_idc == 110 || profile_idc == 122 || profile_idc == 244;
}

// Scaling list contents do not matter here, but they must be walked to reach the fields after them
// (7.3.2.1.1.1).
void skip_scaling_list(BitReader& br, int size) {
  int last = 8;
  int next = 8;
  for (int j = 0; j < size && !br.failed(); ++j) {
    if (next != 0) {
      const int32_t delta = br.se();
      if (delta < -128 || delta > 127) {
        br.skip(br.bits_left() + 1);  // force failure on an out-of-range delta
        return;
      }
      next = (last + delta + 256) % 256;
    }
    last = (next == 0) ? last : next;
  }
}

// Chroma format, bit depths and scaling matrices of the High profiles.
bool read_chroma_info(BitReader& br, Sps& sps, bool& separate_colour_plane) {
  const uint32_t chroma = br.ue();
  if (chroma > 3) return false;
  sps.chroma_format_idc = static_cast<int>(chroma);
  if (chroma == 3) separate_colour_plane = br.bit() != 0;
  const uint32_t luma_minus8 = br.ue();
  const uint32_t chroma_minus8 = br.ue();
  if (luma_minus8 > 6 || chroma_minus8 > 6) return false;
  sps.bit_depth_luma = static_cast<int>(luma_minus8) + 8;
  sps.bit_depth_chroma = static_cast<int>(chroma_minus8) + 8;
  br.bit();        // qpprime_y_zero_transform_bypass_flag
  if (br.bit()) {  // seq_scaling_matrix_present_flag
    const int lists = (chroma != 3) ? 8 : 12;
    for (int i = 0; i < lists; ++i) {
      if (br.bit()) skip_scaling_list(br, i < 6 ? 16 : 64);
    }
  }
  return !br.failed();
}

bool skip_pic_order_cnt(BitReader& br) {
  const uint32_t type = br.ue();
  if (type == 0) {
    br.ue();  // log2_max_pic_order_cnt_lsb_minus4
  } else if (type == 1) {
    br.bit();  // delta_pic_order_always_zero_flag
    br.se();   // offset_for_non_ref_pic
    br.se();   // offset_for_top_to_bottom_field
    const uint32_t cycle = br.ue();
    if (cycle > 255) return false;
    for (uint32_t i = 0; i < cycle && !br.failed(); ++i) br.se();
  } else if (type != 2) {
    return false;
  }
  return !br.failed();
}

// VUI fields up to timing_info (E.1.1). A VUI cut short leaves fps at 0 rather than failing the SPS: the
// picture size is what matters and some encoders truncate trailing VUI fields.
double read_vui_fps(BitReader& br) {
  if (br.bit()) {                        // aspect_ratio_info_present_flag
    if (br.bits(8) == 255) br.skip(32);  // Extended_SAR: sar_width, sar_height
  }
  if (br.bit()) br.skip(1);     // overscan_info_present_flag -> overscan_appropriate_flag
  if (br.bit()) {               // video_signal_type_present_flag
    br.skip(4);                 // video_format, video_full_range_flag
    if (br.bit()) br.skip(24);  // colour_primaries, transfer_characteristics, matrix_coefficients
  }
  if (br.bit()) {  // chroma_loc_info_present_flag
    br.ue();
    br.ue();
  }
  if (!br.bit()) return 0;  // timing_info_present_flag
  const uint32_t num_units_in_tick = br.bits(32);
  const uint32_t time_scale = br.bits(32);
  if (br.failed() || num_units_in_tick == 0) return 0;
  return static_cast<double>(time_scale) / (2.0 * num_units_in_tick);
}

}  // namespace

Result<Sps> parse_sps(ByteSpan nal) {
  if (nal_type(nal) != kNalSps) return parse_error("not an SPS NAL unit");
  const Bytes rbsp = to_rbsp(nal.subspan(1));
  BitReader br(rbsp);
  Sps sps;
  sps.profile_idc = static_cast<uint8_t>(br.bits(8));
  sps.constraint_flags = static_cast<uint8_t>(br.bits(8));
  sps.level_idc = static_cast<uint8_t>(br.bits(8));
  if (br.ue() > 31) return parse_error("SPS id out of range");
  bool separate_colour_plane = false;
  if (has_chroma_info(sps.profile_idc) && !read_chroma_info(br, sps, separate_colour_plane)) {
    return parse_error("bad SPS chroma format or scaling lists");
  }
  if (br.ue() > 12) return parse_error("bad log2_max_frame_num");
  if (!skip_pic_order_cnt(br)) return parse_error("bad SPS picture order count");
  br.ue();   // max_num_ref_frames
  br.bit();  // gaps_in_frame_num_value_allowed_flag
  const uint32_t width_mbs = br.ue() + 1;
  const uint32_t height_map_units = br.ue() + 1;
  const uint32_t frame_mbs_only = br.bit();
  if (!frame_mbs_only) br.bit();    // mb_adaptive_frame_field_flag
  br.bit();                         // direct_8x8_inference_flag
  uint32_t crop[4] = {0, 0, 0, 0};  // left, right, top, bottom
  if (br.bit()) {
    for (uint32_t& c : crop) c = br.ue();
  }
  if (br.failed()) return parse_error("SPS truncated");
  if (width_mbs > kMaxMacroblocks || height_map_units > kMaxMacroblocks) {
    return parse_error("SPS size too large");
  }

  const int frame_height_factor = 2 - static_cast<int>(frame_mbs_only);
  const int chroma_array_type = separate_colour_plane ? 0 : sps.chroma_format_idc;
  const int crop_unit_x = (chroma_array_type == 0 || chroma_array_type == 3) ? 1 : 2;
  const int crop_unit_y = ((chroma_array_type == 1) ? 2 : 1) * frame_height_factor;
  const int64_t width = int64_t{16} * width_mbs - int64_t{crop_unit_x} * (int64_t{crop[0]} + crop[1]);
  const int64_t height = int64_t{16} * height_map_units * frame_height_factor -
                         int64_t{crop_unit_y} * (int64_t{crop[2]} + crop[3]);
  if (width <= 0 || height <= 0) return parse_error("SPS cropping exceeds the picture");
  sps.width = static_cast<int>(width);
  sps.height = static_cast<int>(height);

  if (br.bit()) sps.fps = read_vui_fps(br);  // vui_parameters_present_flag
  return sps;
}

std::vector<ByteSpan> split_annexb(ByteSpan data) {
  std::vector<ByteSpan> nals;
  const size_t n = data.size();
  size_t start = SIZE_MAX;  // first byte of the current NAL unit
  auto close = [&](size_t end) {
    // Trailing zero bytes belong to the next start code (4-byte form) or are trailing_zero_8bits.
    while (end > start && data[end - 1] == 0) --end;
    if (end > start) nals.push_back(data.subspan(start, end - start));
  };
  size_t i = 0;
  while (i + 2 < n) {
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
      if (start != SIZE_MAX) close(i);
      i += 3;
      start = i;
    } else {
      ++i;
    }
  }
  if (start != SIZE_MAX) close(n);
  return nals;
}

Result<std::vector<ByteSpan>> split_avcc(ByteSpan data, uint8_t nal_length_size) {
  if (nal_length_size != 1 && nal_length_size != 2 && nal_length_size != 4) {
    return parse_error("unsupported NAL length size");
  }
  std::vector<ByteSpan> nals;
  ByteReader r(data);
  while (r.remaining() > 0) {
    const size_t len = read_nal_length(r, nal_length_size);
    const ByteSpan nal = r.bytes(len);
    if (r.failed()) return parse_error("AVCC NAL length runs past the end");
    if (!nal.empty()) nals.push_back(nal);
  }
  return nals;
}

Result<std::vector<ByteSpan>> split_avcc(ByteSpan data) {
  return split_avcc(data, 4);
}

void append_avcc(Bytes& out, ByteSpan nal) {
  put_u32(out, static_cast<uint32_t>(nal.size()));
  put_bytes(out, nal);
}

Result<AvcConfig> avc_config_from_annexb(ByteSpan extradata) {
  AvcConfig config;
  for (ByteSpan nal : split_annexb(extradata)) {
    if (nal_type(nal) == 7) config.sps.emplace_back(nal.begin(), nal.end());
    if (nal_type(nal) == 8) config.pps.emplace_back(nal.begin(), nal.end());
  }
  if (config.sps.empty() || config.pps.empty())
    return Error(ErrorCode::kParse, "the encoder gave no SPS/PPS");
  return config;
}

Bytes build_avc_decoder_config(const AvcConfig& config) {
  const Bytes* first_sps = config.sps.empty() ? nullptr : &config.sps.front();
  auto sps_byte = [&](size_t i) -> uint8_t {
    return (first_sps && first_sps->size() > i) ? (*first_sps)[i] : 0;
  };
  Bytes out;
  put_u8(out, 1);            // configurationVersion
  put_u8(out, sps_byte(1));  // AVCProfileIndication
  put_u8(out, sps_byte(2));  // profile_compatibility
  put_u8(out, sps_byte(3));  // AVCLevelIndication
  put_u8(out, static_cast<uint8_t>(0xFC | ((config.nal_length_size - 1) & 0x03)));
  put_u8(out, static_cast<uint8_t>(0xE0 | (std::min<size_t>(config.sps.size(), 31))));
  for (size_t i = 0; i < config.sps.size() && i < 31; ++i) {
    put_u16(out, static_cast<uint16_t>(config.sps[i].size()));
    put_bytes(out, config.sps[i]);
  }
  put_u8(out, static_cast<uint8_t>(std::min<size_t>(config.pps.size(), 255)));
  for (size_t i = 0; i < config.pps.size() && i < 255; ++i) {
    put_u16(out, static_cast<uint16_t>(config.pps[i].size()));
    put_bytes(out, config.pps[i]);
  }
  if (first_sps && has_avcc_extension(sps_byte(1))) {
    Sps sps;  // defaults (4:2:0, 8 bit) when the SPS cannot be parsed
    if (auto parsed = parse_sps(*first_sps)) sps = *parsed;
    put_u8(out, static_cast<uint8_t>(0xFC | (sps.chroma_format_idc & 0x03)));
    put_u8(out, static_cast<uint8_t>(0xF8 | ((sps.bit_depth_luma - 8) & 0x07)));
    put_u8(out, static_cast<uint8_t>(0xF8 | ((sps.bit_depth_chroma - 8) & 0x07)));
    put_u8(out, 0);  // numOfSequenceParameterSetExt
  }
  return out;
}

Result<AvcConfig> parse_avc_decoder_config(ByteSpan record) {
  ByteReader r(record);
  if (r.u8() != 1) return parse_error("bad AVCDecoderConfigurationRecord version");
  r.skip(3);  // profile, compatibility, level: the SPS carries them too
  AvcConfig config;
  config.nal_length_size = static_cast<uint8_t>((r.u8() & 0x03) + 1);
  if (config.nal_length_size == 3) return parse_error("bad NAL length size 3");
  auto read_sets = [&r](size_t count, std::vector<Bytes>& sets) {
    for (size_t i = 0; i < count; ++i) {
      const ByteSpan nal = r.bytes(r.u16());
      if (r.failed() || nal.empty()) return false;
      sets.emplace_back(nal.begin(), nal.end());
    }
    return !r.failed();
  };
  if (!read_sets(r.u8() & 0x1F, config.sps)) {
    return parse_error("AVCDecoderConfigurationRecord SPS truncated");
  }
  if (!read_sets(r.u8(), config.pps)) return parse_error("AVCDecoderConfigurationRecord PPS truncated");
  // The High-profile extension that may follow is derived from the SPS, so it is not read back.
  return config;
}

}  // namespace lunora::media::h264
