#include "aws/aws_config.hpp"

#include <gtest/gtest.h>

#include "aws/ini_file.hpp"
#include "support/fake_aws_environment.hpp"

namespace lunora::aws {
namespace {

constexpr const char* kConfigPath = "/home/test/.aws/config";

TEST(AwsConfig, RegionFromAwsRegionThenAwsDefaultRegion) {
  testing::FakeAwsEnvironment fake;
  fake.variables["AWS_DEFAULT_REGION"] = "eu-west-1";
  fake.files[kConfigPath] = "[default]\nregion = ap-south-1\n";
  EXPECT_EQ(resolve_region(fake.environment()).value(), "eu-west-1");
  fake.variables["AWS_REGION"] = "us-west-2";
  EXPECT_EQ(resolve_region(fake.environment()).value(), "us-west-2");
}

TEST(AwsConfig, RegionFromTheProfileInTheConfigFile) {
  testing::FakeAwsEnvironment fake;
  fake.variables["AWS_PROFILE"] = "eu";
  fake.variables["AWS_REGION"] = "";  // empty counts as unset, as in the SDKs
  fake.files[kConfigPath] = "[default]\nregion = us-east-1\n\n[profile eu]\nregion = eu-central-1\n";
  EXPECT_EQ(resolve_region(fake.environment()).value(), "eu-central-1");
  fake.variables.erase("AWS_PROFILE");
  EXPECT_EQ(resolve_region(fake.environment()).value(), "us-east-1");
}

TEST(AwsConfig, MissingRegionSaysWhereToSetIt) {
  testing::FakeAwsEnvironment fake;
  const Result<std::string> region = resolve_region(fake.environment());
  ASSERT_FALSE(region.ok());
  EXPECT_EQ(region.error().message(),
            std::string("no AWS region: set AWS_REGION, or region in profile default of ") + kConfigPath);
}

TEST(AwsConfig, DefaultEndpointFromPrefixAndRegion) {
  testing::FakeAwsEnvironment fake;
  EXPECT_EQ(resolve_endpoint(fake.environment(), "DynamoDB", "dynamodb", "eu-west-1"),
            "https://dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(resolve_endpoint(fake.environment(), "MediaLive", "medialive", "cn-north-1"),
            "https://medialive.cn-north-1.amazonaws.com.cn");
}

TEST(AwsConfig, ServiceEndpointOverrideWinsOverTheGlobalOne) {
  testing::FakeAwsEnvironment fake;
  fake.variables["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566/";
  EXPECT_EQ(resolve_endpoint(fake.environment(), "MediaLive", "medialive", "us-east-1"),
            "http://127.0.0.1:4566");
  fake.variables["AWS_ENDPOINT_URL_DYNAMODB"] = "http://127.0.0.1:8000";
  EXPECT_EQ(resolve_endpoint(fake.environment(), "DynamoDB", "dynamodb", "us-east-1"),
            "http://127.0.0.1:8000");
  EXPECT_EQ(resolve_endpoint(fake.environment(), "MediaLive", "medialive", "us-east-1"),
            "http://127.0.0.1:4566");
  fake.variables["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
  EXPECT_EQ(resolve_endpoint(fake.environment(), "DynamoDB", "dynamodb", "us-east-1"),
            "https://dynamodb.us-east-1.amazonaws.com");
}

TEST(AwsConfig, EndpointVariableSuffixUppercasesAndJoinsWithUnderscores) {
  EXPECT_EQ(endpoint_variable_suffix("DynamoDB"), "DYNAMODB");
  EXPECT_EQ(endpoint_variable_suffix("Elastic Beanstalk"), "ELASTIC_BEANSTALK");
}

TEST(AwsConfig, IniNestedPropertiesAndMalformedLines) {
  const Result<IniFile> file =
      parse_ini("[profile a]\ns3 =\n  max_concurrent_requests = 10\nregion = x\n", "f");
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(file->section("profile a")->at("s3.max_concurrent_requests"), "10");
  EXPECT_EQ(file->section("profile a")->at("region"), "x");

  EXPECT_EQ(parse_ini("region = x\n", "f").error().message(),
            "malformed INI line 1 of f: a property before any [section]");
  EXPECT_EQ(parse_ini("[a]\n\n[b\n", "f").error().message(),
            "malformed INI line 3 of f: a section header must end with ']'");
}

}  // namespace
}  // namespace lunora::aws
