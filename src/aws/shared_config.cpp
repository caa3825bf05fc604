#include "aws/shared_config.hpp"

namespace lunora::aws {

namespace {

// "~/x" and a default under ~/.aws, expanded with HOME as the SDKs do.
std::string file_path(const Environment& env, const std::string& variable, const std::string& default_name) {
  std::string path = env.non_empty(variable).value_or("~/.aws/" + default_name);
  if (path.rfind("~/", 0) == 0) path = env.non_empty("HOME").value_or("") + path.substr(1);
  return path;
}

Result<IniFile> read_ini(const Environment& env, const std::string& path) {
  Result<std::optional<std::string>> text = env.read_file(path);
  if (!text) return text.error();
  if (!text.value()) return IniFile{};
  return parse_ini(**text, path);
}

}  // namespace

Result<SharedConfig> SharedConfig::load(const Environment& env) {
  SharedConfig config;
  const std::optional<std::string> profile = env.non_empty("AWS_PROFILE");
  config.profile_ = profile.value_or("default");
  config.profile_is_explicit_ = profile.has_value();
  config.credentials_path_ = file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  config.config_path_ = file_path(env, "AWS_CONFIG_FILE", "config");

  Result<IniFile> credentials = read_ini(env, config.credentials_path_);
  if (!credentials) return credentials.error();
  config.credentials_ = std::move(credentials.value());
  Result<IniFile> config_file = read_ini(env, config.config_path_);
  if (!config_file) return config_file.error();
  config.config_ = std::move(config_file.value());
  return config;
}

const IniSection* SharedConfig::credentials_section() const {
  return credentials_.section(profile_);
}

const IniSection* SharedConfig::config_section() const {
  // The config file prefixes every profile but the default with "profile "; "[profile default]" also works.
  if (const IniSection* section = config_.section("profile " + profile_)) return section;
  return profile_ == "default" ? config_.section("default") : nullptr;
}

std::optional<std::string> property(const IniSection* section, const std::string& name) {
  if (section == nullptr) return std::nullopt;
  const auto it = section->find(name);
  if (it == section->end()) return std::nullopt;
  return it->second;
}

}  // namespace lunora::aws
