// The shared AWS files of one profile: ~/.aws/credentials ([name] sections) and ~/.aws/config ([profile name]
// sections, [default]), located through AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE and HOME.
#pragma once

#include <optional>
#include <string>

#include "aws/environment.hpp"
#include "aws/ini_file.hpp"
#include "core/result.hpp"

namespace lunora::aws {

class SharedConfig {
 public:
  // Reads both files; a missing file is an empty one, an unreadable or malformed one is an error.
  static Result<SharedConfig> load(const Environment& env);

  const std::string& profile() const { return profile_; }
  // True when AWS_PROFILE chose the profile, so that a missing one is an error rather than "no profile".
  bool profile_is_explicit() const { return profile_is_explicit_; }
  const std::string& credentials_path() const { return credentials_path_; }
  const std::string& config_path() const { return config_path_; }

  // The profile's section in each file, or nullptr.
  const IniSection* credentials_section() const;
  const IniSection* config_section() const;

 private:
  std::string profile_;
  bool profile_is_explicit_ = false;
  std::string credentials_path_;
  std::string config_path_;
  IniFile credentials_;
  IniFile config_;
};

// A property of a section, nullopt when the section or the property is missing.
std::optional<std::string> property(const IniSection* section, const std::string& name);

}  // namespace lunora::aws
