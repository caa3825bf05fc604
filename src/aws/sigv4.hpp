// AWS Signature Version 4 for the Authorization header (not presigned URLs), exactly as the AWS SigV4 test
// suite checks it (tests/unit/aws/testdata/sigv4/). Pure: the time comes in as a parameter.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/credentials.hpp"
#include "core/result.hpp"

namespace lunora::aws {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct RequestToSign {
  std::string method;
  // The host (and ":port" when not the scheme's default). Signed as the Host header unless `headers` has one.
  std::string host;
  // The path as it goes on the wire, after the caller's own percent-encoding; without the query.
  std::string path = "/";
  // Decoded names and values, in any order; the signer encodes and sorts them.
  std::vector<std::pair<std::string, std::string>> query;
  // Every header here is signed. X-Amz-Date, X-Amz-Security-Token, X-Amz-Content-Sha256 and Authorization
  // are the signer's and may not be given.
  HeaderList headers;
  std::string body;
  // The lowercase hex SHA-256 of the body (or "UNSIGNED-PAYLOAD") when the caller has it; else `body` is
  // hashed.
  std::optional<std::string> payload_hash;
};

struct SigningParams {
  Credentials credentials;
  std::string region;
  std::string service;  // the signing name: "dynamodb", "medialive", "s3"
  std::chrono::system_clock::time_point time;
  // S3 signs the path as sent; every other service signs it normalized and encoded once more (the SigV4
  // "double encoding": the wire path's '%' becomes "%25").
  bool normalize_path = true;
  bool encode_path = true;
  // S3 requires an x-amz-content-sha256 header; other services accept it.
  bool add_content_sha256_header = false;
  // A few services want the session token added after signing, outside the signed headers.
  bool sign_session_token = true;
};

struct SignedRequest {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lowercase hex
  std::string authorization;
  // The headers to add to the request as sent, in the test suite's order: X-Amz-Security-Token (when there is
  // a token), X-Amz-Date, x-amz-content-sha256 (when asked), Authorization.
  HeaderList headers_to_add;
};

// "20150830T123600Z"
std::string amz_date(std::chrono::system_clock::time_point time);

Result<SignedRequest> sign_request(const RequestToSign& request, const SigningParams& params);

}  // namespace lunora::aws
