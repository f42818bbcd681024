// Hash join of two partitions with pandas.merge semantics. JoinRows matches key rows and returns
// the (left row, right row) pairs; Join gathers both tables by those pairs and assembles the
// columns, key columns and index the way pandas.merge names and fills them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tessera/table/table.hpp"

namespace tessera::compute {

enum class JoinType { kInner, kLeft, kRight, kOuter };

/// pandas' name of a join type ("inner", "left", "right", "outer").
const char* JoinTypeName(JoinType how);

struct JoinOptions {
  JoinType how = JoinType::kInner;
  /// Key columns, matched by position (left_on[i] with right_on[i]). With neither these nor an
  /// index flag set, the columns both tables share are the keys (pandas' on=None).
  std::vector<std::string> left_on, right_on;
  /// Join on the table's index (positions 0..n-1 when it has none) instead of key columns; the
  /// index counts as one key, so the other side then needs exactly one key.
  bool left_index = false, right_index = false;
  /// Appended to the names of non-key columns found in both tables (left, right).
  std::pair<std::string, std::string> suffixes{"_x", "_y"};
  /// Sort the result by the join keys (stable, nulls last), as pandas' sort=True.
  bool sort = false;
};

/// pandas.merge(left, right, how=, left_on=, right_on=, left_index=, right_index=, suffixes=,
/// sort=) on one partition.
///
/// Matching: keys match by value as pandas compares them: integers of any width and floats by
/// numeric value (both sides are brought to PromoteNumeric's type; bool counts as a number),
/// -0.0 == 0.0, strings by bytes, categoricals by category text (also against strings), and
/// timestamps, durations and dates only with their own type. Null and NaN keys match each other
/// (pandas merges NaN with NaN). Any other pairing, e.g. string with int64, throws TypeError
/// naming both columns. Each key value pair gives the cross product of its rows.
///
/// Row order with sort=false:
/// - inner, left: left rows in order, each followed by its matches in right order (a left row
///   without a match gives one row with nulls on the right for a left join);
/// - right: right rows in order, each with its left matches in left order;
/// - outer: the left join's rows, then the right rows that matched nothing, in right order.
///   pandas always sorts outer joins by key; pass sort=true for that order.
/// With sort=true the rows above are stably sorted by the key values (the left key where the row
/// has a left side, else the right key; nulls last), which reproduces pandas' sort=True order
/// for every join type.
///
/// Columns: the left table's columns, then the right table's. A key that has the same name on
/// both sides (left_on[i] == right_on[i]) appears once, at the left column's position, holding
/// the left key where the row has a left side and the right key otherwise. Keys with different
/// names are both kept, each null where its side has no match. A key column joined against the
/// other side's index is filled from that index where its own side has no match (as pandas
/// does). Other names found in both tables get the suffixes; InvalidArgument when the suffixes
/// are both empty for such a name or produce a duplicate name. A filled key column keeps its
/// type when it took no values from the other side, else it has the common key type. Non-key
/// columns keep their types; unmatched rows hold nulls there (pandas turns int and bool columns
/// with missing values into float64 and object; the null bitmap makes that unnecessary here).
///
/// Index:
/// - left_index and right_index: the result index holds the joined keys (the left index value
///   where the row has a left side, else the right index value). Its name is the left index's
///   (right join: the right's; inner and outer: the name when both agree, else none).
/// - right_index with left_on: the left table's index (or its row positions) taken by the
///   left row of each result row, null where there is none; left_index with right_on: the
///   same from the right table. When that table is empty, the other side's index is taken
///   instead. This is pandas' behaviour, including the row positions for a RangeIndex.
/// - no index key: no index (a fresh RangeIndex).
/// Differences from pandas: index joins follow the row order above (pandas' Index.join may
/// sort an outer or unique-index join), and a MultiIndex (several index keys) is not supported.
///
/// Errors: KeyError for a key column that does not exist, InvalidArgument for mismatched key
/// counts or options that contradict each other (left_on with left_index), TypeError for
/// incompatible key types.
TablePtr Join(const Table& left, const Table& right, const JoinOptions& options = {});

/// The row pairs of a join: result row k takes row left[k] of the left table and right[k] of
/// the right one, -1 where that side has no match (Take turns -1 into a null row).
struct JoinIndices {
  std::vector<int64_t> left, right;
};

/// Matches rows of key columns (one or more per side, equal counts, each side's columns of
/// equal length) with Join's key semantics and row order, for callers that gather themselves.
/// Method: both sides' keys are brought to common types and stacked, GroupIds gives each row a
/// dense key id shared by both sides, the build side's rows are bucketed by id (counting sort,
/// so buckets keep row order) and the other side probes the buckets in row order. The right
/// side is the build side except for right joins.
JoinIndices JoinRows(const std::vector<ColumnPtr>& left_keys,
                     const std::vector<ColumnPtr>& right_keys, JoinType how, bool sort = false);

}  // namespace tessera::compute
