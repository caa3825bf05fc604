// An aws::Environment over in-memory variables and files, so that the AWS configuration tests never read the
// real environment or home directory.
#pragma once

#include <map>
#include <string>

#include "aws/environment.hpp"

namespace lunora::testing {

struct FakeAwsEnvironment {
  std::map<std::string, std::string> variables{{"HOME", "/home/test"}};
  std::map<std::string, std::string> files;  // path -> contents; "unreadable:" contents fail to read

  // The Environment reads this object live: later changes show, and the fake must outlive it.
  aws::Environment environment() const {
    aws::Environment env;
    env.variable = [this](const std::string& name) -> std::optional<std::string> {
      const auto it = variables.find(name);
      if (it == variables.end()) return std::nullopt;
      return it->second;
    };
    env.read_file = [this](const std::string& path) -> Result<std::optional<std::string>> {
      const auto it = files.find(path);
      if (it == files.end()) return std::optional<std::string>();
      if (it->second == "unreadable:")
        return Error(ErrorCode::kIo, "cannot read " + path + ": Permission denied");
      return std::optional<std::string>(it->second);
    };
    return env;
  }
};

}  // namespace lunora::testing
