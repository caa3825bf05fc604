// The signer's behaviour beyond the suite's vectors: S3-style paths, the double encoding of the other
// services, a caller's payload hash, and invalid input refused as a value.
#include "aws/sigv4.hpp"

#include <gtest/gtest.h>

#include "aws/crypto.hpp"
#include "aws/uri_encoding.hpp"

namespace lunora::aws {
namespace {

SigningParams example_params() {
  SigningParams params;
  params.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "test"};
  params.region = "us-east-1";
  params.service = "service";
  params.time = std::chrono::system_clock::from_time_t(1440938160);  // 2015-08-30T12:36:00Z
  return params;
}

RequestToSign example_request() {
  RequestToSign request;
  request.method = "GET";
  request.host = "example.amazonaws.com";
  return request;
}

std::string canonical_path(const std::string& canonical_request) {
  const size_t start = canonical_request.find('\n') + 1;
  return canonical_request.substr(start, canonical_request.find('\n', start) - start);
}

TEST(SigV4, FormatsTheAmzDate) {
  EXPECT_EQ(amz_date(example_params().time), "20150830T123600Z");
}

TEST(SigV4, HostParameterMatchesTheSuitesGetVanilla) {
  // The same request as the suite's get-vanilla, with the host given as a parameter rather than a header.
  const Result<SignedRequest> signed_request = sign_request(example_request(), example_params());
  ASSERT_TRUE(signed_request.ok());
  EXPECT_EQ(signed_request->signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, OtherServicesEncodeTheWirePathOnceMore) {
  RequestToSign request = example_request();
  request.path = "/a%20b/./c";
  const Result<SignedRequest> signed_request = sign_request(request, example_params());
  ASSERT_TRUE(signed_request.ok());
  EXPECT_EQ(canonical_path(signed_request->canonical_request), "/a%2520b/c");
}

TEST(SigV4, S3SignsThePathAsSent) {
  RequestToSign request = example_request();
  request.path = "/bucket/a%20b//./c";
  SigningParams params = example_params();
  params.service = "s3";
  params.normalize_path = false;
  params.encode_path = false;
  const Result<SignedRequest> signed_request = sign_request(request, params);
  ASSERT_TRUE(signed_request.ok());
  EXPECT_EQ(canonical_path(signed_request->canonical_request), "/bucket/a%20b//./c");
}

TEST(SigV4, QueryIsEncodedAndSortedByNameThenValue) {
  RequestToSign request = example_request();
  request.query = {{"b", "2"}, {"a", "z y"}, {"a", "x"}, {"c", ""}};
  const Result<SignedRequest> signed_request = sign_request(request, example_params());
  ASSERT_TRUE(signed_request.ok());
  EXPECT_NE(signed_request->canonical_request.find("\na=x&a=z%20y&b=2&c=\n"), std::string::npos);
}

TEST(SigV4, UsesTheCallersPayloadHashAndCanAddItAsAHeader) {
  RequestToSign request = example_request();
  request.body = "ignored";
  request.payload_hash = "UNSIGNED-PAYLOAD";
  SigningParams params = example_params();
  params.add_content_sha256_header = true;
  const Result<SignedRequest> signed_request = sign_request(request, params);
  ASSERT_TRUE(signed_request.ok());
  EXPECT_TRUE(signed_request->canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
  EXPECT_NE(signed_request->canonical_request.find("x-amz-content-sha256:UNSIGNED-PAYLOAD\n"),
            std::string::npos);
}

TEST(SigV4, RefusesHeadersTheSignerOwnsAndMissingInputs) {
  RequestToSign request = example_request();
  request.headers = {{"X-Amz-Date", "20200101T000000Z"}};
  EXPECT_EQ(sign_request(request, example_params()).error().code(), ErrorCode::kInvalidArgument);

  request = example_request();
  request.host.clear();
  EXPECT_FALSE(sign_request(request, example_params()).ok());

  SigningParams params = example_params();
  params.credentials.secret_access_key.clear();
  EXPECT_FALSE(sign_request(example_request(), params).ok());
}

TEST(SigV4, UriEncodingKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(uri_encode("a-_.~Z9 /+=%\xe1\x88\xb4"), "a-_.~Z9%20%2F%2B%3D%25%E1%88%B4");
  EXPECT_EQ(percent_decode("%E1%88%B4+%zz%4"), "\xe1\x88\xb4+%zz%4");
}

TEST(SigV4, NormalizesDotSegmentsAndDuplicateSlashes) {
  EXPECT_EQ(normalize_path(""), "/");
  EXPECT_EQ(normalize_path("//a//b/"), "/a/b/");
  EXPECT_EQ(normalize_path("/a/b/.."), "/a/");
  EXPECT_EQ(normalize_path("/../../a"), "/a");
  EXPECT_EQ(normalize_path("/a/./b"), "/a/b");
}

TEST(SigV4, Sha256AndHmacMatchKnownValues) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // RFC 4231 test case 2.
  EXPECT_EQ(hex_lower(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace lunora::aws
