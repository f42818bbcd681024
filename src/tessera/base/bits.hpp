// Bit-level helpers for validity bitmaps (Arrow layout: bit i of byte i/8, least significant first).
#pragma once

#include <cstddef>
#include <cstdint>

namespace tessera::bits {

inline bool GetBit(const uint8_t* bitmap, int64_t i) { return (bitmap[i >> 3] >> (i & 7)) & 1; }
inline void SetBit(uint8_t* bitmap, int64_t i) { bitmap[i >> 3] |= uint8_t(1u << (i & 7)); }
inline void ClearBit(uint8_t* bitmap, int64_t i) { bitmap[i >> 3] &= uint8_t(~(1u << (i & 7))); }
inline void SetBitTo(uint8_t* bitmap, int64_t i, bool value) {
  bitmap[i >> 3] = uint8_t((bitmap[i >> 3] & ~(1u << (i & 7))) | (uint32_t(value) << (i & 7)));
}
inline int64_t BytesForBits(int64_t num_bits) { return (num_bits + 7) / 8; }

/// Number of set bits in [offset, offset + length).
int64_t CountSetBits(const uint8_t* bitmap, int64_t offset, int64_t length);

/// Copies `length` bits starting at `src_offset` into `dest` starting at `dest_offset`.
void CopyBits(const uint8_t* src, int64_t src_offset, int64_t length, uint8_t* dest,
              int64_t dest_offset);

}  // namespace tessera::bits
