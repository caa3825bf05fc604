// Records as DynamoDB attribute maps: one attribute per field, named as in the API's JSON. Text is S, numbers
// N, flags BOOL; sealed secrets are B (they may hold any byte). Empty text is left out (and read back as
// empty), which also keeps the items small.
#pragma once

#include "core/result.hpp"
#include "store/dynamodb/dynamodb_table.hpp"
#include "store/store.hpp"

namespace lunora::store::dynamodb {

Item channel_attributes(const ChannelRecord& channel);
Item destination_attributes(const DestinationRecord& destination);
Item event_attributes(const EventRecord& event);

// An error names the attribute that is missing or of the wrong type (an item written by something else).
Result<ChannelRecord> channel_from(const Item& item);
Result<DestinationRecord> destination_from(const Item& item);
Result<EventRecord> event_from(const Item& item);

// Reading single attributes; `what` names the item in errors.
class AttributeReader {
 public:
  AttributeReader(const Item& item, std::string what) : item_(item), what_(std::move(what)) {}

  std::string text(const char* name);
  std::string bytes(const char* name);
  int64_t number(const char* name);
  bool flag(const char* name);
  bool has(const char* name) const { return item_.is_object() && item_.contains(name); }

  // The first problem met, if any.
  Status status() const;

 private:
  const nlohmann::json* find(const char* name, const char* type);
  void fail(const char* name, const std::string& problem);

  const Item& item_;
  std::string what_;
  std::string error_;
};

// The attribute values themselves.
nlohmann::json text_value(const std::string& text);
nlohmann::json number_value(int64_t number);

}  // namespace lunora::store::dynamodb
