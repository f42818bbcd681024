// value_counts and unique: group the column once, count rows per group, then (for
// value_counts) stably sort the groups by their count.
#include "tessera/compute/value_counts.hpp"

#include <algorithm>

#include "tessera/compute/group_by.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {

TablePtr ValueCounts(const Column& column, const std::string& name,
                     const ValueCountsOptions& options) {
  const Grouping grouping = GroupIds(column, options.dropna);
  const int64_t num_groups = grouping.num_groups;
  FixedWidthBuilder<int64_t> counts(types::Int64(), num_groups);
  int64_t* count = counts.mutable_values();
  std::fill(count, count + num_groups, 0);
  const int64_t* ids = grouping.group_ids->values<int64_t>();
  int64_t total = 0;
  for (int64_t i = 0; i < column.length(); ++i) {
    if (ids[i] >= 0) {
      ++count[ids[i]];
      ++total;
    }
  }
  counts.SetLength(num_groups);
  ColumnPtr count_column = counts.Finish();
  ColumnPtr values = grouping.keys->column(0);
  if (options.sort && num_groups > 1) {
    const ColumnPtr order = SortIndices(*count_column, options.ascending);
    values = Take(*values, *order);
    count_column = Take(*count_column, *order);
  }
  if (!options.normalize) {
    return Table::Make({name, "count"}, {values, count_column});
  }
  FixedWidthBuilder<double> proportions(types::Float64(), num_groups);
  const int64_t* sorted_counts = count_column->values<int64_t>();
  for (int64_t g = 0; g < num_groups; ++g) {
    proportions.mutable_values()[g] = double(sorted_counts[g]) / double(total);
  }
  proportions.SetLength(num_groups);
  return Table::Make({name, "proportion"}, {values, proportions.Finish()});
}

ColumnPtr Unique(const Column& column) { return GroupIds(column, false).keys->column(0); }

}  // namespace tessera::compute
