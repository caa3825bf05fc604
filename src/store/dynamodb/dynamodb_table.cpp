#include "store/dynamodb/dynamodb_table.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <chrono>
#include <thread>
#include <utility>

#include "aws/http_exchange.hpp"

namespace lunora::store::dynamodb {
namespace {

using nlohmann::json;

constexpr const char* kTargetPrefix = "DynamoDB_20120810";
constexpr size_t kBatchWriteLimit = 25;  // BatchWriteItem's maximum per call
constexpr int kUnprocessedRounds = 8;

// A plain function, not a lambda, goes into co_spawn (GCC 12's coroutine bug, see src/api/api_routes.cpp).
boost::asio::awaitable<void> send_into(const aws::AwsClient* client, aws::AwsRequest request,
                                       aws::HttpConnectionPool* connections,
                                       std::optional<aws::AwsOutcome>* out) {
  out->emplace(co_await client->send(std::move(request), connections));
}

Error call_error(const aws::AwsOutcome& outcome, const std::string& doing) {
  return outcome.error().to_error().wrap(doing);
}

}  // namespace

json key_json(const ItemKey& key) {
  return {{"pk", {{"S", key.pk}}}, {"sk", {{"S", key.sk}}}};
}

namespace {

std::string key_part(const Item& item, const char* name) {
  if (!item.is_object()) return {};
  auto part = item.find(name);
  if (part == item.end() || !part->is_object()) return {};
  auto text = part->find("S");
  return text != part->end() && text->is_string() ? text->get<std::string>() : std::string();
}

}  // namespace

ItemKey key_of(const Item& item) {
  ItemKey key;
  key.pk = key_part(item, "pk");
  key.sk = key_part(item, "sk");
  return key;
}

DynamoDbTable::DynamoDbTable(std::unique_ptr<aws::AwsClient> client, std::string name)
    : client_(std::move(client)),
      name_(std::move(name)),
      connections_(std::make_unique<aws::HttpConnectionPool>()) {}

DynamoDbTable::~DynamoDbTable() = default;

aws::AwsOutcome DynamoDbTable::call(const char* operation, json body) {
  body["TableName"] = name_;
  return send(operation, body);
}

aws::AwsOutcome DynamoDbTable::send(const char* operation, const json& body) {
  std::optional<aws::AwsOutcome> out;
  io_.restart();
  boost::asio::co_spawn(io_,
                        send_into(client_.get(), aws::json_rpc_request(kTargetPrefix, operation, body),
                                  connections_.get(), &out),
                        boost::asio::detached);
  io_.run();  // returns when the call has ended: the client's deadline bounds it
  if (!out) {
    aws::AwsError error;
    error.code = std::string(aws::kConnectionCode);
    error.message = std::string(operation) + " ended without an answer";
    error.transport = ErrorCode::kInternal;
    return error;
  }
  return std::move(*out);
}

Result<std::optional<Item>> DynamoDbTable::get(const ItemKey& key) {
  const aws::AwsOutcome got = call("GetItem", {{"Key", key_json(key)}, {"ConsistentRead", true}});
  if (!got) return call_error(got, "get " + key.pk + " " + key.sk);
  const json& body = got->body;
  if (!body.is_object() || !body.contains("Item")) return std::optional<Item>();
  return std::optional<Item>(body["Item"]);
}

Status DynamoDbTable::put(const Item& item, const std::string& condition, const json& values,
                          const json& names) {
  json body = {{"Item", item}};
  if (!condition.empty()) body["ConditionExpression"] = condition;
  if (!values.is_null()) body["ExpressionAttributeValues"] = values;
  if (!names.is_null()) body["ExpressionAttributeNames"] = names;
  const aws::AwsOutcome put = call("PutItem", std::move(body));
  if (!put) {
    const ItemKey key = key_of(item);
    return call_error(put, "put " + key.pk + " " + key.sk);
  }
  return ok_status();
}

Status DynamoDbTable::remove(const ItemKey& key, const std::string& condition, const json& values,
                             const json& names) {
  json body = {{"Key", key_json(key)}};
  if (!condition.empty()) body["ConditionExpression"] = condition;
  if (!values.is_null()) body["ExpressionAttributeValues"] = values;
  if (!names.is_null()) body["ExpressionAttributeNames"] = names;
  const aws::AwsOutcome removed = call("DeleteItem", std::move(body));
  if (!removed) return call_error(removed, "delete " + key.pk + " " + key.sk);
  return ok_status();
}

Result<std::vector<Item>> DynamoDbTable::query(const std::string& pk, const std::string& sk_condition,
                                               const json& values, size_t limit, bool forward) {
  json body = {{"KeyConditionExpression", sk_condition.empty() ? "pk = :pk" : "pk = :pk AND " + sk_condition},
               {"ExpressionAttributeValues", values.is_null() ? json::object() : values},
               {"ConsistentRead", true},
               {"ScanIndexForward", forward}};
  body["ExpressionAttributeValues"][":pk"] = {{"S", pk}};
  std::vector<Item> items;
  for (;;) {
    if (limit > 0) body["Limit"] = limit - items.size();
    const aws::AwsOutcome page = call("Query", body);
    if (!page) return call_error(page, "query " + pk);
    const json& answer = page->body;
    if (answer.is_object() && answer.contains("Items") && answer["Items"].is_array()) {
      for (const auto& item : answer["Items"]) items.push_back(item);
    }
    // A page ends at 1 MB or at Limit; LastEvaluatedKey says there is more.
    if (!answer.is_object() || !answer.contains("LastEvaluatedKey")) return items;
    if (limit > 0 && items.size() >= limit) return items;
    body["ExclusiveStartKey"] = answer["LastEvaluatedKey"];
  }
}

Status DynamoDbTable::delete_all(const std::vector<ItemKey>& keys) {
  for (size_t start = 0; start < keys.size(); start += kBatchWriteLimit) {
    json requests = json::array();
    for (size_t i = start; i < std::min(keys.size(), start + kBatchWriteLimit); ++i) {
      requests.push_back({{"DeleteRequest", {{"Key", key_json(keys[i])}}}});
    }
    for (int round = 0; !requests.empty(); ++round) {
      if (round == kUnprocessedRounds) {
        return Error(ErrorCode::kIo, "delete: DynamoDB left " + std::to_string(requests.size()) +
                                         " items unprocessed " + std::to_string(round) + " times");
      }
      // BatchWriteItem names its tables inside RequestItems and has no TableName member.
      const aws::AwsOutcome written = send("BatchWriteItem", {{"RequestItems", {{name_, requests}}}});
      if (!written) return call_error(written, "delete items");
      const json& answer = written->body;
      requests = json::array();
      if (answer.is_object() && answer.contains("UnprocessedItems") &&
          answer["UnprocessedItems"].contains(name_)) {
        requests = answer["UnprocessedItems"][name_];
        // Unprocessed items mean the table is throttling this batch: wait before trying them again.
        std::this_thread::sleep_for(std::chrono::milliseconds(50) * (1 << round));
      }
    }
  }
  return ok_status();
}

}  // namespace lunora::store::dynamodb
