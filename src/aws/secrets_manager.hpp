// AWS Secrets Manager's GetSecretValue (awsJson 1.1): where `lunora lambda` reads its admin token and its
// secret key, so that neither is a plain setting of the function (README "On AWS Lambda").
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "aws/aws_client.hpp"
#include "core/result.hpp"

namespace lunora::aws {

// The secret's SecretString (current version). An error in AWS's words, naming the secret; a secret that
// holds binary only is an error too.
boost::asio::awaitable<Result<std::string>> get_secret_string(const AwsClient& client, std::string secret_id);

}  // namespace lunora::aws
