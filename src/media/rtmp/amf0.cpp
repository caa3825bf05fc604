// AMF0 codec. The decoder is recursive but bounded: nesting deeper than kMaxDepth is an error, and every
// element needs at least one byte, so a strict array count larger than the bytes left is rejected before any
// allocation.
#include "media/rtmp/amf0.hpp"

#include <bit>
#include <cstring>

namespace lunora::media::rtmp {
namespace {

constexpr int kMaxDepth = 32;

enum Marker : uint8_t {
  kNumberMarker = 0x00,
  kBooleanMarker = 0x01,
  kStringMarker = 0x02,
  kObjectMarker = 0x03,
  kNullMarker = 0x05,
  kUndefinedMarker = 0x06,
  kEcmaArrayMarker = 0x08,
  kObjectEndMarker = 0x09,
  kStrictArrayMarker = 0x0A,
  kDateMarker = 0x0B,
  kLongStringMarker = 0x0C,
};

Error parse_error(std::string message) {
  return Error(ErrorCode::kParse, "amf0: " + std::move(message));
}

class Decoder {
 public:
  explicit Decoder(ByteSpan data) : reader_(data) {}

  bool at_end() const { return reader_.remaining() == 0; }

  Result<Amf0Value> value(int depth) {
    if (depth > kMaxDepth) return parse_error("nesting deeper than 32");
    uint8_t marker = reader_.u8();
    if (reader_.failed()) return parse_error("truncated value");
    Amf0Value v;
    switch (marker) {
      case kNumberMarker:
        v.type = Amf0Value::Type::kNumber;
        v.number = number();
        break;
      case kBooleanMarker:
        v.type = Amf0Value::Type::kBoolean;
        v.boolean = reader_.u8() != 0;
        break;
      case kStringMarker:
      case kLongStringMarker:
        v.type = Amf0Value::Type::kString;
        v.string = string(marker == kLongStringMarker ? 4 : 2);
        break;
      case kNullMarker:
        break;
      case kUndefinedMarker:
        v.type = Amf0Value::Type::kUndefined;
        break;
      case kDateMarker:
        v.type = Amf0Value::Type::kDate;
        v.number = number();
        reader_.skip(2);  // time zone: reserved, always 0
        break;
      case kObjectMarker:
        v.type = Amf0Value::Type::kObject;
        return with_properties(std::move(v), depth);
      case kEcmaArrayMarker:
        v.type = Amf0Value::Type::kEcmaArray;
        reader_.skip(4);  // the count is a hint; the end marker is authoritative (encoders get it wrong)
        return with_properties(std::move(v), depth);
      case kStrictArrayMarker:
        v.type = Amf0Value::Type::kStrictArray;
        return with_elements(std::move(v), depth);
      default:
        return parse_error("unsupported marker " + std::to_string(marker));
    }
    if (reader_.failed()) return parse_error("truncated value");
    return v;
  }

 private:
  double number() { return std::bit_cast<double>(reader_.u64()); }

  std::string string(int length_size) {
    size_t n = length_size == 4 ? reader_.u32() : reader_.u16();
    ByteSpan b = reader_.bytes(n);
    return std::string(b.begin(), b.end());
  }

  Result<Amf0Value> with_properties(Amf0Value v, int depth) {
    while (true) {
      std::string key = string(2);
      if (reader_.failed()) return parse_error("truncated object");
      if (key.empty() && reader_.remaining() > 0 && peek() == kObjectEndMarker) {
        reader_.skip(1);
        return v;
      }
      auto child = value(depth + 1);
      if (!child) return child.error();
      v.properties.emplace_back(std::move(key), std::move(*child));
    }
  }

  Result<Amf0Value> with_elements(Amf0Value v, int depth) {
    uint32_t count = reader_.u32();
    if (reader_.failed()) return parse_error("truncated strict array");
    if (count > reader_.remaining()) return parse_error("strict array count exceeds the data");
    v.elements.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      auto child = value(depth + 1);
      if (!child) return child.error();
      v.elements.push_back(std::move(*child));
    }
    return v;
  }

  uint8_t peek() {
    ByteReader copy = reader_;
    return copy.u8();
  }

