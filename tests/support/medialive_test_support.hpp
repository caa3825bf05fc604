// What every test against the fake MediaLive starts from (tests/services/medialive_*_test.cpp): the client
// options for the fake named in LUNORA_TEST_MEDIALIVE_URL (started by
// tests/integration/test_aws_medialive.py) and the body of a minimal SRT_CALLER input.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "aws/aws_client.hpp"
#include "aws/medialive/medialive_client.hpp"
#include "support/aws_client_test_support.hpp"

namespace lunora::testing {

// nullopt (and a test failure) when no fake is named.
inline std::optional<aws::AwsClientOptions> medialive_test_options() {
  const char* url = std::getenv("LUNORA_TEST_MEDIALIVE_URL");
  if (url == nullptr || *url == '\0') {
    ADD_FAILURE() << "LUNORA_TEST_MEDIALIVE_URL must name a running fake MediaLive";
    return std::nullopt;
  }
  aws::AwsClientOptions options = test_client_options(url);
  options.signing_name = "medialive";
  return options;
}

// A test with a MediaLive client of the fake (its own AwsClient, made in SetUp()).
class MediaLiveClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto options = medialive_test_options();
    ASSERT_TRUE(options.has_value());
    auto created = aws::AwsClient::create(*options);
    ASSERT_TRUE(created.ok()) << created.error().message();
    client_ = std::move(created).value();
    medialive_.emplace(*client_);
  }

  std::unique_ptr<aws::AwsClient> client_;
  std::optional<aws::MediaLiveClient> medialive_;
};

inline nlohmann::json srt_input_body() {
  return {{"name", "lunora-srt"},
          {"type", "SRT_CALLER"},
          {"srtSettings",
           {{"srtCallerSources", nlohmann::json::array({{{"srtListenerAddress", "127.0.0.1"},
                                                         {"srtListenerPort", "9000"},
                                                         {"streamId", "lunora"},
                                                         {"minimumLatency", 120}}})}}}};
}

}  // namespace lunora::testing
