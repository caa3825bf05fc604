#include "app/aws_setup.hpp"

#include "aws/aws_config.hpp"
#include "aws/credential_chain.hpp"
#include "aws/environment.hpp"

namespace lunora::app {

Result<AwsSetup> aws_setup(std::string_view service_id, std::string_view prefix) {
  const aws::Environment env = aws::Environment::system();
  auto region = aws::resolve_region(env);
  if (!region) return region.error();
  auto credentials = aws::resolve_credentials(env);
  if (!credentials) return credentials.error();
  AwsSetup setup;
  setup.options.endpoint = aws::resolve_endpoint(env, service_id, prefix, *region);
  setup.options.region = *region;
  setup.options.signing_name = std::string(prefix);
  setup.options.credentials = *credentials;
  setup.credentials_description = credentials->redacted_description();
  return setup;
}

}  // namespace lunora::app
