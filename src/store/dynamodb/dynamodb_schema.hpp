// The table Lunora needs: partition key `pk` and sort key `sk`, both strings, on-demand billing when Lunora
// creates it. Checked (and created on request) when the store opens.
#pragma once

#include "core/result.hpp"
#include "store/dynamodb/dynamodb_store.hpp"
#include "store/dynamodb/dynamodb_table.hpp"

namespace lunora::store::dynamodb {

// Waits until the table is ACTIVE. A missing table without `create_table` is kNotFound naming
// --create-table; a table with another key schema is kInvalidArgument; AWS's refusals (credentials,
// permissions) come back with AWS's code and message.
Status prepare_table(DynamoDbTable& table, const DynamoDbStoreOptions& options);

}  // namespace lunora::store::dynamodb
