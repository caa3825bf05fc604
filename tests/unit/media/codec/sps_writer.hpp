// Builds SPS NAL units bit by bit for tests that need fields real encoders rarely write (scaling lists).
#pragma once

#include <cstdint>
#include <vector>

namespace lunora::media::test {

class SpsWriter {
 public:
  void bit(uint32_t b) { bits_.push_back(b != 0); }
  void bits(uint32_t v, int n) {
    for (int i = n - 1; i >= 0; --i) bit((v >> i) & 1);
  }
  void ue(uint32_t v) {
    const uint64_t x = uint64_t{v} + 1;
    int len = 0;
    while ((x >> len) > 1) ++len;
    bits(0, len);
    for (int i = len; i >= 0; --i) bit((x >> i) & 1);
  }
  void se(int32_t v) { ue(v > 0 ? static_cast<uint32_t>(2 * v - 1) : static_cast<uint32_t>(-2 * v)); }

  // NAL header 0x67, the RBSP with its stop bit, and emulation prevention bytes inserted.
  std::vector<uint8_t> nal() const {
    std::vector<bool> rbsp_bits = bits_;
    rbsp_bits.push_back(true);
    while (rbsp_bits.size() % 8) rbsp_bits.push_back(false);
    std::vector<uint8_t> out = {0x67};
    int zeros = 0;
    for (size_t i = 0; i < rbsp_bits.size(); i += 8) {
      uint8_t byte = 0;
      for (size_t k = 0; k < 8; ++k) byte = static_cast<uint8_t>((byte << 1) | rbsp_bits[i + k]);
      if (zeros >= 2 && byte <= 3) {
        out.push_back(0x03);
        zeros = 0;
      }
      zeros = byte == 0 ? zeros + 1 : 0;
      out.push_back(byte);
    }
    return out;
  }

 private:
  std::vector<bool> bits_;
};

}  // namespace lunora::media::test
