#include "aws/secrets_manager.hpp"

namespace lunora::aws {
namespace {

// Built outside the coroutine: GCC 12 mishandles braced JSON initializers in coroutine bodies.
AwsRequest get_secret_value_request(const std::string& secret_id) {
  nlohmann::json body = nlohmann::json::object();
  body["SecretId"] = secret_id;
  AwsRequest request = json_rpc_request("secretsmanager", "GetSecretValue", body);
  // Secrets Manager speaks awsJson 1.1 (DynamoDB, the other JSON RPC service here, 1.0).
  for (auto& [name, value] : request.headers) {
    if (name == "Content-Type") value = "application/x-amz-json-1.1";
  }
  return request;
}

}  // namespace

boost::asio::awaitable<Result<std::string>> get_secret_string(const AwsClient& client,
                                                              std::string secret_id) {
  AwsOutcome outcome = co_await client.send(get_secret_value_request(secret_id));
  if (!outcome) co_return outcome.error().to_error().wrap("reading the secret " + secret_id);
  const nlohmann::json& body = outcome->body;
  if (!body.is_object() || !body.contains("SecretString") || !body["SecretString"].is_string()) {
    co_return Error(ErrorCode::kParse,
                    "the secret " + secret_id + " holds no SecretString (a binary secret?)");
  }
  co_return body["SecretString"].get<std::string>();
}

}  // namespace lunora::aws
