#include "store/dynamodb/dynamodb_records.hpp"

#include <charconv>

#include "aws/crypto.hpp"

namespace lunora::store::dynamodb {
namespace {

using nlohmann::json;

void put_text(Item& item, const char* name, const std::string& value) {
  if (!value.empty()) item[name] = text_value(value);
}
void put_bytes(Item& item, const char* name, const std::string& value) {
  if (!value.empty()) item[name] = {{"B", aws::base64_encode(value)}};
}
void put_number(Item& item, const char* name, int64_t value) {
  item[name] = number_value(value);
}
void put_flag(Item& item, const char* name, bool value) {
  item[name] = {{"BOOL", value}};
}

}  // namespace

json text_value(const std::string& text) {
  return {{"S", text}};
}

json number_value(int64_t number) {
  return {{"N", std::to_string(number)}};
}

Item channel_attributes(const ChannelRecord& c) {
  Item item = json::object();
  put_text(item, "id", c.id);
  put_text(item, "name", c.name);
  put_text(item, "engine", c.engine);
  put_text(item, "input_protocol", c.input_protocol);
  put_number(item, "srt_port", c.srt_port);
  put_number(item, "latency_ms", c.latency_ms);
  put_text(item, "streamid", c.streamid);
  put_bytes(item, "passphrase_sealed", c.passphrase_sealed);
  put_bytes(item, "rtmp_key_sealed", c.rtmp_key_sealed);
  put_flag(item, "auto_start", c.auto_start);
  put_number(item, "auto_stop_after_s", c.auto_stop_after_s);
  put_text(item, "state", c.state);
  put_text(item, "state_message", c.state_message);
  put_text(item, "extra_json", c.extra_json);
  put_number(item, "created_at", c.created_at);
  put_number(item, "updated_at", c.updated_at);
  put_number(item, "version", c.version);
  return item;
}

Item destination_attributes(const DestinationRecord& d) {
  Item item = json::object();
  put_text(item, "id", d.id);
  put_text(item, "channel_id", d.channel_id);
  put_text(item, "name", d.name);
  put_text(item, "platform", d.platform);
  put_text(item, "url", d.url);
  put_bytes(item, "url_sealed", d.url_sealed);
  put_bytes(item, "stream_key_sealed", d.stream_key_sealed);
  put_text(item, "stream_key_hint", d.stream_key_hint);
  put_flag(item, "desired_on", d.desired_on);
  put_text(item, "status", d.status);
  put_number(item, "status_since", d.status_since);
  put_text(item, "last_error_code", d.last_error_code);
  put_text(item, "last_error_message", d.last_error_message);
  put_number(item, "last_error_at", d.last_error_at);
  put_number(item, "next_retry_at", d.next_retry_at);
  put_text(item, "extra_json", d.extra_json);
  put_number(item, "created_at", d.created_at);
  put_number(item, "updated_at", d.updated_at);
  put_number(item, "version", d.version);
  return item;
}

Item event_attributes(const EventRecord& e) {
  Item item = json::object();
  put_number(item, "id", e.id);
  put_text(item, "type", e.type);
  put_text(item, "data", e.data);
  put_number(item, "at", e.at);
  return item;
}

Result<ChannelRecord> channel_from(const Item& item) {
  AttributeReader r(item, "channel item");
  ChannelRecord c;
  c.id = r.text("id");
  c.name = r.text("name");
  c.engine = r.text("engine");
  c.input_protocol = r.text("input_protocol");
  c.srt_port = static_cast<int>(r.number("srt_port"));
  c.latency_ms = static_cast<int>(r.number("latency_ms"));
  c.streamid = r.text("streamid");
  c.passphrase_sealed = r.bytes("passphrase_sealed");
  c.rtmp_key_sealed = r.bytes("rtmp_key_sealed");
  c.auto_start = r.flag("auto_start");
  c.auto_stop_after_s = static_cast<int>(r.number("auto_stop_after_s"));
  c.state = r.text("state");
  c.state_message = r.text("state_message");
  c.extra_json = r.text("extra_json");
  c.created_at = r.number("created_at");
  c.updated_at = r.number("updated_at");
  c.version = r.number("version");
  if (auto read = r.status(); !read) return read.error();
  return c;
}

Result<DestinationRecord> destination_from(const Item& item) {
  AttributeReader r(item, "destination item");
  DestinationRecord d;
  d.id = r.text("id");
  d.channel_id = r.text("channel_id");
  d.name = r.text("name");
  d.platform = r.text("platform");
  d.url = r.text("url");
  d.url_sealed = r.bytes("url_sealed");
  d.stream_key_sealed = r.bytes("stream_key_sealed");
  d.stream_key_hint = r.text("stream_key_hint");
  d.desired_on = r.flag("desired_on");
  d.status = r.text("status");
  d.status_since = r.number("status_since");
  d.last_error_code = r.text("last_error_code");
  d.last_error_message = r.text("last_error_message");
  d.last_error_at = r.number("last_error_at");
  d.next_retry_at = r.number("next_retry_at");
  d.extra_json = r.text("extra_json");
  d.created_at = r.number("created_at");
  d.updated_at = r.number("updated_at");
  d.version = r.number("version");
  if (auto read = r.status(); !read) return read.error();
  return d;
}

Result<EventRecord> event_from(const Item& item) {
  AttributeReader r(item, "event item");
  EventRecord e;
  e.id = r.number("id");
  e.type = r.text("type");
  e.data = r.text("data");
  e.at = r.number("at");
  if (auto read = r.status(); !read) return read.error();
  return e;
}

const json* AttributeReader::find(const char* name, const char* type) {
  if (!item_.is_object()) {
    fail(name, "the item is not a map");
    return nullptr;
  }
  auto attribute = item_.find(name);
  if (attribute == item_.end()) return nullptr;
  if (!attribute->is_object() || !attribute->contains(type)) {
    fail(name, std::string("is not of type ") + type);
    return nullptr;
  }
  return &(*attribute)[type];
}

std::string AttributeReader::text(const char* name) {
  const json* value = find(name, "S");
  if (value == nullptr) return {};
  if (!value->is_string()) {
    fail(name, "holds no string");
    return {};
  }
  return value->get<std::string>();
}

std::string AttributeReader::bytes(const char* name) {
  const json* value = find(name, "B");
  if (value == nullptr) return {};
  if (!value->is_string()) {
    fail(name, "holds no base64 string");
    return {};
  }
  auto decoded = aws::base64_decode(value->get_ref<const std::string&>());
  if (!decoded) {
    fail(name, "is not base64");
    return {};
  }
  return *decoded;
}

int64_t AttributeReader::number(const char* name) {
  const json* value = find(name, "N");
  if (value == nullptr) {
    if (!has(name)) fail(name, "is missing");
    return 0;
  }
  if (!value->is_string()) {
    fail(name, "holds no number");
    return 0;
  }
  const auto& digits = value->get_ref<const std::string&>();
  int64_t number = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    fail(name, "is not a whole number: " + digits);
  }
  return number;
}

bool AttributeReader::flag(const char* name) {
  const json* value = find(name, "BOOL");
  if (value == nullptr) {
    if (!has(name)) fail(name, "is missing");
    return false;
  }
  if (!value->is_boolean()) {
    fail(name, "holds no boolean");
    return false;
  }
  return value->get<bool>();
}

void AttributeReader::fail(const char* name, const std::string& problem) {
  if (error_.empty()) error_ = what_ + ": attribute " + name + " " + problem;
}

Status AttributeReader::status() const {
  if (error_.empty()) return ok_status();
  return Error(ErrorCode::kInternal, error_);
}

}  // namespace lunora::store::dynamodb
