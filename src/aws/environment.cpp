#include "aws/environment.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lunora::aws {

Environment Environment::system() {
  Environment env;
  env.variable = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): read-only use
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  env.read_file = [](const std::string& path) -> Result<std::optional<std::string>> {
    std::error_code ignored;
    if (!std::filesystem::exists(path, ignored)) return std::optional<std::string>();
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error(ErrorCode::kIo, "cannot read " + path + ": " + std::strerror(errno));
    std::ostringstream contents;
    contents << in.rdbuf();
    return std::optional<std::string>(contents.str());
  };
  return env;
}

std::optional<std::string> Environment::non_empty(const std::string& name) const {
  std::optional<std::string> value = variable(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

}  // namespace lunora::aws
