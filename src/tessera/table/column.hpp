// An immutable column of one type: values (+ offsets for strings, + a dictionary for
// categoricals) and an optional validity bitmap (absent = no nulls). Slices share buffers and
// carry a row offset, as Arrow arrays do. Float nulls also hold NaN in their value slot, so the
// values array alone is what NumPy and pandas expect.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "tessera/base/bits.hpp"
#include "tessera/memory/buffer.hpp"
#include "tessera/table/data_type.hpp"

namespace tessera {

class Column;
using ColumnPtr = std::shared_ptr<const Column>;
using memory::BufferPtr;

class Column {
 public:
  /// Wraps finished buffers. `null_count` < 0 means "count it from the bitmap".
  /// Strings: `values` holds bytes and `offsets` holds length+1 int64 positions into it.
  /// Categorical: `values` holds int32 codes and `dictionary` the string categories.
  static ColumnPtr Make(DataType type, int64_t length, BufferPtr values, BufferPtr validity,
                        int64_t null_count = -1, BufferPtr offsets = nullptr,
                        ColumnPtr dictionary = nullptr);

  DataType type() const { return type_; }
  int64_t length() const { return length_; }
  int64_t null_count() const { return null_count_; }
  bool has_nulls() const { return null_count_ > 0; }
  /// Row offset into the buffers (non-zero for slices).
  int64_t offset() const { return offset_; }

  bool IsValid(int64_t i) const {
    return validity_ == nullptr || bits::GetBit(validity_->data(), offset_ + i);
  }
  bool IsNull(int64_t i) const { return !IsValid(i); }

  /// Typed values of a fixed-width column, already advanced by offset().
  template <typename T>
  const T* values() const {
    return values_->data_as<T>() + offset_;
  }
  /// String offsets (length()+1 entries, already advanced by offset()).
  const int64_t* string_offsets() const { return offsets_->data_as<int64_t>() + offset_; }
  const char* string_data() const { return values_->data_as<char>(); }
  std::string_view GetString(int64_t i) const {
    const int64_t* o = string_offsets();
    return {string_data() + o[i], size_t(o[i + 1] - o[i])};
  }
  /// Categorical: the dictionary of categories (a string column).
  const ColumnPtr& dictionary() const { return dictionary_; }

  /// Validity bitmap bytes or null; bit offset() is row 0.
  const uint8_t* validity_data() const { return validity_ ? validity_->data() : nullptr; }
  const BufferPtr& validity_buffer() const { return validity_; }
  const BufferPtr& values_buffer() const { return values_; }
  const BufferPtr& offsets_buffer() const { return offsets_; }

  /// Rows [offset, offset + length) without copying.
  ColumnPtr Slice(int64_t offset, int64_t length) const;
  /// Bytes this column's rows occupy (values, offsets, bitmap, dictionary).
  int64_t nbytes() const;

 private:
  Column() = default;

  DataType type_;
  int64_t length_ = 0;
  int64_t offset_ = 0;
  int64_t null_count_ = 0;
  BufferPtr values_;
  BufferPtr validity_;
  BufferPtr offsets_;
  ColumnPtr dictionary_;
};

}  // namespace tessera
