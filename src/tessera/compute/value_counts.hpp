// pandas' Series.value_counts() and Series.unique(), built on GroupIds. NUnique lives with the
// other reductions in aggregate.hpp.
#pragma once

#include <string>

#include "tessera/table/table.hpp"

namespace tessera::compute {

struct ValueCountsOptions {
  bool sort = true;        ///< order by count; else first appearance
  bool ascending = false;  ///< with sort: smallest counts first
  bool normalize = false;  ///< proportions (float64 "proportion") instead of counts
  bool dropna = true;      ///< leave nulls/NaN out (and out of the normalising total)
};

/// Distinct values of `column` with how often each occurs: a table of two columns, the values
/// (named `name`, of the column's type; categoricals keep their dictionary) and "count" (int64),
/// or "proportion" (float64) with `normalize`. Sorted by count descending by default; ties, and
/// the unsorted order, follow first appearance in the column (a stable sort, so results do not
/// depend on hashing). With dropna=false nulls and NaN count as one value, shown as null.
TablePtr ValueCounts(const Column& column, const std::string& name,
                     const ValueCountsOptions& options = {});

/// Distinct values in order of first appearance, nulls/NaN included once (as pandas' unique).
ColumnPtr Unique(const Column& column);

}  // namespace tessera::compute
