#include "store/dynamodb/dynamodb_head.hpp"

#include "store/dynamodb/dynamodb_records.hpp"

namespace lunora::store::dynamodb {
namespace {

using nlohmann::json;

// Enough to cover the commits other nodes can squeeze in between a lost answer and the re-read.
constexpr size_t kRecentWriters = 32;

template <typename Record>
json map_list(const std::vector<Record>& records, Item (*attributes)(const Record&)) {
  json list = json::array();
  for (const auto& record : records) list.push_back({{"M", attributes(record)}});
  return {{"L", list}};
}

json text_list(const std::vector<std::string>& texts) {
  json list = json::array();
  for (const auto& text : texts) list.push_back(text_value(text));
  return {{"L", list}};
}

// The members of an L attribute, or an error naming it.
Result<std::vector<json>> list_members(const Item& item, const char* name, const char* member_type) {
  std::vector<json> members;
  auto attribute = item.find(name);
  if (attribute == item.end()) return members;
  if (!attribute->is_object() || !attribute->contains("L") || !(*attribute)["L"].is_array()) {
    return Error(ErrorCode::kInternal, std::string("head item: attribute ") + name + " is not a list");
  }
  for (const auto& member : (*attribute)["L"]) {
    if (!member.is_object() || !member.contains(member_type)) {
      return Error(ErrorCode::kInternal,
                   std::string("head item: a member of ") + name + " is not of type " + member_type);
    }
    members.push_back(member[member_type]);
  }
  return members;
}

template <typename Record>
Status read_records(const Item& item, const char* name, Result<Record> (*from)(const Item&),
                    std::vector<Record>& out) {
  auto members = list_members(item, name, "M");
  if (!members) return members.error();
  for (const auto& member : *members) {
    auto record = from(member);
    if (!record) return record.error();
    out.push_back(std::move(*record));
  }
  return ok_status();
}

Status read_texts(const Item& item, const char* name, std::vector<std::string>& out) {
  auto members = list_members(item, name, "S");
  if (!members) return members.error();
  for (const auto& member : *members) {
    if (!member.is_string()) return Error(ErrorCode::kInternal, std::string("head item: ") + name);
    out.push_back(member.get<std::string>());
  }
  return ok_status();
}

}  // namespace

ItemKey head_key() {
  return {"log", "head"};
}

Item head_item(const Head& head) {
  Item item = key_json(head_key());
  item["seq"] = number_value(head.seq);
  item["first_event_id"] = number_value(head.first_event_id);
  item["applied"] = {{"BOOL", head.applied}};
  item["writer"] = text_value(head.writer);
  item["recent_writers"] = text_list(head.recent_writers);
  item["put_channels"] = map_list(head.put_channels, channel_attributes);
  item["put_destinations"] = map_list(head.put_destinations, destination_attributes);
  item["delete_channels"] = text_list(head.delete_channels);
  item["delete_destinations"] = text_list(head.delete_destinations);
  item["events"] = map_list(head.events, event_attributes);
  return item;
}

Result<Head> head_from(const Item& item) {
  AttributeReader reader(item, "head item");
  Head head;
  head.seq = reader.number("seq");
  head.first_event_id = reader.number("first_event_id");
  head.applied = reader.flag("applied");
  head.writer = reader.text("writer");
  if (auto read = reader.status(); !read) return read.error();
  if (auto read = read_texts(item, "recent_writers", head.recent_writers); !read) return read.error();
  if (auto read = read_records(item, "put_channels", channel_from, head.put_channels); !read) {
    return read.error();
  }
  if (auto read = read_records(item, "put_destinations", destination_from, head.put_destinations); !read) {
    return read.error();
  }
  if (auto read = read_texts(item, "delete_channels", head.delete_channels); !read) return read.error();
  if (auto read = read_texts(item, "delete_destinations", head.delete_destinations); !read) {
    return read.error();
  }
  if (auto read = read_records(item, "events", event_from, head.events); !read) return read.error();
  return head;
}

void remember_writer(std::vector<std::string>& writers, const std::string& writer) {
  writers.push_back(writer);
  if (writers.size() > kRecentWriters) writers.erase(writers.begin(), writers.end() - kRecentWriters);
}

}  // namespace lunora::store::dynamodb
