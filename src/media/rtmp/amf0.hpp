// AMF0 (Action Message Format 0): the encoding of RTMP commands and metadata. Decoding is bounded: nesting
// depth and element counts are capped so hostile input cannot exhaust the stack or memory.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/byte_io.hpp"
#include "core/result.hpp"

namespace lunora::media::rtmp {

struct Amf0Value;
using Amf0Properties = std::vector<std::pair<std::string, Amf0Value>>;

struct Amf0Value {
  enum class Type { kNumber, kBoolean, kString, kObject, kNull, kUndefined, kEcmaArray, kStrictArray, kDate };

  Type type = Type::kNull;
  double number = 0;                // kNumber, kDate (ms since epoch)
  bool boolean = false;             // kBoolean
  std::string string;               // kString (short and long strings alike)
  Amf0Properties properties;        // kObject, kEcmaArray
  std::vector<Amf0Value> elements;  // kStrictArray

  // Declared (defined in amf0.cpp) so that Amf0Value is not an aggregate: clang 14 with libstdc++ 12
  // otherwise rejects the type, checking std::pair<std::string, Amf0Value> while that pair is still
  // incomplete.
  Amf0Value();
  static Amf0Value null() { return {}; }
  static Amf0Value of(double v);
  static Amf0Value of(bool v);
  static Amf0Value of(std::string v);
  static Amf0Value of(const char* v) { return of(std::string(v)); }
  static Amf0Value object(Amf0Properties props);
  static Amf0Value ecma_array(Amf0Properties props);

  // Property lookup on objects and ECMA arrays; nullptr when absent or not an object.
  const Amf0Value* find(std::string_view key) const;
  std::optional<std::string_view> string_at(std::string_view key) const;
  std::optional<double> number_at(std::string_view key) const;
};

// Decodes every value in `data` (a command message body is a sequence of values).
Result<std::vector<Amf0Value>> decode_amf0(ByteSpan data);
void encode_amf0(const Amf0Value& value, Bytes& out);
Bytes encode_amf0(const std::vector<Amf0Value>& values);

}  // namespace lunora::media::rtmp
