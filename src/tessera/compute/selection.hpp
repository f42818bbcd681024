// Row selection: Filter keeps the rows where a boolean mask is true, Take gathers rows by
// position. Every relational kernel that reorders rows (sort, partition, group-by) computes one
// permutation and gathers each column with Take, so this is the layer's data-movement workhorse.
#pragma once

#include <cstdint>
#include <span>

#include "tessera/table/table.hpp"

namespace tessera::compute {

/// Rows of `column` where `mask` is true. `mask` must be a bool column of the same length; a
/// null in the mask drops the row (pandas' boolean indexing after fillna(False)). When every row
/// is kept the result shares the input's buffers.
ColumnPtr Filter(const Column& column, const Column& mask);
/// Filters every column and the index of `table` with one selection computed from `mask`.
TablePtr Filter(const Table& table, const Column& mask);

/// Gathers rows of `column`: result row i is column row indices[i]. Index -1 (or a null in an
/// indices column) gives a null row, which is how outer joins fill missing matches; any other
/// index outside [0, length) throws IndexError. Works for every type; categoricals keep their
/// dictionary and strings are copied into one new bytes buffer.
ColumnPtr Take(const Column& column, std::span<const int64_t> indices);
/// `indices` must be an int64 column (the output of SortIndices, GroupIds, ...).
ColumnPtr Take(const Column& column, const Column& indices);
/// Gathers every column and the index column of `table` with the same indices.
TablePtr Take(const Table& table, std::span<const int64_t> indices);
TablePtr Take(const Table& table, const Column& indices);
/// Rows from several tables of one schema: result row k is row rows[k] of sources[source_of[k]]
/// (Take of their concatenation, without building it). Categorical columns whose dictionaries
/// differ between sources are merged as ConcatenateColumns does. IndexError for an out-of-range
/// source or row.
TablePtr TakeFromTables(const std::vector<TablePtr>& sources, std::span<const int32_t> source_of,
                        std::span<const int64_t> rows);

}  // namespace tessera::compute
