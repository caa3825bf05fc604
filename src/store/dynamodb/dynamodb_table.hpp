// One DynamoDB table, called synchronously: the Store interface is synchronous and runs on the control thread
// (DESIGN.md "Threads": the store has a thread of its own, never an I/O thread), so each call runs the
// AwsClient's coroutine to its end on a private io_context. The AwsClient's deadline bounds every call.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aws/aws_client.hpp"

namespace lunora::store::dynamodb {

using Item = nlohmann::json;  // {"name": {"S": "..."}, ...}: DynamoDB's JSON form of an item

// Every item of the table has this key: the partition names a kind of record ("channel", "destination",
// "log", "event", "setting"), the sort key the record.
struct ItemKey {
  std::string pk;
  std::string sk;
};

class DynamoDbTable {
 public:
  DynamoDbTable(std::unique_ptr<aws::AwsClient> client, std::string name);
  ~DynamoDbTable();
  DynamoDbTable(const DynamoDbTable&) = delete;
  DynamoDbTable& operator=(const DynamoDbTable&) = delete;

  const std::string& name() const { return name_; }
  const aws::AwsClient& client() const { return *client_; }

  // Any operation on this table: the table name is added to the body.
  aws::AwsOutcome call(const char* operation, nlohmann::json body);
  // An operation whose body names its tables itself (BatchWriteItem).
  aws::AwsOutcome send(const char* operation, const nlohmann::json& body);

  // Strongly consistent: a node reads what any node wrote before.
  Result<std::optional<Item>> get(const ItemKey& key);
  // `condition` empty: unconditional. A failed condition is an error with code kConflict. `names` maps
  // #placeholders to attribute names that are reserved words ("owner").
  Status put(const Item& item, const std::string& condition = {}, const nlohmann::json& values = nullptr,
             const nlohmann::json& names = nullptr);
  // Deletes one item; with `condition` a failed condition is kConflict.
  Status remove(const ItemKey& key, const std::string& condition = {}, const nlohmann::json& values = nullptr,
                const nlohmann::json& names = nullptr);
  // Every item of a partition, in sort key order (reverse when `forward` is false), following the pages;
  // `sk_condition` narrows it ("sk > :after" with `values`), `limit` 0 = all.
  Result<std::vector<Item>> query(const std::string& pk, const std::string& sk_condition = {},
                                  const nlohmann::json& values = nullptr, size_t limit = 0,
                                  bool forward = true);
  // Deletes in batches of 25, trying again what DynamoDB left unprocessed.
  Status delete_all(const std::vector<ItemKey>& keys);

 private:
  // Runs one call at a time to its end; only the thread calling the store uses it. Declared first: the
  // connections below belong to it and must close before it goes.
  boost::asio::io_context io_;
  std::unique_ptr<aws::AwsClient> client_;
  std::string name_;
  // Keep-alive connections to DynamoDB: a store call is several requests in a row.
  std::unique_ptr<aws::HttpConnectionPool> connections_;
};

// Attribute values.
nlohmann::json key_json(const ItemKey& key);
ItemKey key_of(const Item& item);

}  // namespace lunora::store::dynamodb
