// Filter and Take. Both reduce to one gather per column driven by an int64 row-index array;
// dispatch on the column type happens once, then a tight typed loop copies the values.
#include "tessera/compute/selection.hpp"

#include <string>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {

namespace {

template <typename T>
ColumnPtr GatherFixedWidth(const Column& column, const int64_t* indices, int64_t count,
                           bool has_missing) {
  FixedWidthBuilder<T> builder(column.type(), count);
  T* out = builder.mutable_values();
  const T* in = column.values<T>();
  builder.SetLength(count);
  if (!has_missing && !column.has_nulls()) {
    // Random gathers miss the cache; touching the row some iterations ahead overlaps the misses.
    constexpr int64_t kLookahead = 32;
    int64_t i = 0;
    for (; i + kLookahead < count; ++i) {
      __builtin_prefetch(&in[indices[i + kLookahead]]);
      out[i] = in[indices[i]];
    }
    for (; i < count; ++i) out[i] = in[indices[i]];
    return builder.Finish(column.dictionary());
  }
  for (int64_t i = 0; i < count; ++i) {
    const int64_t j = indices[i];
    out[i] = j >= 0 ? in[j] : T{};
  }
  for (int64_t i = 0; i < count; ++i) {
    const int64_t j = indices[i];
    if (j < 0 || column.IsNull(j)) builder.SetNull(i);
  }
  return builder.Finish(column.dictionary());
}

ColumnPtr GatherStrings(const Column& column, const int64_t* indices, int64_t count) {
  const int64_t* offsets = column.string_offsets();
  int64_t total_bytes = 0;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t j = indices[i];
    if (j >= 0) total_bytes += offsets[j + 1] - offsets[j];
  }
  StringBuilder builder(count, total_bytes);
  if (!column.has_nulls()) {
    for (int64_t i = 0; i < count; ++i) {
      const int64_t j = indices[i];
      if (j >= 0) {
        builder.UnsafeAppend(column.GetString(j));
      } else {
        builder.AppendNull();
      }
    }
  } else {
    for (int64_t i = 0; i < count; ++i) {
      const int64_t j = indices[i];
      if (j >= 0 && column.IsValid(j)) {
        builder.UnsafeAppend(column.GetString(j));
      } else {
        builder.AppendNull();
      }
    }
  }
  return builder.Finish();
}

// Gathers with indices already checked to lie in [-1, length).
ColumnPtr Gather(const Column& column, const int64_t* indices, int64_t count, bool has_missing) {
  if (column.type().id() == TypeId::kString) return GatherStrings(column, indices, count);
  return VisitFixedWidth(column.type(), [&](auto tag) {
    return GatherFixedWidth<decltype(tag)>(column, indices, count, has_missing);
  });
}

// Checks every index against [-1, length) in one branch-free pass; returns whether any is -1.
bool CheckIndices(std::span<const int64_t> indices, int64_t length) {
  bool out_of_range = false;
  bool has_missing = false;
  for (const int64_t j : indices) {
    out_of_range |= uint64_t(j + 1) > uint64_t(length);
    has_missing |= j == -1;
  }
  if (out_of_range) {
    for (size_t i = 0; i < indices.size(); ++i) {
      if (uint64_t(indices[i] + 1) > uint64_t(length)) {
        throw IndexError("take: index " + std::to_string(indices[i]) + " at position " +
                         std::to_string(i) + " is out of bounds for " + std::to_string(length) +
                         " rows; valid indices are -1 (null row) and 0.." +
                         std::to_string(length - 1));
      }
    }
  }
  return has_missing;
}

// The indices of an int64 column as a span; nulls become -1 (copied into `storage`).
std::span<const int64_t> IndicesOf(const Column& indices, std::vector<int64_t>* storage) {
  if (indices.type().id() != TypeId::kInt64) {
    throw TypeError("take: indices must be an int64 column, got " + indices.type().ToString() +
                    "; cast them to int64 first");
  }
  const int64_t* values = indices.values<int64_t>();
  if (!indices.has_nulls()) return {values, size_t(indices.length())};
  storage->resize(size_t(indices.length()));
  for (int64_t i = 0; i < indices.length(); ++i) {
    (*storage)[size_t(i)] = indices.IsValid(i) ? values[i] : -1;
  }
  return *storage;
}

