// What the AWS configuration chain reads from the outside world: environment variables and files. Injected so
// that tests never see the real environment or home directory (STYLE.md 11: no mutable globals).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace lunora::aws {

struct Environment {
  // The value of a variable, or nullopt when unset.
  std::function<std::optional<std::string>(const std::string& name)> variable;
  // A file's contents, nullopt when it does not exist, an error when it exists but cannot be read.
  std::function<Result<std::optional<std::string>>(const std::string& path)> read_file;

  // The process environment (getenv) and the real file system. Only src/app/ should call this.
  static Environment system();

  // A variable that is set and not empty: the SDKs treat AWS_REGION= like an unset AWS_REGION.
  std::optional<std::string> non_empty(const std::string& name) const;
};

}  // namespace lunora::aws
