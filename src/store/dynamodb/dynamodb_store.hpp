// The Store on one DynamoDB table, shared by every Lunora node that names it (`--store dynamodb:TABLE`).
//
// DynamoDB writes one item atomically; a Change touches several (records and their events), and dynalite, the
// DynamoDB the tests run against, has no transactions. So a Change is committed by ONE conditional write: the
// "head" item, which holds the latest Change and its sequence number, is replaced only while it still holds
// the number the writer read. A lost race (another node committed first) is retried after reading again;
// versions are checked against records that reflect every earlier Change. Then the records and events are
// written from the head ("applied"). A writer first applies the head if its writer stopped before doing so,
// so no Change is ever lost or half-visible for longer than until the next commit. Applying is idempotent: a
// record keeps the sequence number of the Change that wrote it and is written only by a newer one; a deleted
// record leaves a small tombstone carrying that number.
//
// Uses only GetItem, PutItem, DeleteItem, Query, BatchWriteItem and DescribeTable (+ CreateTable with
// `create_table`), which is what the README's IAM policy grants.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "aws/aws_client.hpp"
#include "store/store.hpp"

namespace lunora::store {

struct DynamoDbStoreOptions {
  std::string table;
  // Create the table (on-demand billing) when it does not exist; otherwise a missing table is an error.
  bool create_table = false;
  // How long to wait for a created table to become ACTIVE.
  std::chrono::milliseconds create_wait{60000};
};

// Checks the table (it exists, ACTIVE, key schema pk/sk strings) and finishes a change a previous writer
// left half-applied. Errors say what to do: a missing table names --create-table, refused credentials name
// the variables the credentials came from.
Result<std::unique_ptr<Store>> open_dynamodb_store(std::unique_ptr<aws::AwsClient> client,
                                                   const DynamoDbStoreOptions& options);

}  // namespace lunora::store
