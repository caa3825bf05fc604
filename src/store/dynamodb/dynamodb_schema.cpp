#include "store/dynamodb/dynamodb_schema.hpp"

#include <chrono>
#include <thread>

namespace lunora::store::dynamodb {
namespace {

using nlohmann::json;

constexpr auto kPollEvery = std::chrono::milliseconds(250);

json table_definition() {
  return {{"AttributeDefinitions",
           {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
            {{"AttributeName", "sk"}, {"AttributeType", "S"}}}},
          {"KeySchema",
           {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}, {{"AttributeName", "sk"}, {"KeyType", "RANGE"}}}},
          {"BillingMode", "PAY_PER_REQUEST"}};
}

std::string attribute_type(const json& table, const std::string& name) {
  for (const auto& definition : table.value("AttributeDefinitions", json::array())) {
    if (definition.value("AttributeName", "") == name) return definition.value("AttributeType", "");
  }
  return "";
}

// pk HASH and sk RANGE, both strings: what every item of dynamodb_store.cpp is keyed by.
Status check_key_schema(const json& table, const std::string& name) {
  const json keys = table.value("KeySchema", json::array());
  const bool fits = keys.size() == 2 && keys[0].value("AttributeName", "") == "pk" &&
                    keys[0].value("KeyType", "") == "HASH" && keys[1].value("AttributeName", "") == "sk" &&
                    keys[1].value("KeyType", "") == "RANGE" && attribute_type(table, "pk") == "S" &&
                    attribute_type(table, "sk") == "S";
  if (fits) return ok_status();
  return Error(
      ErrorCode::kInvalidArgument,
      "DynamoDB table " + name + " has the key schema " + keys.dump() +
          ": Lunora needs a table of its own keyed by pk (string, partition key) and sk (string, sort "
          "key); --create-table makes one");
}

struct Described {
  bool exists = false;
  std::string status;
  json table;
};

Result<Described> describe(DynamoDbTable& table) {
  const aws::AwsOutcome described = table.call("DescribeTable", json::object());
  if (!described) {
    if (described.error().code == "ResourceNotFoundException") return Described{};
    return described.error().to_error().wrap("DynamoDB table " + table.name() + " at " +
                                             table.client().endpoint().url());
  }
  const json& answer = described->body;
  if (!answer.is_object() || !answer.contains("Table") || !answer["Table"].is_object()) {
    return Error(ErrorCode::kParse, "DescribeTable answered without a Table");
  }
  return Described{true, answer["Table"].value("TableStatus", ""), answer["Table"]};
}

Status create(DynamoDbTable& table) {
  const aws::AwsOutcome created = table.call("CreateTable", table_definition());
  // Another node started with --create-table at the same moment: its table is as good.
  if (created || created.error().code == "ResourceInUseException") return ok_status();
  return created.error().to_error().wrap("create DynamoDB table " + table.name());
}

Status wait_until_ready(DynamoDbTable& table, const DynamoDbStoreOptions& options) {
  const auto give_up = std::chrono::steady_clock::now() + options.create_wait;
  bool created = false;
  for (;;) {
    auto described = describe(table);
    if (!described) return described.error();
    if (!described->exists) {
      if (!options.create_table) {
        return Error(ErrorCode::kNotFound,
                     "DynamoDB table " + table.name() + " does not exist at " +
                         table.client().endpoint().url() +
                         ": create it with --create-table (on-demand billing), or name an existing table");
      }
      if (!created) {
        if (auto made = create(table); !made) return made;
        created = true;
      }
    } else {
      if (auto schema = check_key_schema(described->table, table.name()); !schema) return schema;
      // UPDATING still serves reads and writes; CREATING does not yet.
      if (described->status == "ACTIVE" || described->status == "UPDATING") return ok_status();
      if (described->status != "CREATING") {
        return Error(ErrorCode::kConflict,
                     "DynamoDB table " + table.name() + " is " + described->status + ", not ACTIVE");
      }
    }
    if (std::chrono::steady_clock::now() >= give_up) {
      return Error(ErrorCode::kTimeout, "DynamoDB table " + table.name() + " did not become ACTIVE within " +
                                            std::to_string(options.create_wait.count()) + " ms");
    }
    std::this_thread::sleep_for(kPollEvery);
  }
}

}  // namespace

Status prepare_table(DynamoDbTable& table, const DynamoDbStoreOptions& options) {
  // DescribeTable's answer is read with nlohmann's accessors, which throw on a member of an unexpected type.
  try {
    return wait_until_ready(table, options);
  } catch (const nlohmann::json::exception& e) {
    return Error(ErrorCode::kParse, "DynamoDB table " + table.name() +
                                        ": DescribeTable answered an unexpected " + "document: " + e.what());
  }
}

}  // namespace lunora::store::dynamodb
