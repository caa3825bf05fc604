#include "aws/environment.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace lunora::aws {
namespace {

// The one test of the real environment: a missing file is "no file", an existing one is read whole.
TEST(AwsEnvironment, SystemReadsFilesAndTellsMissingOnes) {
  const Environment env = Environment::system();
  const Result<std::optional<std::string>> missing = env.read_file("/nonexistent/lunora/aws/credentials");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  const std::string path = ::testing::TempDir() + "lunora_aws_environment_test.ini";
  std::ofstream(path) << "[default]\nregion = eu-west-1\n";
  const Result<std::optional<std::string>> present = env.read_file(path);
  std::remove(path.c_str());
  ASSERT_TRUE(present.ok());
  EXPECT_EQ(present->value_or(""), "[default]\nregion = eu-west-1\n");
}

}  // namespace
}  // namespace lunora::aws
