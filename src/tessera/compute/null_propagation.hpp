// How elementwise kernels carry nulls from inputs to results: validity bitmaps re-based to the
// result's row 0 (inputs may be slices starting at any bit), intersected word by word for binary
// kernels, and the "float nulls hold NaN" rule restored after a float result is computed.
// Internal to the compute layer.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>

#include "tessera/memory/buffer.hpp"
#include "tessera/table/column.hpp"

namespace tessera::compute::internal {

/// 64 bits of `bitmap` starting at bit `offset` (bit j of the result is bit offset + j).
/// The bitmap must hold at least offset + 64 bits.
inline uint64_t LoadBits64(const uint8_t* bitmap, int64_t offset) {
  const uint8_t* bytes = bitmap + (offset >> 3);
  const int shift = int(offset & 7);
  uint64_t word;
  std::memcpy(&word, bytes, sizeof word);
  if (shift == 0) return word;
  return (word >> shift) | (uint64_t(bytes[8]) << (64 - shift));
}

/// A buffer a kernel is still writing; shared as BufferPtr once the result column is made.
using MutableBuffer = std::shared_ptr<memory::Buffer>;

/// Uninitialised pool storage for `length` values of T.
template <typename T>
MutableBuffer AllocateValues(int64_t length) {
  return memory::Buffer::Allocate(length * int64_t(sizeof(T)));
}

/// `length` bits of `bitmap` from bit `offset`, copied so that bit 0 is the first.
std::shared_ptr<memory::Buffer> CopyBitmap(const uint8_t* bitmap, int64_t offset, int64_t length);

/// The validity of `column` re-based so that bit 0 is row 0: the column's own buffer when it is
/// not sliced, a copy otherwise; null when the column has no nulls.
BufferPtr RebasedValidity(const Column& column);

/// Rows valid in both columns (of equal length), re-based to bit 0; null when no row is null.
BufferPtr IntersectValidity(const Column& a, const Column& b, int64_t* null_count);

/// Calls fn(i) for every row i whose bit is clear in a re-based `validity` of `length` bits.
/// Skips whole words of valid rows, so it costs little when nulls are rare.
template <typename Fn>
void ForEachNull(const uint8_t* validity, int64_t length, Fn&& fn) {
  if (validity == nullptr) return;
  int64_t i = 0;
  for (; i + 64 <= length; i += 64) {
    uint64_t nulls = ~LoadBits64(validity, i);
    while (nulls != 0) {
      fn(i + __builtin_ctzll(nulls));
      nulls &= nulls - 1;
    }
  }
  for (; i < length; ++i) {
    if (!bits::GetBit(validity, i)) fn(i);
  }
}

/// Calls fn(i) for every null row i of `column` (reading its bitmap at the column's offset).
template <typename Fn>
void ForEachNull(const Column& column, Fn&& fn) {
  if (!column.has_nulls()) return;
  const uint8_t* validity = column.validity_data();
  const int64_t offset = column.offset();
  const int64_t length = column.length();
  int64_t i = 0;
  for (; i + 64 <= length; i += 64) {
    uint64_t nulls = ~LoadBits64(validity, offset + i);
    while (nulls != 0) {
      fn(i + __builtin_ctzll(nulls));
      nulls &= nulls - 1;
    }
  }
  for (; i < length; ++i) {
    if (!column.IsValid(i)) fn(i);
  }
}

/// Writes `fill` into the null slots of a result (NaN for floats, so NumPy sees NaN there).
template <typename T>
void FillNullSlots(T* values, const uint8_t* validity, int64_t length, T fill) {
  ForEachNull(validity, length, [&](int64_t i) { values[i] = fill; });
}

/// A fixed-width column of `length` nulls (values 0, or NaN for floats).
ColumnPtr MakeAllNull(DataType type, int64_t length);

/// Throws InvalidArgument unless two operands of a binary kernel have the same length.
void CheckSameLength(const Column& a, const Column& b, const char* kernel);

/// Bit i set when byte i of `mask` is non-zero: turns a per-row bool array into a bitmap.
std::shared_ptr<memory::Buffer> BitmapFromBytes(const uint8_t* mask, int64_t length,
                                                int64_t* unset_count);

}  // namespace tessera::compute::internal
