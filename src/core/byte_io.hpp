// Bounds-checked big-endian reading and writing for the protocol parsers. A reader never throws and never
// reads past its span: a short read sets a sticky failure flag that the parser checks once at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace lunora {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

class ByteReader {
 public:
  explicit ByteReader(ByteSpan data) : data_(data) {}

  bool failed() const { return failed_; }
  size_t remaining() const { return failed_ ? 0 : data_.size() - pos_; }
  size_t position() const { return pos_; }

  uint8_t u8() { return static_cast<uint8_t>(be(1)); }
  uint16_t u16() { return static_cast<uint16_t>(be(2)); }
  uint32_t u24() { return static_cast<uint32_t>(be(3)); }
  uint32_t u32() { return static_cast<uint32_t>(be(4)); }
  uint64_t u64() { return be(8); }

  ByteSpan bytes(size_t n) {
    if (!take(n)) return {};
    return data_.subspan(pos_ - n, n);
  }
  void skip(size_t n) { take(n); }

 private:
  bool take(size_t n) {
    if (failed_ || data_.size() - pos_ < n) {
      failed_ = true;
      return false;
    }
    pos_ += n;
    return true;
  }
  uint64_t be(size_t n) {
    if (!take(n)) return 0;
    uint64_t v = 0;
    for (size_t i = pos_ - n; i < pos_; ++i) v = (v << 8) | data_[i];
    return v;
  }

  ByteSpan data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

inline void put_u8(Bytes& out, uint8_t v) {
  out.push_back(v);
}
inline void put_be(Bytes& out, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
inline void put_u16(Bytes& out, uint16_t v) {
  put_be(out, v, 2);
}
inline void put_u24(Bytes& out, uint32_t v) {
  put_be(out, v, 3);
}
inline void put_u32(Bytes& out, uint32_t v) {
  put_be(out, v, 4);
}
inline void put_bytes(Bytes& out, ByteSpan b) {
  out.insert(out.end(), b.begin(), b.end());
}

}  // namespace lunora
