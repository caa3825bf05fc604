// AMF0 golden bytes, both directions: one table drives decode and encode. AMF0 decoding is not incremental
// (a command arrives as one message), so the byte-at-a-time replay becomes: every strict prefix is rejected.
#include "media/rtmp/amf0.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lunora::media::rtmp {
namespace {

using Type = Amf0Value::Type;

bool same(const Amf0Value& a, const Amf0Value& b) {
  if (a.type != b.type || a.number != b.number || a.boolean != b.boolean || a.string != b.string)
    return false;
  if (a.properties.size() != b.properties.size() || a.elements.size() != b.elements.size()) return false;
  for (size_t i = 0; i < a.properties.size(); ++i) {
    if (a.properties[i].first != b.properties[i].first) return false;
    if (!same(a.properties[i].second, b.properties[i].second)) return false;
  }
  for (size_t i = 0; i < a.elements.size(); ++i) {
    if (!same(a.elements[i], b.elements[i])) return false;
  }
  return true;
}

Amf0Value typed(Type type, double number = 0) {
  Amf0Value v;
  v.type = type;
  v.number = number;
  return v;
}

Amf0Value strict_array(std::vector<Amf0Value> elements) {
  Amf0Value v = typed(Type::kStrictArray);
  v.elements = std::move(elements);
  return v;
}

struct AmfCase {
  std::string name;
  Bytes wire;
  Amf0Value value;
};

Bytes long_string_wire() {
  Bytes b = {0x0C, 0x00, 0x01, 0x00, 0x00};  // long string marker, length 65536
  b.insert(b.end(), 65536, 'x');
  return b;
}

const std::vector<AmfCase>& cases() {
  static const std::vector<AmfCase> table = {
      {"number", {0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0}, Amf0Value::of(1.0)},
      {"negative_number", {0x00, 0xC0, 0x59, 0x40, 0, 0, 0, 0, 0}, Amf0Value::of(-101.0)},
      {"true", {0x01, 0x01}, Amf0Value::of(true)},
      {"false", {0x01, 0x00}, Amf0Value::of(false)},
      {"string", {0x02, 0x00, 0x03, 'a', 'p', 'p'}, Amf0Value::of("app")},
      {"empty_string", {0x02, 0x00, 0x00}, Amf0Value::of("")},
      {"long_string", long_string_wire(), Amf0Value::of(std::string(65536, 'x'))},
      {"null", {0x05}, Amf0Value::null()},
      {"undefined", {0x06}, typed(Type::kUndefined)},
      {"date",
       {0x0B, 0x42, 0x72, 0x5E, 0x72, 0xE7, 0x80, 0x00, 0x00, 0x00, 0x00},  // + time zone 0
       typed(Type::kDate, 1262304000000.0)},
      {"object",
       {0x03,                                  // object
        0x00, 0x03, 'a',  'p', 'p',            // key "app"
        0x02, 0x00, 0x04, 'l', 'i', 'v', 'e',  // "live"
        0x00, 0x04, 't',  'y', 'p', 'e',       // key "type"
        0x01, 0x01,                            // true
        0x00, 0x00, 0x09},                     // end
       Amf0Value::object({{"app", Amf0Value::of("live")}, {"type", Amf0Value::of(true)}})},
      {"empty_object", {0x03, 0x00, 0x00, 0x09}, Amf0Value::object({})},
      {"ecma_array",
       {0x08, 0x00, 0x00, 0x00, 0x01,                  // ecma array, count 1
        0x00, 0x05, 'w',  'i',  'd',  't', 'h',        // key "width"
        0x00, 0x40, 0x64, 0,    0,    0,   0,   0, 0,  // 160
        0x00, 0x00, 0x09},                             // end
       Amf0Value::ecma_array({{"width", Amf0Value::of(160.0)}})},
      {"strict_array",
       {0x0A, 0x00, 0x00, 0x00, 0x02,  // strict array of 2
        0x05,                          // null
        0x01, 0x01},                   // true
       strict_array({Amf0Value::null(), Amf0Value::of(true)})},
      {"nested",
       {0x03, 0x00, 0x01, 'o',                           // {o:
        0x0A, 0x00, 0x00, 0x00, 0x01,                    //   [
        0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,  //     ecma {}
        0x00, 0x00, 0x09},                               // ]}
       Amf0Value::object({{"o", strict_array({Amf0Value::ecma_array({})})}})},
  };
  return table;
}

TEST(Amf0Golden, Decodes) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    auto values = decode_amf0(c.wire);
    ASSERT_TRUE(values.ok()) << values.error().message();
    ASSERT_EQ(values->size(), 1u);
    EXPECT_TRUE(same((*values)[0], c.value));
  }
}

