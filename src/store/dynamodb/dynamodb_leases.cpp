#include "store/dynamodb/dynamodb_leases.hpp"

#include "store/dynamodb/dynamodb_records.hpp"

namespace lunora::store::dynamodb {
namespace {

constexpr const char* kLeases = "lease";

}  // namespace

namespace {

Item lease_item(const LeaseRecord& lease) {
  Item item = key_json({"lease", lease.name});
  item["owner"] = text_value(lease.owner);
  if (!lease.owner_url.empty()) item["owner_url"] = text_value(lease.owner_url);
  item["expires_at"] = number_value(lease.expires_at);
  return item;
}

Result<LeaseRecord> lease_from(const Item& item) {
  AttributeReader reader(item, "lease " + key_of(item).sk);
  LeaseRecord lease;
  lease.name = key_of(item).sk;
  lease.owner = reader.text("owner");
  lease.owner_url = reader.text("owner_url");
  lease.expires_at = reader.number("expires_at");
  if (auto read = reader.status(); !read) return read.error();
  return lease;
}

}  // namespace

Result<LeaseRecord> DynamoDbLeases::transfer(const LeaseRecord& lease, const std::string& expected_owner) {
  const Status put =
      expected_owner.empty()
          ? table_.put(lease_item(lease), "attribute_not_exists(pk) OR #owner = :me",
                       {{":me", text_value(lease.owner)}}, {{"#owner", "owner"}})
          : table_.put(lease_item(lease), "#owner = :expected OR #owner = :me",
                       {{":expected", text_value(expected_owner)}, {":me", text_value(lease.owner)}},
                       {{"#owner", "owner"}});
  if (put) return lease;
  if (put.error().code() != ErrorCode::kConflict) return put.error();
  return holder(lease.name);
}

Result<std::vector<LeaseRecord>> DynamoDbLeases::list(const std::string& prefix) {
  auto items = prefix.empty()
                   ? table_.query(kLeases)
                   : table_.query(kLeases, "begins_with(sk, :prefix)", {{":prefix", text_value(prefix)}});
  if (!items) return items.error();
  std::vector<LeaseRecord> leases;
  for (const Item& item : *items) {
    auto lease = lease_from(item);
    if (!lease) return lease.error();
    leases.push_back(std::move(*lease));
  }
  return leases;
}

Result<LeaseRecord> DynamoDbLeases::acquire(const LeaseRecord& lease, TimestampMs now) {
  Item item = key_json({kLeases, lease.name});
  item["owner"] = text_value(lease.owner);
  if (!lease.owner_url.empty()) item["owner_url"] = text_value(lease.owner_url);
  item["expires_at"] = number_value(lease.expires_at);
  // Ours already also covers a put the client retried after losing the answer to the first, which landed.
  const Status put =
      table_.put(item, "attribute_not_exists(pk) OR #owner = :me OR expires_at < :now",
                 {{":me", text_value(lease.owner)}, {":now", number_value(now)}}, {{"#owner", "owner"}});
  if (put) return lease;
  if (put.error().code() != ErrorCode::kConflict) return put.error();
  return holder(lease.name);
}

Status DynamoDbLeases::release(const std::string& name, const std::string& owner) {
  Status removed =
      table_.remove({kLeases, name}, "#owner = :me", {{":me", text_value(owner)}}, {{"#owner", "owner"}});
  // Someone else's by now: nothing of ours to give up.
  if (!removed && removed.error().code() == ErrorCode::kConflict) return ok_status();
  return removed;
}

Result<LeaseRecord> DynamoDbLeases::holder(const std::string& name) {
  auto item = table_.get({kLeases, name});
  if (!item) return item.error();
  LeaseRecord lease;
  lease.name = name;
  // Released between our put and this read: free now, held by no one.
  if (!*item) return lease;
  AttributeReader reader(**item, "lease " + name);
  lease.owner = reader.text("owner");
  lease.owner_url = reader.text("owner_url");
  lease.expires_at = reader.number("expires_at");
  if (auto read = reader.status(); !read) return read.error();
  return lease;
}

}  // namespace lunora::store::dynamodb
