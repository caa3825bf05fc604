// The policy that keeps a rendition real time (media/transcode/encoder_load.hpp), on made-up windows.
#include "media/transcode/encoder_load.hpp"

#include <gtest/gtest.h>

namespace lunora::media {
namespace {

TEST(EncoderLoad, StepsToAFasterPresetAfterTwoSlowWindowsOneStepAtATime) {
  EncoderLoad load("veryfast");
  EXPECT_FALSE(load.judge(0.8, false));  // one slow window may be a hiccup
  EXPECT_EQ(load.judge(0.8, false), "superfast");
  EXPECT_FALSE(load.judge(0.9, false));
  EXPECT_EQ(load.judge(0.9, false), "ultrafast");
  EXPECT_EQ(load.preset_changes(), 2);
  EXPECT_FALSE(load.overloaded());
}

TEST(EncoderLoad, AGoodWindowResetsTheCount) {
  EncoderLoad load("medium");
  EXPECT_FALSE(load.judge(0.5, false));
  EXPECT_FALSE(load.judge(1.5, false));
  EXPECT_FALSE(load.judge(0.5, false));
  EXPECT_EQ(load.preset(), "medium");
}

TEST(EncoderLoad, DroppedPacketsCountAsSlowWhateverTheSpeed) {
  EncoderLoad load("fast");
  EXPECT_FALSE(load.judge(3.0, true));
  EXPECT_EQ(load.judge(3.0, true), "faster");
}

TEST(EncoderLoad, OverloadedOnlyWhenTheFastestFallsBehindAndItRecovers) {
  EncoderLoad load("ultrafast");
  EXPECT_FALSE(load.judge(0.7, false));
  EXPECT_FALSE(load.judge(0.7, false));
  EXPECT_FALSE(load.overloaded());
  EXPECT_FALSE(load.judge(0.7, false));
  EXPECT_TRUE(load.overloaded());
  EXPECT_EQ(load.preset(), "ultrafast");
  load.judge(1.2, false);
  load.judge(1.2, false);
  EXPECT_TRUE(load.overloaded());  // not on the first good windows: it would flap
  load.judge(1.2, false);
  EXPECT_FALSE(load.overloaded());
}

TEST(EncoderLoad, StepsBackTowardItsOwnPresetAfterALongCalmOnly) {
  EncoderLoad load("veryfast");
  load.judge(0.5, false);
  ASSERT_EQ(load.judge(0.5, false), "superfast");
  for (int i = 0; i < EncoderLoad::kCalmWindowsToStepBack - 1; ++i) {
    EXPECT_FALSE(load.judge(3.0, false)) << i;
  }
  EXPECT_EQ(load.judge(3.0, false), "veryfast");
  // Never beyond the preset it was given, and not on windows that are merely real time.
  for (int i = 0; i < 2 * EncoderLoad::kCalmWindowsToStepBack; ++i) EXPECT_FALSE(load.judge(3.0, false));
  EncoderLoad busy("veryfast");
  busy.judge(0.5, false);
  busy.judge(0.5, false);
  for (int i = 0; i < 2 * EncoderLoad::kCalmWindowsToStepBack; ++i) EXPECT_FALSE(busy.judge(1.5, false));
  EXPECT_EQ(busy.preset(), "superfast");
}

TEST(EncoderLoad, KnowsX264sPresets) {
  EXPECT_TRUE(is_x264_preset("veryfast"));
  EXPECT_TRUE(is_x264_preset("placebo"));
  EXPECT_FALSE(is_x264_preset("turbo"));
  EXPECT_FALSE(is_x264_preset(""));
}

}  // namespace
}  // namespace lunora::media
