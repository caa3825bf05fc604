#include "aws/crypto.hpp"

#include <gtest/gtest.h>

#include <string>

namespace lunora::aws {
namespace {

// RFC 4648 section 10's test vectors.
TEST(Base64, EncodesTheRfcVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, DecodesWhatItEncodesWhateverTheBytes) {
  const std::string bytes("\0\xff\x01sealed\0", 10);
  for (size_t n = 0; n <= bytes.size(); ++n) {
    const std::string part = bytes.substr(0, n);
    const auto decoded = base64_decode(base64_encode(part));
    ASSERT_TRUE(decoded.has_value()) << n;
    EXPECT_EQ(*decoded, part);
  }
}

TEST(Base64, RefusesWhatIsNotBase64) {
  EXPECT_FALSE(base64_decode("Zg=").has_value());   // not a multiple of four
  EXPECT_FALSE(base64_decode("Z*==").has_value());  // outside the alphabet
  EXPECT_FALSE(base64_decode("Zg=a").has_value());  // padding in the middle
  EXPECT_FALSE(base64_decode("=Zga").has_value());
  EXPECT_FALSE(base64_decode("Zm9v\n").has_value());  // no line breaks
}

}  // namespace
}  // namespace lunora::aws