TEST(Amf0Golden, Encodes) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    Bytes out;
    encode_amf0(c.value, out);
    EXPECT_EQ(out, c.wire);
  }
}

TEST(Amf0Golden, EveryStrictPrefixIsRejected) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    size_t limit = std::min<size_t>(c.wire.size(), 64);  // the long string's prefixes all look alike
    for (size_t n = 1; n < limit; ++n) {
      EXPECT_FALSE(decode_amf0(ByteSpan(c.wire).first(n)).ok()) << "prefix of " << n << " bytes";
    }
  }
}

TEST(Amf0, DecodesACommandSequence) {
  std::vector<Amf0Value> command = {Amf0Value::of("connect"), Amf0Value::of(1.0),
                                    Amf0Value::object({{"app", Amf0Value::of("live")}})};
  auto decoded = decode_amf0(encode_amf0(command));
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->size(), 3u);
  EXPECT_EQ((*decoded)[0].string, "connect");
  EXPECT_EQ((*decoded)[2].string_at("app"), "live");
  EXPECT_EQ((*decoded)[2].number_at("app"), std::nullopt);
  EXPECT_EQ((*decoded)[2].find("missing"), nullptr);
}

TEST(Amf0Hostile, NestingDeeperThan32IsRejected) {
  auto nested = [](int depth) {
    Bytes b;
    for (int i = 0; i < depth; ++i) b.insert(b.end(), {0x0A, 0, 0, 0, 1});  // strict array of one
    b.push_back(0x05);
    return b;
  };
  EXPECT_TRUE(decode_amf0(nested(32)).ok());
  auto too_deep = decode_amf0(nested(33));
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.error().code(), ErrorCode::kParse);
  EXPECT_FALSE(decode_amf0(nested(100000)).ok());  // no stack overflow
}

TEST(Amf0Hostile, RejectsBadInput) {
  const std::vector<std::pair<std::string, Bytes>> hostile = {
      {"huge_strict_array_count", {0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x05}},
      {"string_longer_than_data", {0x02, 0xFF, 0xFF, 'a'}},
      {"long_string_longer_than_data", {0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 'a'}},
      {"object_without_end", {0x03, 0x00, 0x01, 'a', 0x05}},
      {"unsupported_marker_reference", {0x07, 0x00, 0x01}},
      {"unsupported_marker_amf3", {0x11}},
      {"stray_object_end", {0x09}},
      {"ecma_array_truncated_count", {0x08, 0x00, 0x00}},
  };
  for (const auto& [name, wire] : hostile) {
    SCOPED_TRACE(name);
    auto result = decode_amf0(wire);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code(), ErrorCode::kParse);
  }
}

TEST(Amf0Hostile, EcmaArrayCountIsOnlyAHint) {
  // Encoders write wrong counts; the end marker decides (as FFmpeg's reader does).
  Bytes wire = {0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x01, 'a', 0x05, 0x00, 0x00, 0x09};
  auto result = decode_amf0(wire);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ((*result)[0].properties.size(), 1u);
}

}  // namespace
}  // namespace lunora::media::rtmp