TablePtr GatherTable(const Table& table, std::span<const int64_t> indices, bool has_missing) {
  const int64_t count = int64_t(indices.size());
  std::vector<ColumnPtr> columns;
  columns.reserve(size_t(table.num_columns()));
  for (const auto& column : table.columns()) {
    columns.push_back(Gather(*column, indices.data(), count, has_missing));
  }
  ColumnPtr index;
  if (table.has_index()) index = Gather(*table.index(), indices.data(), count, has_missing);
  return Table::Make(table.column_names(), std::move(columns), std::move(index),
                     table.index_name());
}

// Positions of the rows the mask keeps; empty with *keeps_all set when it keeps every row.
std::vector<int64_t> SelectedRows(const Column& mask, int64_t length, bool* keeps_all) {
  if (mask.type().id() != TypeId::kBool) {
    throw TypeError("filter: the mask must be a bool column, got " + mask.type().ToString() +
                    "; compare the column first (e.g. x > 0) to get a mask");
  }
  if (mask.length() != length) {
    throw InvalidArgument("filter: the mask has " + std::to_string(mask.length()) +
                          " rows but the data has " + std::to_string(length) +
                          "; the mask must have one value per row");
  }
  const uint8_t* values = mask.values<uint8_t>();
  int64_t selected = 0;
  if (!mask.has_nulls()) {
    for (int64_t i = 0; i < length; ++i) selected += values[i] != 0;
  } else {
    for (int64_t i = 0; i < length; ++i) selected += values[i] != 0 && mask.IsValid(i);
  }
  *keeps_all = selected == length;
  std::vector<int64_t> rows;
  if (*keeps_all) return rows;
  rows.resize(size_t(selected));
  int64_t position = 0;
  if (!mask.has_nulls()) {
    // Branch-free compaction: always write, advance only when selected.
    for (int64_t i = 0; i < length && position < selected; ++i) {
      rows[size_t(position)] = i;
      position += values[i] != 0;
    }
  } else {
    for (int64_t i = 0; i < length; ++i) {
      if (values[i] != 0 && mask.IsValid(i)) rows[size_t(position++)] = i;
    }
  }
  return rows;
}

}  // namespace

ColumnPtr Filter(const Column& column, const Column& mask) {
  bool keeps_all = false;
  const std::vector<int64_t> rows = SelectedRows(mask, column.length(), &keeps_all);
  if (keeps_all) return column.Slice(0, column.length());
  return Gather(column, rows.data(), int64_t(rows.size()), false);
}

TablePtr Filter(const Table& table, const Column& mask) {
  bool keeps_all = false;
  const std::vector<int64_t> rows = SelectedRows(mask, table.num_rows(), &keeps_all);
  if (keeps_all) {
    return Table::Make(table.column_names(), table.columns(), table.index(), table.index_name());
  }
  return GatherTable(table, rows, false);
}

ColumnPtr Take(const Column& column, std::span<const int64_t> indices) {
  const bool has_missing = CheckIndices(indices, column.length());
  return Gather(column, indices.data(), int64_t(indices.size()), has_missing);
}

ColumnPtr Take(const Column& column, const Column& indices) {
  std::vector<int64_t> storage;
  return Take(column, IndicesOf(indices, &storage));
}

TablePtr Take(const Table& table, std::span<const int64_t> indices) {
  const bool has_missing = CheckIndices(indices, table.num_rows());
  return GatherTable(table, indices, has_missing);
}

TablePtr Take(const Table& table, const Column& indices) {
  std::vector<int64_t> storage;
  return Take(table, IndicesOf(indices, &storage));
}

