#include "tessera/table/column_builder.hpp"

#include <algorithm>
#include <map>

#include "tessera/base/error.hpp"
#include "tessera/base/timestamp_parse.hpp"

namespace tessera {

void ValidityBuilder::Reserve(int64_t capacity) {
  if (capacity <= capacity_) return;
  if (bitmap_ != nullptr) {
    const int64_t old_bytes = bitmap_->size();
    const int64_t new_bytes = bits::BytesForBits(capacity);
    bitmap_->Resize(new_bytes);
    std::memset(bitmap_->mutable_data() + old_bytes, 0xFF, size_t(new_bytes - old_bytes));
  }
  capacity_ = capacity;
}

void ValidityBuilder::SetNull(int64_t i) {
  if (bitmap_ == nullptr) {
    const int64_t bytes = bits::BytesForBits(std::max<int64_t>(capacity_, i + 1));
    bitmap_ = memory::Buffer::Allocate(bytes);
    std::memset(bitmap_->mutable_data(), 0xFF, size_t(bytes));
  }
  bits::ClearBit(bitmap_->mutable_data(), i);
  ++null_count_;
}

BufferPtr ValidityBuilder::Finish(int64_t length) {
  if (bitmap_ == nullptr) return nullptr;
  bitmap_->Resize(bits::BytesForBits(length));
  BufferPtr result = std::move(bitmap_);
  bitmap_ = nullptr;
  return result;
}

StringBuilder::StringBuilder(int64_t capacity, int64_t byte_capacity) {
  offsets_ = memory::Buffer::Allocate(sizeof(int64_t));
  offsets_->mutable_data_as<int64_t>()[0] = 0;
  bytes_ = memory::Buffer::Allocate(0);
  Reserve(capacity);
  ReserveBytes(byte_capacity);
}

void StringBuilder::Reserve(int64_t capacity) {
  if (capacity <= capacity_) return;
  capacity = std::max<int64_t>(capacity, capacity_ * 2);
  offsets_->Resize((capacity + 1) * int64_t(sizeof(int64_t)));
  validity_.Reserve(capacity);
  capacity_ = capacity;
}

void StringBuilder::ReserveBytes(int64_t bytes) {
  if (bytes <= byte_capacity_) return;
  bytes = std::max<int64_t>(bytes, byte_capacity_ * 2);
  bytes_->Resize(bytes);
  byte_capacity_ = bytes;
}

ColumnPtr StringBuilder::Finish() {
  offsets_->Resize((length_ + 1) * int64_t(sizeof(int64_t)));
  bytes_->Resize(num_bytes_);
  auto validity = validity_.Finish(length_);
  return Column::Make(types::String(), length_, std::move(bytes_), std::move(validity),
                      validity_.null_count(), std::move(offsets_));
}

ColumnPtr MakeStringColumn(const std::vector<std::optional<std::string>>& values) {
  StringBuilder builder(int64_t(values.size()));
  for (const auto& value : values) {
    if (value) {
      builder.Append(*value);
    } else {
      builder.AppendNull();
    }
  }
  return builder.Finish();
}

template <typename T>
static ColumnPtr MakeFromOptionals(DataType type, const std::vector<std::optional<T>>& values) {
  FixedWidthBuilder<T> builder(type, int64_t(values.size()));
  for (const auto& value : values) builder.AppendOptional(value);
  return builder.Finish();
}

ColumnPtr MakeBoolColumn(const std::vector<std::optional<bool>>& values) {
  std::vector<std::optional<uint8_t>> bytes;
  for (const auto& value : values) {
    bytes.push_back(value ? std::optional<uint8_t>(uint8_t(*value)) : std::nullopt);
  }
  return MakeFromOptionals<uint8_t>(types::Bool(), bytes);
}

ColumnPtr MakeInt64Column(const std::vector<std::optional<int64_t>>& values) {
  return MakeFromOptionals<int64_t>(types::Int64(), values);
}

ColumnPtr MakeFloat64Column(const std::vector<std::optional<double>>& values) {
  return MakeFromOptionals<double>(types::Float64(), values);
}

ColumnPtr MakeTimestampColumn(const std::vector<std::optional<std::string>>& values, TimeUnit unit) {
  FixedWidthBuilder<int64_t> builder(types::Timestamp(unit), int64_t(values.size()));
  for (const auto& value : values) {
    if (!value) {
      builder.AppendNull();
      continue;
    }
    int64_t ticks = 0;
    if (!ParseIsoTimestamp(*value, &ticks, TicksPerSecond(unit))) {
      throw InvalidArgument("'" + *value + "' is not an ISO 8601 timestamp within the range of " +
                            types::Timestamp(unit).ToString());
    }
    builder.Append(ticks);
  }
  return builder.Finish();
}

ColumnPtr MakeCategoricalColumn(const std::vector<std::optional<std::string>>& values) {
  std::map<std::string, int32_t> categories;
  for (const auto& value : values) {
    if (value) categories.emplace(*value, 0);
  }
  StringBuilder dictionary(int64_t(categories.size()));
  int32_t code = 0;
  for (auto& [category, index] : categories) {
    index = code++;
    dictionary.Append(category);
  }
  FixedWidthBuilder<int32_t> codes(types::Categorical(), int64_t(values.size()));
  for (const auto& value : values) {
    if (value) {
      codes.Append(categories[*value]);
    } else {
      codes.AppendNull();
    }
  }
  return codes.Finish(dictionary.Finish());
}

}  // namespace tessera
