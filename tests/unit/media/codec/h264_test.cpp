#include "media/codec/h264.hpp"

#include <gtest/gtest.h>

#include "unit/media/codec/sps_writer.hpp"

namespace lunora::media::h264 {
namespace {

// From tests/unit/media/testdata/small.ts (x264 High, 320x240, 25 fps); contains emulation prevention bytes.
const Bytes kHighSps = {0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00,
                        0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x42, 0x99, 0x60};
const Bytes kHighPps = {0x68, 0xef, 0xbc, 0xb0};
// x264 Baseline 320x180 at 30 fps: 12 macroblock rows cropped by 6 chroma rows.
const Bytes kBaselineSps = {0x67, 0x42, 0xc0, 0x0d, 0xd9, 0x01, 0x41, 0x9f, 0x9f, 0x01, 0x10, 0x00, 0x00,
                            0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x42, 0xa4, 0x80};
// x264 Main 640x360 at 30000/1001.
const Bytes kMainSps = {0x67, 0x4d, 0x40, 0x1e, 0xec, 0xa0, 0x50, 0x17, 0xfc, 0xb8, 0x08, 0x80,
                        0x00, 0x01, 0xf4, 0x80, 0x00, 0x75, 0x30, 0x07, 0x8b, 0x16, 0xcb};
// x264 High 10 (profile 110) 320x240.
const Bytes kHigh10Sps = {0x67, 0x6e, 0x00, 0x0d, 0xa6, 0xcd, 0x94, 0x14, 0x1f, 0xb0, 0x11, 0x00, 0x00,
                          0x03, 0x00, 0x01, 0x00, 0x00, 0x03, 0x00, 0x32, 0x0f, 0x14, 0x29, 0x96};

TEST(H264Sps, ParsesHighProfileFromFfmpeg) {
  auto sps = parse_sps(kHighSps);
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_EQ(sps->profile_idc, 100);
  EXPECT_EQ(sps->level_idc, 13);
  EXPECT_EQ(sps->chroma_format_idc, 1);
  EXPECT_EQ(sps->bit_depth_luma, 8);
  EXPECT_EQ(sps->width, 320);
  EXPECT_EQ(sps->height, 240);
  EXPECT_DOUBLE_EQ(sps->fps, 25.0);
}

TEST(H264Sps, AppliesFrameCropping) {
  auto sps = parse_sps(kBaselineSps);
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_EQ(sps->profile_idc, 66);
  EXPECT_EQ(sps->width, 320);
  EXPECT_EQ(sps->height, 180);
  EXPECT_DOUBLE_EQ(sps->fps, 30.0);
}

TEST(H264Sps, NtscTiming) {
  auto sps = parse_sps(kMainSps);
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_EQ(sps->width, 640);
  EXPECT_EQ(sps->height, 360);
  EXPECT_NEAR(sps->fps, 29.97, 0.001);
}

TEST(H264Sps, High10BitDepth) {
  auto sps = parse_sps(kHigh10Sps);
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_EQ(sps->profile_idc, 110);
  EXPECT_EQ(sps->bit_depth_luma, 10);
  EXPECT_EQ(sps->bit_depth_chroma, 10);
  EXPECT_EQ(sps->width, 320);
  EXPECT_EQ(sps->height, 240);
}

// 1920x1080 High with explicit scaling lists (a 4x4 list with 16 deltas and an 8x8 list falling back to the
// default matrix) and 60000/1001 timing: the fields after the lists only parse if the lists are walked right.
Bytes scaling_list_sps() {
  test::SpsWriter w;
  w.bits(100, 8);  // profile_idc
  w.bits(0, 8);    // constraint flags
  w.bits(40, 8);   // level_idc
  w.ue(0);         // seq_parameter_set_id
  w.ue(1);         // chroma_format_idc 4:2:0
  w.ue(0);         // bit_depth_luma_minus8
  w.ue(0);         // bit_depth_chroma_minus8
  w.bit(0);        // qpprime_y_zero_transform_bypass_flag
  w.bit(1);        // seq_scaling_matrix_present_flag
  for (int i = 0; i < 8; ++i) {
    const bool present = i == 0 || i == 6;
    w.bit(present);
    if (i == 0) {
      for (int j = 0; j < 16; ++j) w.se(j % 2 ? 3 : -2);
    } else if (i == 6) {
      w.se(-8);  // next scale 0: use the default matrix, list ends
    }
  }
  w.ue(0);    // log2_max_frame_num_minus4
  w.ue(0);    // pic_order_cnt_type
  w.ue(2);    // log2_max_pic_order_cnt_lsb_minus4
  w.ue(4);    // max_num_ref_frames
  w.bit(0);   // gaps_in_frame_num_value_allowed_flag
  w.ue(119);  // pic_width_in_mbs_minus1
  w.ue(67);   // pic_height_in_map_units_minus1
  w.bit(1);   // frame_mbs_only_flag
  w.bit(1);   // direct_8x8_inference_flag
  w.bit(1);   // frame_cropping_flag
  w.ue(0);
  w.ue(0);
  w.ue(0);
  w.ue(4);         // bottom: 4 * 2 rows
  w.bit(1);        // vui_parameters_present_flag
  w.bit(1);        // aspect_ratio_info_present_flag
  w.bits(255, 8);  // Extended_SAR
  w.bits(1, 16);
  w.bits(1, 16);
  w.bit(0);  // overscan_info_present_flag
  w.bit(1);  // video_signal_type_present_flag
  w.bits(5, 3);
  w.bit(0);
  w.bit(1);  // colour_description_present_flag
  w.bits(0x010101, 24);
  w.bit(1);  // chroma_loc_info_present_flag
  w.ue(0);
  w.ue(0);
  w.bit(1);  // timing_info_present_flag
  w.bits(1001, 32);
  w.bits(120000, 32);
  w.bit(1);
  return w.nal();
}

TEST(H264Sps, WalksScalingListsAndFullVui) {
  auto sps = parse_sps(scaling_list_sps());
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_EQ(sps->width, 1920);
  EXPECT_EQ(sps->height, 1080);
  EXPECT_NEAR(sps->fps, 59.94, 0.001);
}

TEST(H264Sps, RejectsOtherNalTypes) {
  EXPECT_FALSE(parse_sps(kHighPps).ok());
  EXPECT_FALSE(parse_sps({}).ok());
}

TEST(H264Sps, EveryTruncationIsSafe) {
  for (const Bytes& full : {kHighSps, kBaselineSps, kMainSps, kHigh10Sps, scaling_list_sps()}) {
    for (size_t len = 0; len < full.size(); ++len) {
      auto sps = parse_sps(ByteSpan(full).first(len));
      // Cut inside the fields before the VUI it must fail; cut in the VUI it may keep the size.
      if (len < 6) {
        EXPECT_FALSE(sps.ok()) << len;
      }
      if (sps.ok()) {
        EXPECT_GT(sps->width, 0);
        EXPECT_GT(sps->height, 0);
      }
    }
  }
}

TEST(H264Sps, RejectsCroppingLargerThanPicture) {
  test::SpsWriter w;
  w.bits(66, 8);
  w.bits(0, 8);
  w.bits(30, 8);
  w.ue(0);
  w.ue(0);
  w.ue(2);  // pic_order_cnt_type 2
  w.ue(1);
  w.bit(0);
  w.ue(0);  // 16 pixels wide
  w.ue(0);
  w.bit(1);
  w.bit(1);
  w.bit(1);
  w.ue(8);  // crop 16 pixels from the left
  w.ue(0);
  w.ue(0);
  w.ue(0);
  w.bit(0);
  EXPECT_FALSE(parse_sps(w.nal()).ok());
}

TEST(H264AnnexB, SplitsThreeAndFourByteStartCodes) {
  const Bytes stream = {0x00, 0x00, 0x00, 0x01, 0x09, 0xf0,  // AUD, 4-byte start code
                        0x00, 0x00, 0x01, 0x67, 0x42, 0x00,  // SPS, 3-byte (trailing zero dropped)
                        0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x65, 0x88};  // empty NAL, then IDR
  auto nals = split_annexb(stream);
  ASSERT_EQ(nals.size(), 3u);
  EXPECT_EQ(Bytes(nals[0].begin(), nals[0].end()), (Bytes{0x09, 0xf0}));
  EXPECT_EQ(Bytes(nals[1].begin(), nals[1].end()), (Bytes{0x67, 0x42}));
  EXPECT_EQ(Bytes(nals[2].begin(), nals[2].end()), (Bytes{0x65, 0x88}));
}

TEST(H264AnnexB, IgnoresBytesBeforeTheFirstStartCode) {
  const Bytes stream = {0x12, 0x34, 0x00, 0x00, 0x01, 0x41, 0x9a};
  auto nals = split_annexb(stream);
  ASSERT_EQ(nals.size(), 1u);
  EXPECT_EQ(nal_type(nals[0]), kNalSlice);
  EXPECT_TRUE(split_annexb({}).empty());
  EXPECT_TRUE(split_annexb(Bytes{0x00, 0x00, 0x01}).empty());
}

TEST(H264Avcc, AppendAndSplitGolden) {
  Bytes out;
  append_avcc(out, Bytes{0x09, 0xf0});
  append_avcc(out, Bytes{0x65, 0x88, 0x84});
  const Bytes golden = {0x00, 0x00, 0x00, 0x02, 0x09, 0xf0, 0x00, 0x00, 0x00, 0x03, 0x65, 0x88, 0x84};
  EXPECT_EQ(out, golden);
  auto nals = split_avcc(golden);
  ASSERT_TRUE(nals.ok());
  ASSERT_EQ(nals->size(), 2u);
  EXPECT_EQ((*nals)[1].size(), 3u);
  EXPECT_EQ(nal_type((*nals)[1]), kNalIdr);
}

TEST(H264Avcc, EveryTruncationFailsCleanly) {
  const Bytes golden = {0x00, 0x00, 0x00, 0x02, 0x09, 0xf0, 0x00, 0x00, 0x00, 0x03, 0x65, 0x88, 0x84};
  for (size_t len = 1; len < golden.size(); ++len) {
    EXPECT_EQ(split_avcc(ByteSpan(golden).first(len)).ok(), len == 6) << len;
  }
  EXPECT_TRUE(split_avcc({}).ok());
  EXPECT_FALSE(split_avcc(Bytes{0xff, 0xff, 0xff, 0xff, 0x65}).ok());
}

TEST(H264Avcc, OtherNalLengthSizes) {
  auto two = split_avcc(Bytes{0x00, 0x01, 0x65, 0x00, 0x02, 0x41, 0x9a}, 2);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->size(), 2u);
  auto one = split_avcc(Bytes{0x01, 0x65}, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
  EXPECT_FALSE(split_avcc(Bytes{0x00, 0x00, 0x01, 0x65}, 3).ok());
}

const Bytes kHighRecord = [] {
  Bytes r = {0x01, 0x64, 0x00, 0x0d, 0xff, 0xe1, 0x00, 0x19};
  r.insert(r.end(), kHighSps.begin(), kHighSps.end());
  r.insert(r.end(), {0x01, 0x00, 0x04});
  r.insert(r.end(), kHighPps.begin(), kHighPps.end());
  r.insert(r.end(), {0xfd, 0xf8, 0xf8, 0x00});  // 4:2:0, 8-bit luma and chroma, no SPS extensions
  return r;
}();

TEST(H264AvcConfig, BuildsHighProfileRecordGolden) {
  AvcConfig config;
  config.sps = {kHighSps};
  config.pps = {kHighPps};
  EXPECT_EQ(build_avc_decoder_config(config), kHighRecord);
}

TEST(H264AvcConfig, High10ExtensionCarriesBitDepth) {
  AvcConfig config;
  config.sps = {kHigh10Sps};
  config.pps = {kHighPps};
  const Bytes record = build_avc_decoder_config(config);
  ASSERT_GE(record.size(), 4u);
  EXPECT_EQ(Bytes(record.end() - 4, record.end()), (Bytes{0xfd, 0xfa, 0xfa, 0x00}));
}

TEST(H264AvcConfig, BaselineHasNoExtension) {
  AvcConfig config;
  config.sps = {kBaselineSps};
  config.pps = {kHighPps};
  const Bytes record = build_avc_decoder_config(config);
  EXPECT_EQ(record.size(), 6 + 2 + kBaselineSps.size() + 1 + 2 + kHighPps.size());
  EXPECT_EQ(record[1], 0x42);
}

TEST(H264AvcConfig, ParsesGoldenRecord) {
  auto config = parse_avc_decoder_config(kHighRecord);
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->nal_length_size, 4);
  ASSERT_EQ(config->sps.size(), 1u);
  ASSERT_EQ(config->pps.size(), 1u);
  EXPECT_EQ(config->sps[0], kHighSps);
  EXPECT_EQ(config->pps[0], kHighPps);
}

TEST(H264AvcConfig, EveryTruncationBeforeThePpsFails) {
  const size_t end_of_pps = kHighRecord.size() - 4;
  for (size_t len = 0; len < kHighRecord.size(); ++len) {
    EXPECT_EQ(parse_avc_decoder_config(ByteSpan(kHighRecord).first(len)).ok(), len >= end_of_pps) << len;
  }
}

TEST(H264AvcConfig, RejectsMalformedRecords) {
  Bytes bad_version = kHighRecord;
  bad_version[0] = 0;
  EXPECT_FALSE(parse_avc_decoder_config(bad_version).ok());
  Bytes length_three = kHighRecord;
  length_three[4] = 0xfe;
  EXPECT_FALSE(parse_avc_decoder_config(length_three).ok());
  Bytes huge_sps = kHighRecord;
  huge_sps[6] = 0xff;  // SPS length 0xff19 runs far past the end
  EXPECT_FALSE(parse_avc_decoder_config(huge_sps).ok());
}

}  // namespace
}  // namespace lunora::media::h264
