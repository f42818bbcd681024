// Stacking columns and tables: one allocation per output buffer, then bulk copies.
#include <cstring>
#include <map>

#include "tessera/base/error.hpp"
#include "tessera/table/column_builder.hpp"
#include "tessera/table/table.hpp"

namespace tessera {

namespace {

BufferPtr ConcatenateValidity(const std::vector<ColumnPtr>& columns, int64_t total,
                              int64_t* null_count) {
  *null_count = 0;
  for (const auto& c : columns) *null_count += c->null_count();
  if (*null_count == 0) return nullptr;
  auto bitmap = memory::Buffer::Allocate(bits::BytesForBits(total));
  std::memset(bitmap->mutable_data(), 0xFF, size_t(bitmap->size()));
  int64_t position = 0;
  for (const auto& c : columns) {
    if (c->has_nulls()) {
      bits::CopyBits(c->validity_data(), c->offset(), c->length(), bitmap->mutable_data(), position);
    }
    position += c->length();
  }
  return bitmap;
}

ColumnPtr ConcatenateStrings(const std::vector<ColumnPtr>& columns, int64_t total) {
  int64_t total_bytes = 0;
  for (const auto& c : columns) {
    const int64_t* o = c->string_offsets();
    total_bytes += o[c->length()] - o[0];
  }
  auto offsets = memory::Buffer::Allocate((total + 1) * int64_t(sizeof(int64_t)));
  auto bytes = memory::Buffer::Allocate(total_bytes);
  int64_t* out_offsets = offsets->mutable_data_as<int64_t>();
  out_offsets[0] = 0;
  int64_t row = 0, byte = 0;
  for (const auto& c : columns) {
    const int64_t* o = c->string_offsets();
    const int64_t start = o[0];
    std::memcpy(bytes->mutable_data() + byte, c->string_data() + start, size_t(o[c->length()] - start));
    for (int64_t i = 1; i <= c->length(); ++i) out_offsets[row + i] = byte + (o[i] - start);
    row += c->length();
    byte += o[c->length()] - start;
  }
  int64_t null_count;
  auto validity = ConcatenateValidity(columns, total, &null_count);
  return Column::Make(types::String(), total, std::move(bytes), std::move(validity), null_count,
                      std::move(offsets));
}

ColumnPtr ConcatenateCategoricals(const std::vector<ColumnPtr>& columns, int64_t total) {
  bool same_dictionary = true;
  for (const auto& c : columns) {
    same_dictionary = same_dictionary && ColumnsEqual(*c->dictionary(), *columns[0]->dictionary());
  }
  // Merge categories in sorted order (pandas' union of categoricals with sort_categories).
  std::map<std::string, int32_t> merged;
  if (!same_dictionary) {
    for (const auto& c : columns) {
      for (int64_t i = 0; i < c->dictionary()->length(); ++i) {
        merged.emplace(std::string(c->dictionary()->GetString(i)), 0);
      }
    }
    int32_t code = 0;
    for (auto& entry : merged) entry.second = code++;
  }
  FixedWidthBuilder<int32_t> codes(types::Categorical(), total);
  for (const auto& c : columns) {
    std::vector<int32_t> remap;
    if (!same_dictionary) {
      for (int64_t i = 0; i < c->dictionary()->length(); ++i) {
        remap.push_back(merged[std::string(c->dictionary()->GetString(i))]);
      }
    }
    const int32_t* values = c->values<int32_t>();
    for (int64_t i = 0; i < c->length(); ++i) {
      if (c->IsNull(i)) {
        codes.UnsafeAppendNull();
      } else {
        codes.UnsafeAppend(same_dictionary ? values[i] : remap[size_t(values[i])]);
      }
    }
  }
  ColumnPtr dictionary = columns[0]->dictionary();
  if (!same_dictionary) {
    StringBuilder builder(int64_t(merged.size()));
    for (const auto& entry : merged) builder.Append(entry.first);
    dictionary = builder.Finish();
  }
  return codes.Finish(dictionary);
}

}  // namespace

ColumnPtr ConcatenateColumns(const std::vector<ColumnPtr>& columns) {
  if (columns.empty()) throw InvalidArgument("cannot concatenate zero columns");
  if (columns.size() == 1) return columns[0];
  const DataType type = columns[0]->type();
  int64_t total = 0;
  for (const auto& c : columns) {
    if (c->type() != type) {
      throw TypeError("cannot concatenate columns of types " + type.ToString() + " and " +
                      c->type().ToString() + "; cast them to one type first");
    }
    total += c->length();
  }
  if (type.id() == TypeId::kString) return ConcatenateStrings(columns, total);
  if (type.id() == TypeId::kCategorical) return ConcatenateCategoricals(columns, total);
  const int width = type.ByteWidth();
  auto values = memory::Buffer::Allocate(total * width);
  int64_t position = 0;
  for (const auto& c : columns) {
    std::memcpy(values->mutable_data() + position * width,
                c->values_buffer()->data() + c->offset() * width, size_t(c->length() * width));
    position += c->length();
  }
  int64_t null_count;
  auto validity = ConcatenateValidity(columns, total, &null_count);
  return Column::Make(type, total, std::move(values), std::move(validity), null_count);
}

TablePtr ConcatenateTables(const std::vector<TablePtr>& tables) {
  if (tables.empty()) throw InvalidArgument("cannot concatenate zero tables");
  if (tables.size() == 1) return tables[0];
  const Schema& schema = tables[0]->schema();
  for (const auto& t : tables) {
    if (!(t->schema() == schema)) {
      throw TypeError("cannot concatenate tables with different columns or dtypes:\n" +
                      schema.ToString() + "versus\n" + t->schema().ToString());
    }
    if (t->has_index() != tables[0]->has_index()) {
      throw TypeError("cannot concatenate tables where only some have an index");
    }
  }
  std::vector<ColumnPtr> columns;
  for (int i = 0; i < schema.num_fields(); ++i) {
    std::vector<ColumnPtr> pieces;
    for (const auto& t : tables) pieces.push_back(t->column(i));
    columns.push_back(ConcatenateColumns(pieces));
  }
  ColumnPtr index;
  if (tables[0]->has_index()) {
    std::vector<ColumnPtr> pieces;
    for (const auto& t : tables) pieces.push_back(t->index());
    index = ConcatenateColumns(pieces);
  }
  return Table::Make(tables[0]->column_names(), std::move(columns), std::move(index),
                     tables[0]->index_name());
}

}  // namespace tessera
