#include "tessera/table/column.hpp"

#include <string>

#include "tessera/base/error.hpp"

namespace tessera {

ColumnPtr Column::Make(DataType type, int64_t length, BufferPtr values, BufferPtr validity,
                       int64_t null_count, BufferPtr offsets, ColumnPtr dictionary) {
  if (values == nullptr) throw Internal("column of type " + type.ToString() + " without values");
  if (type.id() == TypeId::kString && offsets == nullptr) {
    throw Internal("string column without offsets");
  }
  if (type.id() == TypeId::kCategorical && dictionary == nullptr) {
    throw Internal("categorical column without a dictionary");
  }
  std::shared_ptr<Column> column(new Column());
  column->type_ = type;
  column->length_ = length;
  column->values_ = std::move(values);
  column->offsets_ = std::move(offsets);
  column->dictionary_ = std::move(dictionary);
  if (validity != nullptr) {
    column->null_count_ =
        null_count >= 0 ? null_count : length - bits::CountSetBits(validity->data(), 0, length);
    // A bitmap without nulls is dropped so kernels take their fast path.
    if (column->null_count_ > 0) column->validity_ = std::move(validity);
  }
  return column;
}

ColumnPtr Column::Slice(int64_t offset, int64_t length) const {
  if (offset < 0 || length < 0 || offset + length > length_) {
    throw IndexError("slice [" + std::to_string(offset) + ", " + std::to_string(offset + length) +
                     ") is out of bounds for a column of " + std::to_string(length_) + " rows");
  }
  std::shared_ptr<Column> slice(new Column(*this));
  slice->offset_ = offset_ + offset;
  slice->length_ = length;
  if (validity_ != nullptr) {
    slice->null_count_ = length - bits::CountSetBits(validity_->data(), slice->offset_, length);
    if (slice->null_count_ == 0) slice->validity_ = nullptr;
  }
  return slice;
}

int64_t Column::nbytes() const {
  int64_t bytes = validity_ ? bits::BytesForBits(length_) : 0;
  if (type_.id() == TypeId::kString) {
    const int64_t* o = string_offsets();
    bytes += (length_ + 1) * int64_t(sizeof(int64_t)) + (o[length_] - o[0]);
  } else {
    bytes += length_ * type_.ByteWidth();
  }
  if (dictionary_ != nullptr) bytes += dictionary_->nbytes();
  return bytes;
}

}  // namespace tessera
