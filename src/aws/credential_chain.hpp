// Credentials resolved in the order every AWS SDK uses: the environment, then the shared credentials and
// config files of a profile. (Container, instance-metadata, SSO and role profiles are not supported.)
#pragma once

#include "aws/credentials.hpp"
#include "aws/environment.hpp"
#include "core/result.hpp"

namespace lunora::aws {

// Environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN first, then the profile
// AWS_PROFILE (or "default") from the shared credentials file, then from the shared config file.
Result<Credentials> resolve_credentials(const Environment& env);

}  // namespace lunora::aws