  ByteReader reader_;
};

void put_string_body(Bytes& out, std::string_view s) {
  put_u16(out, static_cast<uint16_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

void put_number(Bytes& out, double v) {
  put_be(out, std::bit_cast<uint64_t>(v), 8);
}

void put_properties(Bytes& out, const Amf0Properties& props) {
  for (const auto& [key, value] : props) {
    put_string_body(out, key.size() > 0xFFFF ? std::string_view(key).substr(0, 0xFFFF) : key);
    encode_amf0(value, out);
  }
  put_u16(out, 0);
  put_u8(out, kObjectEndMarker);
}

}  // namespace

Amf0Value::Amf0Value() = default;

Amf0Value Amf0Value::of(double v) {
  Amf0Value a;
  a.type = Type::kNumber;
  a.number = v;
  return a;
}

Amf0Value Amf0Value::of(bool v) {
  Amf0Value a;
  a.type = Type::kBoolean;
  a.boolean = v;
  return a;
}

Amf0Value Amf0Value::of(std::string v) {
  Amf0Value a;
  a.type = Type::kString;
  a.string = std::move(v);
  return a;
}

Amf0Value Amf0Value::object(Amf0Properties props) {
  Amf0Value a;
  a.type = Type::kObject;
  a.properties = std::move(props);
  return a;
}

Amf0Value Amf0Value::ecma_array(Amf0Properties props) {
  Amf0Value a = object(std::move(props));
  a.type = Type::kEcmaArray;
  return a;
}

const Amf0Value* Amf0Value::find(std::string_view key) const {
  if (type != Type::kObject && type != Type::kEcmaArray) return nullptr;
  for (const auto& [k, v] : properties) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::optional<std::string_view> Amf0Value::string_at(std::string_view key) const {
  const Amf0Value* v = find(key);
  if (v == nullptr || v->type != Type::kString) return std::nullopt;
  return std::string_view(v->string);
}

std::optional<double> Amf0Value::number_at(std::string_view key) const {
  const Amf0Value* v = find(key);
  if (v == nullptr || v->type != Type::kNumber) return std::nullopt;
  return v->number;
}

Result<std::vector<Amf0Value>> decode_amf0(ByteSpan data) {
  Decoder decoder(data);
  std::vector<Amf0Value> values;
  while (!decoder.at_end()) {
    auto v = decoder.value(0);
    if (!v) return v.error();
    values.push_back(std::move(*v));
  }
  return values;
}

void encode_amf0(const Amf0Value& value, Bytes& out) {
  using Type = Amf0Value::Type;
  switch (value.type) {
    case Type::kNumber:
      put_u8(out, kNumberMarker);
      put_number(out, value.number);
      break;
    case Type::kBoolean:
      put_u8(out, kBooleanMarker);
      put_u8(out, value.boolean ? 1 : 0);
      break;
    case Type::kString:
      if (value.string.size() > 0xFFFF) {
        put_u8(out, kLongStringMarker);
        put_u32(out, static_cast<uint32_t>(value.string.size()));
        out.insert(out.end(), value.string.begin(), value.string.end());
      } else {
        put_u8(out, kStringMarker);
        put_string_body(out, value.string);
      }
      break;
    case Type::kObject:
      put_u8(out, kObjectMarker);
      put_properties(out, value.properties);
      break;
    case Type::kNull:
      put_u8(out, kNullMarker);
      break;
    case Type::kUndefined:
      put_u8(out, kUndefinedMarker);
      break;
    case Type::kEcmaArray:
      put_u8(out, kEcmaArrayMarker);
      put_u32(out, static_cast<uint32_t>(value.properties.size()));
      put_properties(out, value.properties);
      break;
    case Type::kStrictArray:
      put_u8(out, kStrictArrayMarker);
      put_u32(out, static_cast<uint32_t>(value.elements.size()));
      for (const auto& e : value.elements) encode_amf0(e, out);
      break;
    case Type::kDate:
      put_u8(out, kDateMarker);
      put_number(out, value.number);
      put_u16(out, 0);
      break;
  }
}

Bytes encode_amf0(const std::vector<Amf0Value>& values) {
  Bytes out;
  for (const auto& v : values) encode_amf0(v, out);
  return out;
}

}  // namespace lunora::media::rtmp
