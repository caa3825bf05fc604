// A set of AWS credentials, with where it came from; credential_chain.hpp finds one.
#pragma once

#include <string>

namespace lunora::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  std::string source;         // "environment", "profile default in /home/u/.aws/credentials"

  // For logs and errors: the access key id's last four characters and the source, never the secret or token.
  std::string redacted_description() const;
};

}  // namespace lunora::aws
