// Every case of AWS's SigV4 test suite (testdata/sigv4/, see its README): canonical request, string to sign,
// signature and the signed request, each asserted byte for byte. Only header signing is covered; the suite's
// presigned-URL (query-*) files are a different feature and were not copied.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "aws/sigv4.hpp"
#include "aws/uri_encoding.hpp"

namespace lunora::aws {
namespace {

const std::filesystem::path kVectorsDir = std::filesystem::path(LUNORA_TESTDATA_DIR) / "aws/testdata/sigv4";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kVectorsDir)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// request.txt as the suite writes it: the head (request line and headers, as they were) and, after a blank
// line, the body. A request without a body has no blank line.
struct RawRequest {
  std::string head;
  RequestToSign request;
};

RawRequest parse_request(const std::string& text) {
  RawRequest raw;
  const size_t blank = text.find("\n\n");
  if (blank == std::string::npos) {
    raw.head = text.substr(0, text.size() - (text.ends_with('\n') ? 1 : 0));
  } else {
    raw.head = text.substr(0, blank);
    raw.request.body = text.substr(blank + 2);
  }
  std::istringstream lines(raw.head);
  std::string line;
  std::getline(lines, line);
  // "GET /example space/?a=b HTTP/1.1": the target may hold raw spaces, so cut at the first and last space.
  const size_t first_space = line.find(' ');
  const size_t last_space = line.rfind(' ');
  raw.request.method = line.substr(0, first_space);
  const std::string target = line.substr(first_space + 1, last_space - first_space - 1);
  const size_t question = target.find('?');
  raw.request.path = target.substr(0, question);
  if (question != std::string::npos) {
    std::istringstream params(target.substr(question + 1));
    std::string param;
    while (std::getline(params, param, '&')) {
      const size_t equals = param.find('=');
      raw.request.query.emplace_back(
          percent_decode(param.substr(0, equals)),
          equals == std::string::npos ? "" : percent_decode(param.substr(equals + 1)));
    }
  }
  while (std::getline(lines, line)) {
    if (line.starts_with(' ') || line.starts_with('\t')) {  // an obsolete folded continuation line
      raw.request.headers.back().second += "\n" + line;
      continue;
    }
    const size_t colon = line.find(':');
    raw.request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return raw;
}

std::chrono::system_clock::time_point parse_timestamp(const std::string& text) {
  std::tm utc{};
  std::istringstream in(text);
  in >> std::get_time(&utc, "%Y-%m-%dT%H:%M:%SZ");
  return std::chrono::system_clock::from_time_t(timegm(&utc));
}

SigningParams parse_context(const std::string& text) {
  const nlohmann::json context = nlohmann::json::parse(text);
  const nlohmann::json& credentials = context.at("credentials");
  SigningParams params;
  params.credentials.access_key_id = credentials.at("access_key_id");
  params.credentials.secret_access_key = credentials.at("secret_access_key");
  params.credentials.session_token = credentials.value("token", "");
  params.region = context.at("region");
  params.service = context.at("service");
  params.time = parse_timestamp(context.at("timestamp"));
  params.normalize_path = context.at("normalize");
  params.add_content_sha256_header = context.at("sign_body");
  params.sign_session_token = !context.value("omit_session_token", false);
  return params;
}

class SigV4Vectors : public testing::TestWithParam<std::string> {
 protected:
  std::string file(const std::string& name) const { return read_file(kVectorsDir / GetParam() / name); }
};

TEST_P(SigV4Vectors, MatchesTheSuite) {
  const RawRequest raw = parse_request(file("request.txt"));
  const Result<SignedRequest> signed_request = sign_request(raw.request, parse_context(file("context.json")));
  ASSERT_TRUE(signed_request.ok()) << signed_request.error().message();

  EXPECT_EQ(signed_request->canonical_request, file("header-canonical-request.txt"));
  EXPECT_EQ(signed_request->string_to_sign, file("header-string-to-sign.txt"));
  EXPECT_EQ(signed_request->signature, file("header-signature.txt"));

  // The signed request: the original head, the signer's headers in order, a blank line, the body.
  std::string rebuilt = raw.head + "\n";
  for (const auto& [name, value] : signed_request->headers_to_add) rebuilt += name + ":" + value + "\n";
  rebuilt += "\n" + raw.request.body;
  EXPECT_EQ(rebuilt, file("header-signed-request.txt"));
}

std::string test_name(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Aws, SigV4Vectors, testing::ValuesIn(case_names()), test_name);

// A lost or half-copied testdata folder must fail, not shrink the suite silently.
TEST(SigV4Vectors, AllThirtyEightCasesArePresent) {
  EXPECT_EQ(case_names().size(), 38u);
}

}  // namespace
}  // namespace lunora::aws
