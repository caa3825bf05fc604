#include "aws/endpoint.hpp"

#include <gtest/gtest.h>

namespace lunora::aws {
namespace {

TEST(AwsEndpoint, HttpsDefaultPortIsNotInTheAuthority) {
  const auto e = parse_endpoint("https://dynamodb.eu-west-1.amazonaws.com");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->host, "dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(e->port, 443);
  EXPECT_EQ(e->authority, "dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(e->base_path, "");
  EXPECT_EQ(parse_endpoint("https://h:443/")->authority, "h");
}

TEST(AwsEndpoint, LocalFakeKeepsItsPort) {
  const auto e = parse_endpoint("http://127.0.0.1:8000");
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->tls);
  EXPECT_EQ(e->port, 8000);
  EXPECT_EQ(e->authority, "127.0.0.1:8000");
  EXPECT_EQ(parse_endpoint("http://localhost")->port, 80);
  EXPECT_EQ(parse_endpoint("https://h:8443")->authority, "h:8443");
}

TEST(AwsEndpoint, Ipv6AndBasePath) {
  const auto e = parse_endpoint("http://[::1]:4566/aws/");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 4566);
  EXPECT_EQ(e->authority, "[::1]:4566");
  EXPECT_EQ(e->base_path, "/aws");
}

TEST(AwsEndpoint, RejectsWhatItCannotUse) {
  for (const char* url : {"ftp://h", "h:80", "https://", "https://h:0", "https://h:70000", "https://h:x",
                          "https://u@h", "https://h/?q", "http://[::1", "http://[::1]x"}) {
    const auto e = parse_endpoint(url);
    EXPECT_FALSE(e.ok()) << url;
    if (!e.ok()) {
      EXPECT_EQ(e.error().code(), ErrorCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace lunora::aws