namespace {

template <typename T>
ColumnPtr GatherFixedWidthFrom(const std::vector<const Column*>& columns, const int32_t* source_of,
                               const int64_t* rows, int64_t count) {
  FixedWidthBuilder<T> builder(columns[0]->type(), count);
  T* out = builder.mutable_values();
  builder.SetLength(count);
  std::vector<const T*> inputs;
  bool nulls = false;
  for (const Column* column : columns) {
    inputs.push_back(column->values<T>());
    nulls |= column->has_nulls();
  }
  for (int64_t k = 0; k < count; ++k) out[k] = inputs[size_t(source_of[k])][rows[k]];
  if (nulls) {
    for (int64_t k = 0; k < count; ++k) {
      if (columns[size_t(source_of[k])]->IsNull(rows[k])) builder.SetNull(k);
    }
  }
  return builder.Finish(columns[0]->dictionary());
}

ColumnPtr GatherStringsFrom(const std::vector<const Column*>& columns, const int32_t* source_of,
                            const int64_t* rows, int64_t count) {
  int64_t total_bytes = 0;
  for (int64_t k = 0; k < count; ++k) {
    const int64_t* offsets = columns[size_t(source_of[k])]->string_offsets();
    total_bytes += offsets[rows[k] + 1] - offsets[rows[k]];
  }
  StringBuilder builder(count, total_bytes);
  for (int64_t k = 0; k < count; ++k) {
    const Column& column = *columns[size_t(source_of[k])];
    if (column.IsValid(rows[k])) {
      builder.UnsafeAppend(column.GetString(rows[k]));
    } else {
      builder.AppendNull();
    }
  }
  return builder.Finish();
}

ColumnPtr GatherFrom(const std::vector<ColumnPtr>& columns, std::span<const int32_t> source_of,
                     std::span<const int64_t> rows) {
  const int64_t count = int64_t(rows.size());
  const DataType type = columns[0]->type();
  bool same_dictionaries = true;
  for (const auto& column : columns) {
    same_dictionaries &= type != types::Categorical() || column->dictionary() == columns[0]->dictionary();
  }
  if (!same_dictionaries) {
    // Codes index different dictionaries: merge them (rare: categoricals read per block).
    std::vector<int64_t> offsets{0};
    for (const auto& column : columns) offsets.push_back(offsets.back() + column->length());
    std::vector<int64_t> global(rows.size());
    for (size_t k = 0; k < rows.size(); ++k) global[k] = offsets[size_t(source_of[k])] + rows[k];
    return Take(*ConcatenateColumns(columns), global);
  }
  std::vector<const Column*> raw;
  for (const auto& column : columns) raw.push_back(column.get());
  if (type.id() == TypeId::kString) return GatherStringsFrom(raw, source_of.data(), rows.data(), count);
  return VisitFixedWidth(type, [&](auto tag) {
    return GatherFixedWidthFrom<decltype(tag)>(raw, source_of.data(), rows.data(), count);
  });
}

}  // namespace

TablePtr TakeFromTables(const std::vector<TablePtr>& sources, std::span<const int32_t> source_of,
                        std::span<const int64_t> rows) {
  if (sources.empty()) throw InvalidArgument("take: no source tables");
  if (source_of.size() != rows.size()) {
    throw InvalidArgument("take: " + std::to_string(source_of.size()) + " sources for " +
                          std::to_string(rows.size()) + " rows");
  }
  for (size_t k = 0; k < rows.size(); ++k) {
    if (source_of[k] < 0 || size_t(source_of[k]) >= sources.size() || rows[k] < 0 ||
        rows[k] >= sources[size_t(source_of[k])]->num_rows()) {
      throw IndexError("take: row " + std::to_string(rows[k]) + " of source " + std::to_string(source_of[k]) +
                       " is out of range");
    }
  }
  const Table& first = *sources[0];
  std::vector<ColumnPtr> columns;
  for (int c = 0; c < first.num_columns(); ++c) {
    std::vector<ColumnPtr> pieces;
    for (const auto& source : sources) pieces.push_back(source->column(c));
    columns.push_back(GatherFrom(pieces, source_of, rows));
  }
  ColumnPtr index;
  if (first.has_index()) {
    std::vector<ColumnPtr> pieces;
    for (const auto& source : sources) pieces.push_back(source->index());
    index = GatherFrom(pieces, source_of, rows);
  }
  return Table::Make(first.column_names(), std::move(columns), std::move(index), first.index_name());
}

}  // namespace tessera::compute
