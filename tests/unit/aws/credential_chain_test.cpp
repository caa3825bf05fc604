#include "aws/credential_chain.hpp"

#include <gtest/gtest.h>

#include "support/fake_aws_environment.hpp"

namespace lunora::aws {
namespace {

constexpr const char* kCredentialsPath = "/home/test/.aws/credentials";
constexpr const char* kConfigPath = "/home/test/.aws/config";

TEST(AwsCredentials, EnvironmentComesFirst) {
  testing::FakeAwsEnvironment fake;
  fake.variables["AWS_ACCESS_KEY_ID"] = "AKIAENVIRONMENT1234";
  fake.variables["AWS_SECRET_ACCESS_KEY"] = "env-secret";
  fake.variables["AWS_SESSION_TOKEN"] = "env-token";
  fake.files[kCredentialsPath] =
      "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = file-secret\n";
  const Result<Credentials> credentials = resolve_credentials(fake.environment());
  ASSERT_TRUE(credentials.ok()) << credentials.error().message();
  EXPECT_EQ(credentials->access_key_id, "AKIAENVIRONMENT1234");
  EXPECT_EQ(credentials->secret_access_key, "env-secret");
  EXPECT_EQ(credentials->session_token, "env-token");
  EXPECT_EQ(credentials->source, "environment");
}

TEST(AwsCredentials, HalfSetEnvironmentIsAnError) {
  testing::FakeAwsEnvironment fake;
  fake.variables["AWS_ACCESS_KEY_ID"] = "AKIAENVIRONMENT1234";
  const Result<Credentials> credentials = resolve_credentials(fake.environment());
  ASSERT_FALSE(credentials.ok());
  EXPECT_EQ(credentials.error().message(), "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
}

TEST(AwsCredentials, ProfileFromTheCredentialsFile) {
  testing::FakeAwsEnvironment fake;
  fake.variables["AWS_PROFILE"] = "work";
  fake.files[kCredentialsPath] =
      "# comment\n[default]\naws_access_key_id=AKIADEFAULT\naws_secret_access_key=default-secret\n\n"
      "[work]\n  aws_access_key_id = AKIAWORK5678  \n; another comment\naws_secret_access_key = "
      "work/secret+x\n"
      "aws_session_token = work-token\n";
  const Result<Credentials> credentials = resolve_credentials(fake.environment());
  ASSERT_TRUE(credentials.ok()) << credentials.error().message();
  EXPECT_EQ(credentials->access_key_id, "AKIAWORK5678");
  EXPECT_EQ(credentials->secret_access_key, "work/secret+x");
  EXPECT_EQ(credentials->session_token, "work-token");
  EXPECT_EQ(credentials->source, std::string("profile work in ") + kCredentialsPath);
}

TEST(AwsCredentials, ProfileFromTheConfigFileAndOverriddenPaths) {
  testing::FakeAwsEnvironment fake;
  fake.variables["AWS_PROFILE"] = "dev";
  fake.variables["AWS_SHARED_CREDENTIALS_FILE"] = "/etc/lunora/aws-credentials";
  fake.variables["AWS_CONFIG_FILE"] = "~/custom-config";
  // [dev] in a config file is not the dev profile: only [profile dev] is.
  fake.files["/home/test/custom-config"] =
      "[dev]\naws_access_key_id = AKIAWRONG\naws_secret_access_key = wrong\n"
      "[profile dev]\naws_access_key_id = AKIACONFIG999\naws_secret_access_key = config-secret\n";
  fake.files[kCredentialsPath] = "[dev]\naws_access_key_id = AKIAIGNORED\naws_secret_access_key = ignored\n";
  const Result<Credentials> credentials = resolve_credentials(fake.environment());
  ASSERT_TRUE(credentials.ok()) << credentials.error().message();
  EXPECT_EQ(credentials->access_key_id, "AKIACONFIG999");
  EXPECT_EQ(credentials->source, "profile dev in /home/test/custom-config");
}

TEST(AwsCredentials, NothingConfiguredSaysWhatToSet) {
  testing::FakeAwsEnvironment fake;
  const Result<Credentials> credentials = resolve_credentials(fake.environment());
  ASSERT_FALSE(credentials.ok());
  EXPECT_EQ(credentials.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(credentials.error().message(),
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE");
}

TEST(AwsCredentials, MissingExplicitProfileNamesTheFiles) {
  testing::FakeAwsEnvironment fake;
  fake.variables["AWS_PROFILE"] = "prod";
  fake.files[kCredentialsPath] = "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s\n";
  const Result<Credentials> credentials = resolve_credentials(fake.environment());
  ASSERT_FALSE(credentials.ok());
  EXPECT_EQ(credentials.error().message(),
            std::string("profile prod not found in ") + kCredentialsPath + " or " + kConfigPath);
}

TEST(AwsCredentials, ProfileWithoutKeysIsExplained) {
  testing::FakeAwsEnvironment fake;
  fake.files[kConfigPath] = "[default]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = base\n";
  const Result<Credentials> credentials = resolve_credentials(fake.environment());
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.error().message().find("profile default has no aws_access_key_id"),
            std::string::npos);
}

TEST(AwsCredentials, ProfileWithoutSecretIsAnError) {
  testing::FakeAwsEnvironment fake;
  fake.files[kCredentialsPath] = "[default]\naws_access_key_id = AKIADEFAULT\n";
  const Result<Credentials> credentials = resolve_credentials(fake.environment());
  ASSERT_FALSE(credentials.ok());
  EXPECT_EQ(credentials.error().message(), std::string("profile default in ") + kCredentialsPath +
                                               " has aws_access_key_id but no aws_secret_access_key");
}

TEST(AwsCredentials, MalformedIniNamesFileAndLine) {
  testing::FakeAwsEnvironment fake;
  fake.files[kCredentialsPath] = "[default]\naws_access_key_id = AKIADEFAULT\nthis line has no equals sign\n";
  const Result<Credentials> credentials = resolve_credentials(fake.environment());
  ASSERT_FALSE(credentials.ok());
  EXPECT_EQ(credentials.error().code(), ErrorCode::kParse);
  EXPECT_EQ(credentials.error().message(), std::string("AWS credentials: malformed INI line 3 of ") +
                                               kCredentialsPath + ": expected [section] or name = value");
}

TEST(AwsCredentials, UnreadableFileIsAnError) {
  testing::FakeAwsEnvironment fake;
  fake.files[kCredentialsPath] = "unreadable:";
  const Result<Credentials> credentials = resolve_credentials(fake.environment());
  ASSERT_FALSE(credentials.ok());
  EXPECT_EQ(credentials.error().code(), ErrorCode::kIo);
}

TEST(AwsCredentials, RedactedDescriptionShowsNoSecret) {
  const Credentials credentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                "token-abc", "environment"};
  const std::string description = credentials.redacted_description();
  EXPECT_EQ(description, "access key …MPLE with a session token from environment");
  EXPECT_EQ(description.find("AKIAIOSFODNN7"), std::string::npos);
  EXPECT_EQ(description.find("wJalr"), std::string::npos);
  EXPECT_EQ(description.find("token-abc"), std::string::npos);
}

}  // namespace
}  // namespace lunora::aws
