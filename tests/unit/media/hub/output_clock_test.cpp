#include "media/hub/output_clock.hpp"

#include <gtest/gtest.h>

#include "support/packets.hpp"

namespace lunora::media {
namespace {

using testing::audio;
using testing::video;

TEST(OutputClock, StartsNearZeroWhateverTheInputClock) {
  OutputClock clock;
  EXPECT_EQ(clock.map_ms(*video(3600000, true)), 0u);
  EXPECT_EQ(clock.map_ms(*audio(3600010)), 10u);
  EXPECT_EQ(clock.map_ms(*video(3600033, false)), 33u);
}

TEST(OutputClock, InputReconnectContinuesJustAfterTheLastTimestamp) {
  OutputClock clock;
  clock.map_ms(*video(5000, true, 1));
  EXPECT_EQ(clock.map_ms(*video(6000, false, 1)), 1000u);
  // The encoder restarted: new epoch, timestamps back at 0.
  EXPECT_EQ(clock.map_ms(*video(0, true, 2)), 1033u);
  EXPECT_EQ(clock.map_ms(*video(33, false, 2)), 1066u);
}

TEST(OutputClock, JumpWithinAConnectionIsSplicedNotPassedOn) {
  OutputClock clock;
  clock.map_ms(*video(0, true));
  clock.map_ms(*video(1000, false));
  EXPECT_EQ(clock.map_ms(*video(1000000, false)), 1033u);  // +999 s jump
  EXPECT_EQ(clock.map_ms(*video(1000033, false)), 1066u);
}

TEST(OutputClock, NeverGoesBackwardsPerTrack) {
  OutputClock clock;
  clock.map_ms(*video(1000, true));
  clock.map_ms(*video(1100, false));
  EXPECT_EQ(clock.map_ms(*video(1050, false)), 100u);  // clamped, not 50
  EXPECT_EQ(clock.map_ms(*audio(990)), 0u);            // audio slightly before the first keyframe
}

TEST(OutputClock, ConfigGoesAtTheCurrentTime) {
  OutputClock clock;
  EXPECT_EQ(clock.map_ms(*testing::config(PacketKind::kVideoConfig)), 0u);
  clock.map_ms(*video(0, true));
  clock.map_ms(*video(500, false));
  EXPECT_EQ(clock.map_ms(*testing::config(PacketKind::kVideoConfig)), 500u);
}

}  // namespace
}  // namespace lunora::media
