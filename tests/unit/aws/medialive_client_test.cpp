// MediaLiveClient refuses ids that are not MediaLive's (digits) before anything is sent: a path is never
// built from a caller's text. The calls themselves run against the fake MediaLive
// (tests/services/medialive_plan_test.cpp).
#include "aws/medialive/medialive_client.hpp"

#include <gtest/gtest.h>

namespace lunora::aws {
namespace {

TEST(MediaLiveClient, OnlyDigitsAreMediaLiveIds) {
  EXPECT_TRUE(is_medialive_id("1234567"));
  EXPECT_FALSE(is_medialive_id(""));
  EXPECT_FALSE(is_medialive_id("../inputs/1"));
  EXPECT_FALSE(is_medialive_id("12 34"));
  EXPECT_FALSE(is_medialive_id("123456789012345678901234567890123"));  // 33 digits
}

}  // namespace
}  // namespace lunora::aws
