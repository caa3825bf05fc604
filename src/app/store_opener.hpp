// Opens the store `lunora serve --store` names: SQLite in the data directory, or a DynamoDB table reached
// with the AWS configuration every SDK reads (AWS_REGION, credentials, AWS_ENDPOINT_URL_DYNAMODB, profiles).
#pragma once

#include <memory>

#include "app/serve_settings.hpp"
#include "control/secret_box.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace lunora::app {

Result<std::unique_ptr<store::Store>> open_store(const ServeSettings& settings);

// A value sealed under the key on first start: a node started later with another key (a lost secret.key, a
// second node on the same DynamoDB table without the same LUNORA_SECRET_KEY) stops here, instead of failing
// to open every stream key later.
Status check_secret_key(store::Store& store, const control::SecretBox& secrets,
                        const ServeSettings& settings);

}  // namespace lunora::app
