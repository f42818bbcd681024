#include "tessera/base/bits.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace tessera::bits {

TEST(BitsTest, CountMatchesReferenceAtEveryOffset) {
  std::mt19937 rng(7);
  std::vector<uint8_t> bitmap(64);
  for (auto& byte : bitmap) byte = uint8_t(rng());
  for (int64_t offset = 0; offset < 70; offset += 3) {
    for (int64_t length : {0, 1, 7, 64, 65, 300}) {
      if (offset + length > 512) continue;
      int64_t expected = 0;
      for (int64_t i = offset; i < offset + length; ++i) expected += GetBit(bitmap.data(), i);
      EXPECT_EQ(CountSetBits(bitmap.data(), offset, length), expected) << offset << " " << length;
    }
  }
}

TEST(BitsTest, CopyBitsUnalignedAndAligned) {
  std::vector<uint8_t> src = {0b10110101, 0b01100110, 0b11110000};
  for (int64_t src_offset : {0, 3, 8}) {
    for (int64_t dest_offset : {0, 5, 16}) {
      std::vector<uint8_t> dest(6, 0);
      CopyBits(src.data(), src_offset, 13, dest.data(), dest_offset);
      for (int64_t i = 0; i < 13; ++i) {
        EXPECT_EQ(GetBit(dest.data(), dest_offset + i), GetBit(src.data(), src_offset + i));
      }
    }
  }
}

TEST(BitsTest, SetAndClear) {
  uint8_t bitmap[2] = {0, 0};
  SetBit(bitmap, 9);
  EXPECT_EQ(bitmap[1], 0b10);
  SetBitTo(bitmap, 0, true);
  ClearBit(bitmap, 9);
  EXPECT_EQ(bitmap[0], 1);
  EXPECT_EQ(bitmap[1], 0);
}

}  // namespace tessera::bits
