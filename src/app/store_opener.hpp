// Opens the store `lunora serve --store` names: SQLite in the data directory, or a DynamoDB table reached
// with the AWS configuration every SDK reads (AWS_REGION, credentials, AWS_ENDPOINT_URL_DYNAMODB, profiles).
#pragma once

#include <memory>

#include "app/serve_settings.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace lunora::app {

Result<std::unique_ptr<store::Store>> open_store(const ServeSettings& settings);

}  // namespace lunora::app
