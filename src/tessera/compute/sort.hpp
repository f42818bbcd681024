// Sorting: a stable permutation of row positions (SortIndices) that callers apply to every column
// at once with Take (SortTable). Integer-like and float keys are LSD radix sorted; strings use a
// stable comparison sort. pandas semantics: nulls and NaN are placed last by default, ties keep
// their input order (sort_values(kind="stable")), and categoricals sort by category order.
#pragma once

#include <string>
#include <vector>

#include "tessera/table/table.hpp"

namespace tessera::compute {

/// Where nulls (and float NaN) go, whatever the direction (pandas' na_position).
enum class NullPlacement { kLast, kFirst };

/// One sort key: a column name and its direction.
struct SortKey {
  std::string name;
  bool ascending = true;
};

/// Stable permutation (int64 row positions, no nulls) that sorts `column`. Ties keep their input
/// order in both directions. Sort orders by type: integers, timestamps, durations and dates by
/// value; bools false < true; floats by value with -0.0 == 0.0 and NaN treated as null;
/// strings by UTF-8 bytes (= code point order, as Python compares str); categoricals by
/// category order (the dictionary order, as pandas sorts categoricals).
ColumnPtr SortIndices(const Column& column, bool ascending = true,
                      NullPlacement nulls = NullPlacement::kLast);

/// Stable lexicographic permutation over several columns of equal length: rows are ordered by
/// columns[0], ties by columns[1], and so on. `ascending` has one flag per column (empty = all
/// ascending). Nulls are placed per key, so a null in the first key sorts after (kLast) every
/// value of that key whatever the later keys hold.
///
/// Method: LSD over the keys. The permutation starts as the identity and is stably re-sorted
/// by the last key, then the one before, ..., finally the first key; stability of each pass makes
/// the result lexicographic. Each pass radix sorts (or, for strings, std::stable_sort's) the
/// key's values gathered in the current order.
ColumnPtr SortIndices(const std::vector<ColumnPtr>& columns, const std::vector<bool>& ascending,
                      NullPlacement nulls = NullPlacement::kLast);

/// Permutation sorting `table` by the named keys (KeyError for a missing name,
/// InvalidArgument for an empty key list).
ColumnPtr SortIndices(const Table& table, const std::vector<SortKey>& keys,
                      NullPlacement nulls = NullPlacement::kLast);

/// `table` with every column and the index reordered by SortIndices(table, keys, nulls).
TablePtr SortTable(const Table& table, const std::vector<SortKey>& keys,
                   NullPlacement nulls = NullPlacement::kLast);

}  // namespace tessera::compute
