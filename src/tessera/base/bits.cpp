#include "tessera/base/bits.hpp"

#include <bit>
#include <cstring>

namespace tessera::bits {

int64_t CountSetBits(const uint8_t* bitmap, int64_t offset, int64_t length) {
  int64_t count = 0;
  int64_t i = offset;
  const int64_t end = offset + length;
  for (; i < end && (i & 7) != 0; ++i) count += GetBit(bitmap, i);
  for (; i + 64 <= end; i += 64) {
    uint64_t word;
    std::memcpy(&word, bitmap + (i >> 3), 8);
    count += std::popcount(word);
  }
  for (; i < end; ++i) count += GetBit(bitmap, i);
  return count;
}

void CopyBits(const uint8_t* src, int64_t src_offset, int64_t length, uint8_t* dest,
              int64_t dest_offset) {
  if ((src_offset & 7) == 0 && (dest_offset & 7) == 0) {
    const int64_t whole_bytes = length >> 3;
    std::memcpy(dest + (dest_offset >> 3), src + (src_offset >> 3), size_t(whole_bytes));
    for (int64_t i = whole_bytes * 8; i < length; ++i) {
      SetBitTo(dest, dest_offset + i, GetBit(src, src_offset + i));
    }
    return;
  }
  for (int64_t i = 0; i < length; ++i) SetBitTo(dest, dest_offset + i, GetBit(src, src_offset + i));
}

}  // namespace tessera::bits
