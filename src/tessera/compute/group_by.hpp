// Hash group-by: GroupIds assigns every row a dense group id over one or more key columns, and
// GroupByAggregate runs pandas' groupby(...).agg(...) on top of it, one tight loop per
// aggregation over (group id, value). The pieces are public so a distributed group-by can
// aggregate partitions separately and combine the partial results (see AggregateGroups).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/compute/aggregate.hpp"
#include "tessera/table/table.hpp"

namespace tessera::compute {

enum class AggregateFunction {
  kSum,
  kMean,
  kCount,  ///< non-null (and non-NaN) values
  kSize,   ///< rows, nulls included; needs no column
  kMin,
  kMax,
  kVar,      ///< ddof = 1
  kStd,      ///< ddof = 1
  kFirst,    ///< first non-null value, as pandas' GroupBy.first
  kLast,     ///< last non-null value
  kNUnique,  ///< distinct non-null values
};

/// Parses a pandas aggregation name: "sum", "mean", "count", "size", "min", "max", "var",
/// "std", "first", "last", "nunique" (InvalidArgument listing them otherwise).
AggregateFunction ParseAggregateFunction(std::string_view name);
/// The pandas name of a function ("sum", ...).
const char* AggregateFunctionName(AggregateFunction function);

/// One output column of a group-by: `function` applied to input `column`, named `output_name`
/// (empty = the input column's name, or "size" for size without a column).
struct Aggregation {
  Aggregation(std::string column, AggregateFunction function, std::string output_name = "")
      : column(std::move(column)), function(function), output_name(std::move(output_name)) {}
  Aggregation(std::string column, std::string_view function, std::string output_name = "")
      : Aggregation(std::move(column), ParseAggregateFunction(function), std::move(output_name)) {}

  std::string column;
  AggregateFunction function;
  std::string output_name;
};

struct GroupByOptions {
  bool sort = true;    ///< order groups by key (pandas' sort=True); else first appearance
  bool dropna = true;  ///< drop rows whose key has a null/NaN; else nulls form one group
};

/// Dense group ids for the rows of a table.
struct Grouping {
  /// int64, one per row: the row's group in [0, num_groups), or -1 for a row dropped because a
  /// key is null (dropna). Taking `keys` by these ids reproduces the key columns.
  ColumnPtr group_ids;
  /// The key columns with one row per group, in order of first appearance.
  TablePtr keys;
  int64_t num_groups = 0;
};

/// Groups rows by the values of the key columns (any types, one or several). Equal keys compare
/// as pandas does: -0.0 == 0.0, NaN == NaN (as a null key), strings by bytes, categoricals by
/// category (observed categories only). Group ids are numbered in order of first appearance.
///
/// Method: each key column gets dense ids from a typed open-addressing hash table (a direct
/// lookup array for integers of small range), then ids of several keys are combined pairwise by
/// grouping the packed (id_a, id_b) pairs, so no row ever pays for a per-value type dispatch.
Grouping GroupIds(const Table& table, const std::vector<std::string>& keys, bool dropna = true);
/// Groups by one column; `keys` then holds that column under the name "key".
Grouping GroupIds(const Column& column, bool dropna = true);

/// One value per group of `values` (a column aligned with the grouped rows), in group id order.
/// Result types follow pandas: count/size/nunique int64; mean/var/std float64; sum as in
/// aggregate.hpp (int64, uint64, float64, duration); min/max/first/last keep the type
/// (categoricals keep their dictionary for first/last). Groups without values give 0 for
/// sum/count/size/nunique and null for the others. Float sums and means use Kahan summation
/// and var/std Welford's update, as pandas' groupby kernels do.
///
/// Combining partial aggregates across partitions: aggregate each partition, concatenate the
/// partial tables, group them again by the keys, then: sum of sums, sum of counts and sizes,
/// min of mins, max of maxes, first of firsts and last of lasts (in partition order); mean as
/// sum of sums / sum of counts; var/std from GroupMoments states merged with
/// MomentsState::Combine. nunique does not combine; shuffle by key first.
ColumnPtr AggregateGroups(const Column& values, const Grouping& grouping,
                          AggregateFunction function);

/// AggregateGroups(kSum) and AggregateGroups(kCount) of the same column, in one pass for float
/// columns (the partial state of a mean).
std::pair<ColumnPtr, ColumnPtr> AggregateSumsAndCounts(const Column& values, const Grouping& grouping);

/// Per-group count, mean and M2 (Welford) of a numeric or bool column, for exact combination of
/// var/std across partitions.
std::vector<MomentsState> GroupMoments(const Column& values, const Grouping& grouping);

/// pandas' df.groupby(keys, sort=, dropna=).agg(...) with as_index=False: the key columns first
/// (named as in the input), then one column per aggregation, one row per group. KeyError for an
/// unknown column, InvalidArgument for no keys or clashing output names, TypeError for an
/// aggregation the column's type does not support.
TablePtr GroupByAggregate(const Table& table, const std::vector<std::string>& keys,
                          const std::vector<Aggregation>& aggregations,
                          const GroupByOptions& options = {});

}  // namespace tessera::compute
