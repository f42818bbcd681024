// Builders append values into pool buffers and hand out an immutable Column at Finish(). They
// reserve once when the row count is known (the CSV reader knows it per block), so the hot loop
// writes through a raw pointer. A builder is used by one thread at a time.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/table/column.hpp"

namespace tessera {

/// Validity bits built alongside values; allocated only when the first null arrives.
class ValidityBuilder {
 public:
  void Reserve(int64_t capacity);
  /// Marks row i (< capacity) as null; earlier rows are valid unless marked.
  void SetNull(int64_t i);
  int64_t null_count() const { return null_count_; }
  /// The bitmap for `length` rows, or null when no row is null.
  BufferPtr Finish(int64_t length);

 private:
  std::shared_ptr<memory::Buffer> bitmap_;
  int64_t capacity_ = 0;
  int64_t null_count_ = 0;
};

template <typename T>
class FixedWidthBuilder {
 public:
  explicit FixedWidthBuilder(DataType type, int64_t capacity = 0) : type_(type) {
    values_ = memory::Buffer::Allocate(0);
    Reserve(capacity);
  }

  void Reserve(int64_t capacity) {
    if (capacity <= capacity_) return;
    capacity = std::max<int64_t>(capacity, capacity_ * 2);
    values_->Reserve(capacity * int64_t(sizeof(T)));
    validity_.Reserve(capacity);
    capacity_ = capacity;
  }
  void Append(T value) {
    if (length_ == capacity_) Reserve(length_ + 1);
    UnsafeAppend(value);
  }
  /// Appends without checking capacity (the caller reserved).
  void UnsafeAppend(T value) { values_->mutable_data_as<T>()[length_++] = value; }
  void AppendNull() {
    if (length_ == capacity_) Reserve(length_ + 1);
    UnsafeAppendNull();
  }
  void UnsafeAppendNull() {
    validity_.SetNull(length_);
    values_->mutable_data_as<T>()[length_++] = NullFill();
  }
  void AppendOptional(const std::optional<T>& value) {
    value ? Append(*value) : AppendNull();
  }
  int64_t length() const { return length_; }
  /// Raw access for kernels that write every slot themselves (then call SetLength).
  T* mutable_values() { return values_->mutable_data_as<T>(); }
  void SetLength(int64_t length) { length_ = length; }
  void SetNull(int64_t i) {
    validity_.SetNull(i);
    mutable_values()[i] = NullFill();
  }

  ColumnPtr Finish(ColumnPtr dictionary = nullptr) {
    values_->Resize(length_ * int64_t(sizeof(T)));
    auto validity = validity_.Finish(length_);
    return Column::Make(type_, length_, std::move(values_), std::move(validity),
                        validity_.null_count(), nullptr, std::move(dictionary));
  }

 private:
  static T NullFill() {
    if constexpr (std::is_floating_point_v<T>) return std::nan("");
    return T{};
  }

  DataType type_;
  std::shared_ptr<memory::Buffer> values_;
  ValidityBuilder validity_;
  int64_t length_ = 0;
  int64_t capacity_ = 0;
};

class StringBuilder {
 public:
  explicit StringBuilder(int64_t capacity = 0, int64_t byte_capacity = 0);

  void Reserve(int64_t capacity);
  void ReserveBytes(int64_t bytes);
  void Append(std::string_view value) {
    if (length_ == capacity_) Reserve(length_ + 1);
    if (num_bytes_ + int64_t(value.size()) > byte_capacity_) ReserveBytes(num_bytes_ + value.size());
    UnsafeAppend(value);
  }
  /// Appends when both row and byte capacity were reserved.
  void UnsafeAppend(std::string_view value) {
    std::memcpy(bytes_->mutable_data() + num_bytes_, value.data(), value.size());
    num_bytes_ += int64_t(value.size());
    offsets_->mutable_data_as<int64_t>()[++length_] = num_bytes_;
  }
  void AppendNull() {
    if (length_ == capacity_) Reserve(length_ + 1);
    validity_.SetNull(length_);
    offsets_->mutable_data_as<int64_t>()[++length_] = num_bytes_;
  }
  void AppendOptional(const std::optional<std::string_view>& value) {
    value ? Append(*value) : AppendNull();
  }
  int64_t length() const { return length_; }
  int64_t num_bytes() const { return num_bytes_; }
  int64_t byte_capacity() const { return byte_capacity_; }
  ColumnPtr Finish();

 private:
  std::shared_ptr<memory::Buffer> offsets_;
  std::shared_ptr<memory::Buffer> bytes_;
  ValidityBuilder validity_;
  int64_t length_ = 0;
  int64_t capacity_ = 0;
  int64_t num_bytes_ = 0;
  int64_t byte_capacity_ = 0;
};

/// Column from a vector, for tests, examples and small literals. Nulls where `valid` is false.
template <typename T>
ColumnPtr MakeColumn(DataType type, const std::vector<T>& values,
                     const std::vector<bool>& valid = {}) {
  FixedWidthBuilder<T> builder(type, int64_t(values.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    if (!valid.empty() && !valid[i]) {
      builder.AppendNull();
    } else {
      builder.Append(values[i]);
    }
  }
  return builder.Finish();
}

ColumnPtr MakeStringColumn(const std::vector<std::optional<std::string>>& values);
ColumnPtr MakeBoolColumn(const std::vector<std::optional<bool>>& values);
ColumnPtr MakeInt64Column(const std::vector<std::optional<int64_t>>& values);
ColumnPtr MakeFloat64Column(const std::vector<std::optional<double>>& values);
/// Timestamps from ISO strings ("2015-01-01 00:00:00") in `unit` (digits finer than the unit
/// are dropped, toward the past); nullopt is a null.
ColumnPtr MakeTimestampColumn(const std::vector<std::optional<std::string>>& values,
                              TimeUnit unit = TimeUnit::kNano);
/// Categorical column from string values; categories sorted as pandas does.
ColumnPtr MakeCategoricalColumn(const std::vector<std::optional<std::string>>& values);

}  // namespace tessera
