#include "app/store_opener.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <string_view>

#include "app/aws_setup.hpp"
#include "aws/aws_client.hpp"
#include "store/dynamodb/dynamodb_store.hpp"

namespace lunora::app {
namespace {

constexpr std::string_view kDynamoDbPrefix = "dynamodb:";

Result<std::unique_ptr<store::Store>> open_dynamodb(const ServeSettings& settings, const std::string& table) {
  auto setup = aws_setup("DynamoDB", "dynamodb");
  if (!setup) return setup.error().wrap("--store " + settings.store);
  aws::AwsClientOptions& options = setup->options;
  // Store calls run on the control thread and a node's heartbeat is one of them: a store that does not
  // answer must not hold the node for the SDK's 30 s, which would let its heartbeat lapse unnoticed.
  const std::chrono::milliseconds lease(settings.lease_ms);
  options.attempt_timeout = std::clamp(lease / 4, std::chrono::milliseconds(2000), options.attempt_timeout);
  options.deadline = std::clamp(lease / 2, std::chrono::milliseconds(4000), options.deadline);
  auto client = aws::AwsClient::create(options);
  if (!client) return client.error().wrap("--store " + settings.store);
  spdlog::info("event=store_opening store=dynamodb table={} region={} endpoint={} credentials=\"{}\"", table,
               options.region, options.endpoint, setup->credentials_description);
  auto store =
      store::open_dynamodb_store(std::move(*client), {.table = table, .create_table = settings.create_table});
  // AWS's own words stay in the message; where the credentials came from helps with a refusal.
  if (!store) {
    return Error(store.error().code(),
                 store.error().message() + " (credentials: " + setup->credentials_description + ")");
  }
  return store;
}

constexpr const char* kSecretKeyCheckSetting = "secret_key_check";
constexpr const char* kSecretKeyCheckText = "lunora secret key check";

}  // namespace

Status check_secret_key(store::Store& store, const control::SecretBox& secrets,
                        const ServeSettings& settings) {
  auto stored = store.get_setting(kSecretKeyCheckSetting);
  if (!stored) return stored.error();
  if (!*stored) return store.put_setting(kSecretKeyCheckSetting, secrets.seal(kSecretKeyCheckText));
  if (auto opened = secrets.open(**stored); opened && *opened == kSecretKeyCheckText) return ok_status();
  const std::string key_source =
      settings.secret_key.empty() ? settings.data_dir + "/secret.key" : std::string("LUNORA_SECRET_KEY");
  return Error(ErrorCode::kConflict,
               "the store's secrets were sealed with another secret key than " + key_source +
                   ": start with the key the store was first used with (every node sharing a store needs the "
                   "same LUNORA_SECRET_KEY)");
}

Result<std::unique_ptr<store::Store>> open_store(const ServeSettings& settings) {
  if (settings.store.starts_with(kDynamoDbPrefix)) {
    return open_dynamodb(settings, settings.store.substr(kDynamoDbPrefix.size()));
  }
  return store::open_sqlite_store(settings.data_dir + "/lunora.db");
}

}  // namespace lunora::app
