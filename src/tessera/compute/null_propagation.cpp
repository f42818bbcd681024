#include "tessera/compute/null_propagation.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <string>

#include "tessera/base/error.hpp"

namespace tessera::compute::internal {

std::shared_ptr<memory::Buffer> CopyBitmap(const uint8_t* bitmap, int64_t offset, int64_t length) {
  const int64_t num_bytes = bits::BytesForBits(length);
  auto result = memory::Buffer::Allocate(num_bytes);
  uint8_t* out = result->mutable_data();
  if ((offset & 7) == 0) {
    if (num_bytes > 0) std::memcpy(out, bitmap + (offset >> 3), size_t(num_bytes));
    return result;
  }
  int64_t i = 0;
  for (; i + 64 <= length; i += 64) {
    const uint64_t word = LoadBits64(bitmap, offset + i);
    std::memcpy(out + (i >> 3), &word, sizeof word);
  }
  for (; i < length; ++i) bits::SetBitTo(out, i, bits::GetBit(bitmap, offset + i));
  return result;
}

BufferPtr RebasedValidity(const Column& column) {
  if (!column.has_nulls()) return nullptr;
  if (column.offset() == 0) return column.validity_buffer();
  return CopyBitmap(column.validity_data(), column.offset(), column.length());
}

BufferPtr IntersectValidity(const Column& a, const Column& b, int64_t* null_count) {
  if (!a.has_nulls() && !b.has_nulls()) {
    *null_count = 0;
    return nullptr;
  }
  if (!b.has_nulls()) {
    *null_count = a.null_count();
    return RebasedValidity(a);
  }
  if (!a.has_nulls()) {
    *null_count = b.null_count();
    return RebasedValidity(b);
  }
  const int64_t length = a.length();
  auto result = memory::Buffer::Allocate(bits::BytesForBits(length));
  uint8_t* out = result->mutable_data();
  const uint8_t* a_bits = a.validity_data();
  const uint8_t* b_bits = b.validity_data();
  int64_t valid = 0;
  int64_t i = 0;
  for (; i + 64 <= length; i += 64) {
    const uint64_t word = LoadBits64(a_bits, a.offset() + i) & LoadBits64(b_bits, b.offset() + i);
    valid += std::popcount(word);
    std::memcpy(out + (i >> 3), &word, sizeof word);
  }
  for (; i < length; ++i) {
    const bool bit = a.IsValid(i) && b.IsValid(i);
    valid += bit;
    bits::SetBitTo(out, i, bit);
  }
  *null_count = length - valid;
  return result;
}

ColumnPtr MakeAllNull(DataType type, int64_t length) {
  auto values = memory::Buffer::AllocateZeroed(length * type.ByteWidth());
  if (type.id() == TypeId::kFloat64) {
    std::fill_n(values->mutable_data_as<double>(), length, std::numeric_limits<double>::quiet_NaN());
  } else if (type.id() == TypeId::kFloat32) {
    std::fill_n(values->mutable_data_as<float>(), length, std::numeric_limits<float>::quiet_NaN());
  }
  auto validity = memory::Buffer::AllocateZeroed(bits::BytesForBits(length));
  return Column::Make(type, length, std::move(values), std::move(validity), length);
}

void CheckSameLength(const Column& a, const Column& b, const char* kernel) {
  if (a.length() != b.length()) {
    throw InvalidArgument(std::string(kernel) + " needs columns of equal length, got " +
                          std::to_string(a.length()) + " and " + std::to_string(b.length()) +
                          " rows; align or slice the inputs first");
  }
}

std::shared_ptr<memory::Buffer> BitmapFromBytes(const uint8_t* mask, int64_t length,
                                                int64_t* unset_count) {
  auto result = memory::Buffer::Allocate(bits::BytesForBits(length));
  uint8_t* out = result->mutable_data();
  int64_t set = 0;
  int64_t i = 0;
  for (; i + 8 <= length; i += 8) {
    uint8_t byte = 0;
    for (int j = 0; j < 8; ++j) byte |= uint8_t((mask[i + j] != 0) << j);
    set += std::popcount(unsigned(byte));
    out[i >> 3] = byte;
  }
  if (i < length) {
    uint8_t byte = 0;
    for (int j = 0; i + j < length; ++j) byte |= uint8_t((mask[i + j] != 0) << j);
    set += std::popcount(unsigned(byte));
    out[i >> 3] = byte;
  }
  *unset_count = length - set;
  return result;
}

}  // namespace tessera::compute::internal
