// Leases on the store's table: one item per lease (pk "lease", sk its name) written only under a condition
// (free, expired, or already ours), so two nodes never both hold one. Expiry is wall-clock time: the nodes'
// clocks must agree to well within a lease (NTP does; README "Several nodes on one table").
#pragma once

#include "store/dynamodb/dynamodb_table.hpp"
#include "store/store.hpp"

namespace lunora::store::dynamodb {

class DynamoDbLeases final : public Leases {
 public:
  explicit DynamoDbLeases(DynamoDbTable& table) : table_(table) {}

  Result<LeaseRecord> acquire(const LeaseRecord& lease, TimestampMs now) override;
  Status release(const std::string& name, const std::string& owner) override;
  Result<LeaseRecord> holder(const std::string& name) override;
  Result<LeaseRecord> transfer(const LeaseRecord& lease, const std::string& expected_owner) override;
  Result<std::vector<LeaseRecord>> list(const std::string& prefix) override;

 private:
  DynamoDbTable& table_;
};

}  // namespace lunora::store::dynamodb
