#include "aws/credential_chain.hpp"

#include "aws/shared_config.hpp"

namespace lunora::aws {

namespace {

constexpr std::string_view kNoCredentials =
    "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE";

Error config_error(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

std::optional<Result<Credentials>> from_environment(const Environment& env) {
  const std::optional<std::string> id = env.non_empty("AWS_ACCESS_KEY_ID");
  const std::optional<std::string> secret = env.non_empty("AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) return std::nullopt;
  if (!id) return config_error("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  if (!secret) return config_error("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  return Credentials{*id, *secret, env.non_empty("AWS_SESSION_TOKEN").value_or(""), "environment"};
}

// The keys of one file's section of the profile, when it has any.
std::optional<Result<Credentials>> from_section(const IniSection* section, const std::string& profile,
                                                const std::string& path) {
  const std::optional<std::string> id = property(section, "aws_access_key_id");
  const std::optional<std::string> secret = property(section, "aws_secret_access_key");
  if (!id && !secret) return std::nullopt;
  const std::string where = "profile " + profile + " in " + path;
  if (!id || id->empty()) return config_error(where + " has aws_secret_access_key but no aws_access_key_id");
  if (!secret || secret->empty()) {
    return config_error(where + " has aws_access_key_id but no aws_secret_access_key");
  }
  return Credentials{*id, *secret, property(section, "aws_session_token").value_or(""), where};
}

}  // namespace

Result<Credentials> resolve_credentials(const Environment& env) {
  if (std::optional<Result<Credentials>> found = from_environment(env)) return std::move(*found);

  Result<SharedConfig> shared = SharedConfig::load(env);
  if (!shared) return shared.error().wrap("AWS credentials");
  const SharedConfig& files = shared.value();
  const IniSection* credentials = files.credentials_section();
  const IniSection* config = files.config_section();
  if (auto found = from_section(credentials, files.profile(), files.credentials_path())) {
    return std::move(*found);
  }
  if (auto found = from_section(config, files.profile(), files.config_path())) return std::move(*found);

  if (credentials == nullptr && config == nullptr) {
    if (!files.profile_is_explicit()) return config_error(std::string(kNoCredentials));
    return config_error("profile " + files.profile() + " not found in " + files.credentials_path() + " or " +
                        files.config_path());
  }
  // Role, SSO and credential_process profiles need STS or other services this client does not speak.
  return config_error(
      "profile " + files.profile() +
      " has no aws_access_key_id/aws_secret_access_key (role_arn, sso_* and credential_process "
      "profiles are not supported; export keys with `aws configure export-credentials`)");
}

}  // namespace lunora::aws
