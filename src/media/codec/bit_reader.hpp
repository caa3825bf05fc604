// Bounds-checked MSB-first bit reader with Exp-Golomb codes, for SPS and AudioSpecificConfig parsing. Like
// ByteReader it never throws: reading past the end sets a sticky failure flag and yields zeros.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/byte_io.hpp"

namespace lunora::media {

class BitReader {
 public:
  explicit BitReader(ByteSpan data) : data_(data) {}

  bool failed() const { return failed_; }
  size_t bits_left() const { return failed_ ? 0 : data_.size() * 8 - pos_; }

  uint32_t bit() {
    if (failed_ || pos_ >= data_.size() * 8) {
      failed_ = true;
      return 0;
    }
    const uint32_t b = (data_[pos_ / 8] >> (7 - pos_ % 8)) & 1;
    ++pos_;
    return b;
  }

  // Up to 32 bits.
  uint32_t bits(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 1) | bit();
    return v;
  }

  void skip(size_t n) {
    if (n > bits_left()) {
      failed_ = true;
      return;
    }
    pos_ += n;
  }

  // ue(v). Codes longer than 32 bits cannot occur in a valid stream; they fail rather than overflow.
  uint32_t ue() {
    int zeros = 0;
    while (bit() == 0) {
      if (failed_ || ++zeros > 31) {
        failed_ = true;
        return 0;
      }
    }
    if (zeros == 0) return 0;
    return static_cast<uint32_t>((uint64_t{1} << zeros) - 1 + bits(zeros));
  }

  // se(v).
  int32_t se() {
    const uint32_t k = ue();
    const int64_t magnitude = (static_cast<int64_t>(k) + 1) / 2;
    return static_cast<int32_t>((k & 1) ? magnitude : -magnitude);
  }

 private:
  ByteSpan data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace lunora::media
