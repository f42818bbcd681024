// Hash join. Both sides' keys are cast to a common type and stacked, so one GroupIds call gives
// equal keys of either side the same dense id (with group-by's equality: -0.0 == 0.0, NaN ==
// NaN == null, strings by bytes, categoricals by category). Matching is then a lookup of each
// probe row's id in buckets of build rows, and Join gathers every column once with Take.
#include "tessera/compute/join.hpp"

#include <algorithm>
#include <set>

#include "tessera/base/error.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/group_by.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/compute/type_promotion.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {

namespace {

// One key of one side: its values and how error messages name it.
struct Key {
  ColumnPtr column;
  std::string description;  // "left column 'k'", "the right index", ...
};

// Every key stacked as (left rows, then right rows) in a type both sides share.
struct StackedKeys {
  std::vector<ColumnPtr> columns;
  int64_t left_rows = 0;
  int64_t right_rows = 0;
};

bool IsText(DataType type) {
  return type.id() == TypeId::kString || type.id() == TypeId::kCategorical;
}

// The two key columns in one type whose values compare equal exactly when pandas matches them.
std::pair<ColumnPtr, ColumnPtr> CommonKeyType(const Key& left, const Key& right) {
  const DataType a = left.column->type();
  const DataType b = right.column->type();
  if (a == b) return {left.column, right.column};
  if (IsText(a) && IsText(b)) {
    return {Cast(*left.column, types::String()), Cast(*right.column, types::String())};
  }
  if (IsNumericOrBool(a) && IsNumericOrBool(b)) {
    const DataType common = PromoteNumeric(a, b);
    return {Cast(*left.column, common), Cast(*right.column, common)};
  }
  if (a.has_unit() && a.id() == b.id()) {
    // Timestamps (durations) of different units match in the finer one.
    const TimeUnit unit = FinerUnit(a.unit(), b.unit());
    return {CastTimeUnit(*left.column, unit, left.description), CastTimeUnit(*right.column, unit, right.description)};
  }
  throw TypeError("join: cannot match " + left.description + " (" + a.ToString() + ") with " +
                  right.description + " (" + b.ToString() +
                  "): their values never compare equal; convert one side with astype first, "
                  "e.g. the " + right.description + " to " + a.ToString() + " or the " +
                  left.description + " to " + b.ToString());
}

StackedKeys StackKeys(const std::vector<Key>& left, const std::vector<Key>& right) {
  StackedKeys stacked;
  stacked.left_rows = left[0].column->length();
  stacked.right_rows = right[0].column->length();
  for (size_t i = 0; i < left.size(); ++i) {
    auto [left_column, right_column] = CommonKeyType(left[i], right[i]);
    stacked.columns.push_back(ConcatenateColumns({left_column, right_column}));
  }
  return stacked;
}

// Positions into the stacked keys of each result row's key: its left row, else its right row.
std::vector<int64_t> StackedPositions(const JoinIndices& rows, int64_t left_rows) {
  std::vector<int64_t> positions(rows.left.size());
  for (size_t k = 0; k < positions.size(); ++k) {
    positions[k] = rows.left[k] >= 0 ? rows.left[k] : left_rows + rows.right[k];
  }
  return positions;
}

// Stably reorders the row pairs by their key values, nulls last (pandas' sort=True).
void SortByKeys(const StackedKeys& keys, JoinIndices* rows) {
  if (rows->left.size() < 2) return;
  const std::vector<int64_t> positions = StackedPositions(*rows, keys.left_rows);
  std::vector<ColumnPtr> values;
  for (const ColumnPtr& column : keys.columns) values.push_back(Take(*column, positions));
  const ColumnPtr order = SortIndices(values, {});
  const int64_t* permutation = order->values<int64_t>();
  JoinIndices sorted;
  sorted.left.resize(rows->left.size());
  sorted.right.resize(rows->right.size());
  for (size_t k = 0; k < sorted.left.size(); ++k) {
    sorted.left[k] = rows->left[size_t(permutation[k])];
    sorted.right[k] = rows->right[size_t(permutation[k])];
  }
  *rows = std::move(sorted);
}

JoinIndices MatchRows(const StackedKeys& keys, JoinType how, bool sort) {
  std::vector<std::string> names;
  for (size_t i = 0; i < keys.columns.size(); ++i) names.push_back("key_" + std::to_string(i));
  // dropna=false: null keys form one group shared by both sides, so NaN matches NaN.
  const Grouping grouping =
      GroupIds(*Table::Make(names, keys.columns), names, /*dropna=*/false);
  const int64_t* ids = grouping.group_ids->values<int64_t>();
  const int64_t num_groups = grouping.num_groups;

  // A right join probes with the right rows so the result follows right order.
  const bool build_left = how == JoinType::kRight;
  const int64_t* build_ids = build_left ? ids : ids + keys.left_rows;
  const int64_t* probe_ids = build_left ? ids + keys.left_rows : ids;
  const int64_t build_rows = build_left ? keys.left_rows : keys.right_rows;
  const int64_t probe_rows = build_left ? keys.right_rows : keys.left_rows;

  // Counting sort of the build rows by id: bucket g is bucket[starts[g], starts[g + 1]), in
  // row order, so matches come out in build-side order.
  std::vector<int64_t> starts(size_t(num_groups) + 1, 0);
  for (int64_t b = 0; b < build_rows; ++b) ++starts[size_t(build_ids[b]) + 1];
  for (int64_t g = 0; g < num_groups; ++g) starts[size_t(g) + 1] += starts[size_t(g)];
  std::vector<int64_t> bucket(static_cast<size_t>(build_rows));
  {
    std::vector<int64_t> next(starts.begin(), starts.end() - 1);
    for (int64_t b = 0; b < build_rows; ++b) bucket[size_t(next[size_t(build_ids[b])]++)] = b;
  }

  const bool keep_unmatched_probe = how != JoinType::kInner;
  std::vector<uint8_t> probed;  // outer join: groups that have a left row
  if (how == JoinType::kOuter) probed.assign(size_t(num_groups), 0);
  int64_t total = 0;
  for (int64_t p = 0; p < probe_rows; ++p) {
    const size_t g = size_t(probe_ids[p]);
    const int64_t matches = starts[g + 1] - starts[g];
    total += matches > 0 ? matches : int64_t(keep_unmatched_probe);
    if (!probed.empty()) probed[g] = 1;
  }
  if (!probed.empty()) {
    for (int64_t b = 0; b < build_rows; ++b) total += probed[size_t(build_ids[b])] == 0;
  }

  std::vector<int64_t> probe_out, build_out;
  probe_out.reserve(size_t(total));
  build_out.reserve(size_t(total));
  for (int64_t p = 0; p < probe_rows; ++p) {
    const size_t g = size_t(probe_ids[p]);
    for (int64_t k = starts[g]; k < starts[g + 1]; ++k) {
      probe_out.push_back(p);
      build_out.push_back(bucket[size_t(k)]);
    }
    if (starts[g] == starts[g + 1] && keep_unmatched_probe) {
      probe_out.push_back(p);
      build_out.push_back(-1);
    }
  }
  if (!probed.empty()) {
    for (int64_t b = 0; b < build_rows; ++b) {
      if (probed[size_t(build_ids[b])] != 0) continue;
      probe_out.push_back(-1);
      build_out.push_back(b);
    }
  }

  JoinIndices rows;
  rows.left = build_left ? std::move(build_out) : std::move(probe_out);
  rows.right = build_left ? std::move(probe_out) : std::move(build_out);
  if (sort) SortByKeys(keys, &rows);
  return rows;
}

// The index of a table, or its row positions 0..n-1 when it has none (pandas' RangeIndex).
ColumnPtr IndexOrPositions(const Table& table) {
  if (table.has_index()) return table.index();
  FixedWidthBuilder<int64_t> builder(types::Int64(), table.num_rows());
  int64_t* values = builder.mutable_values();
  for (int64_t i = 0; i < table.num_rows(); ++i) values[i] = i;
  builder.SetLength(table.num_rows());
  return builder.Finish();
}

// A key of the result that belongs to one side (`own`, gathered by `own_rows`) and takes the
// other side's key where its own side has no row. It keeps its own type unless it needs values
// of the other side; then it is gathered from the stacked key in the common type.
ColumnPtr FilledKey(const Column& own, const std::vector<int64_t>& own_rows, const Column& other,
                    const std::vector<int64_t>& other_rows, const Column& stacked,
                    int64_t left_rows, bool own_is_left) {
  const auto missing = [](int64_t row) { return row < 0; };
  if (std::none_of(own_rows.begin(), own_rows.end(), missing)) return Take(own, own_rows);
  if (std::all_of(own_rows.begin(), own_rows.end(), missing)) return Take(other, other_rows);
  std::vector<int64_t> positions(own_rows.size());
  const int64_t own_offset = own_is_left ? 0 : left_rows;
  const int64_t other_offset = own_is_left ? left_rows : 0;
  for (size_t k = 0; k < positions.size(); ++k) {
    positions[k] = own_rows[k] >= 0 ? own_offset + own_rows[k] : other_offset + other_rows[k];
  }
  return Take(stacked, positions);
}

Key KeyColumn(const Table& table, const std::string& name, const std::string& side) {
  if (table.schema().FieldIndex(name) < 0) {
    std::string columns;
    for (const std::string& column : table.column_names()) {
      columns += (columns.empty() ? "'" : ", '") + column + "'";
    }
    throw KeyError("join: the " + side + " table has no column '" + name + "' (it has " +
                   (columns.empty() ? std::string("no columns") : columns) + "); fix " + side +
                   "_on");
  }
  return {table.column(name), side + " column '" + name + "'"};
}

// The key columns of pandas' on=None: the columns both tables have, in left order.
std::vector<std::string> SharedColumns(const Table& left, const Table& right) {
  std::vector<std::string> shared;
  for (const std::string& name : left.column_names()) {
    if (right.schema().FieldIndex(name) >= 0) shared.push_back(name);
  }
  if (shared.empty()) {
    throw InvalidArgument(
        "join: no keys given and the tables share no column name; set left_on and right_on, "
        "or left_index / right_index");
  }
  return shared;
}

void CheckKeyOptions(const JoinOptions& options) {
  if (options.left_index && !options.left_on.empty()) {
    throw InvalidArgument("join: pass left_on or left_index=true, not both");
  }
  if (options.right_index && !options.right_on.empty()) {
    throw InvalidArgument("join: pass right_on or right_index=true, not both");
  }
  const size_t left_count = options.left_index ? 1 : options.left_on.size();
  const size_t right_count = options.right_index ? 1 : options.right_on.size();
  if (left_count != right_count) {
    throw InvalidArgument("join: the left side has " + std::to_string(left_count) +
                          " key(s) but the right side has " + std::to_string(right_count) +
                          " (an index counts as one key); give left_on/left_index and "
                          "right_on/right_index the same number of keys");
  }
}

// Output names of the non-key columns both sides have: name + suffix on each side.
std::set<std::string> OverlappingNames(const std::vector<std::string>& left_names,
                                       const std::vector<std::string>& right_names,
                                       const std::pair<std::string, std::string>& suffixes) {
  std::set<std::string> overlap;
  const std::set<std::string> right_set(right_names.begin(), right_names.end());
  for (const std::string& name : left_names) {
    if (right_set.count(name) != 0) overlap.insert(name);
  }
  if (!overlap.empty() && suffixes.first.empty() && suffixes.second.empty()) {
    throw InvalidArgument("join: column '" + *overlap.begin() +
                          "' is in both tables but both suffixes are empty; set suffixes so "
                          "the two columns get different names");
  }
  return overlap;
}

}  // namespace

const char* JoinTypeName(JoinType how) {
  switch (how) {
    case JoinType::kInner: return "inner";
    case JoinType::kLeft: return "left";
    case JoinType::kRight: return "right";
    case JoinType::kOuter: return "outer";
  }
  return "unknown";
}

JoinIndices JoinRows(const std::vector<ColumnPtr>& left_keys,
                     const std::vector<ColumnPtr>& right_keys, JoinType how, bool sort) {
  if (left_keys.empty() || left_keys.size() != right_keys.size()) {
    throw InvalidArgument("join: got " + std::to_string(left_keys.size()) + " left and " +
                          std::to_string(right_keys.size()) +
                          " right key columns; pass at least one and the same number per side");
  }
  std::vector<Key> left, right;
  for (size_t i = 0; i < left_keys.size(); ++i) {
    left.push_back({left_keys[i], "left key " + std::to_string(i)});
    right.push_back({right_keys[i], "right key " + std::to_string(i)});
    if (left_keys[i]->length() != left_keys[0]->length() ||
        right_keys[i]->length() != right_keys[0]->length()) {
      throw InvalidArgument("join: key " + std::to_string(i) +
                            " has a different length than key 0 of the same side; each side's "
                            "key columns must have one value per row");
    }
  }
  return MatchRows(StackKeys(left, right), how, sort);
}

TablePtr Join(const Table& left, const Table& right, const JoinOptions& options) {
  CheckKeyOptions(options);
  std::vector<std::string> left_on = options.left_on;
  std::vector<std::string> right_on = options.right_on;
  const bool by_index = options.left_index || options.right_index;
  if (!by_index && left_on.empty()) left_on = right_on = SharedColumns(left, right);

  std::vector<Key> left_keys, right_keys;
  if (options.left_index) left_keys.push_back({IndexOrPositions(left), "the left index"});
  if (options.right_index) right_keys.push_back({IndexOrPositions(right), "the right index"});
  for (const std::string& name : left_on) left_keys.push_back(KeyColumn(left, name, "left"));
  for (const std::string& name : right_on) right_keys.push_back(KeyColumn(right, name, "right"));

  const StackedKeys stacked = StackKeys(left_keys, right_keys);
  const JoinIndices rows = MatchRows(stacked, options.how, options.sort);

  // Key position of a left / right column that is filled from the other side, or -1. A right
  // key with the left key's name is dropped: the left column carries both (pandas).
  const auto left_filled_key = [&](const std::string& name) {
    for (size_t i = 0; i < left_on.size(); ++i) {
      if (left_on[i] == name && (options.right_index || right_on[i] == name)) return int(i);
    }
    return -1;
  };
  const auto right_filled_key = [&](const std::string& name) {
    for (size_t i = 0; i < right_on.size(); ++i) {
      if (right_on[i] == name && options.left_index) return int(i);
    }
    return -1;
  };
  std::set<std::string> dropped_right;
  if (!by_index) {
    for (size_t i = 0; i < left_on.size(); ++i) {
      if (left_on[i] == right_on[i]) dropped_right.insert(right_on[i]);
    }
  }
  std::vector<std::string> right_names;
  for (const std::string& name : right.column_names()) {
    if (dropped_right.count(name) == 0) right_names.push_back(name);
  }
  const std::vector<std::string> left_names = left.column_names();
  const std::set<std::string> overlap = OverlappingNames(left_names, right_names, options.suffixes);

  std::vector<std::string> names;
  std::vector<ColumnPtr> columns;
  for (const std::string& name : left_names) {
    const int key = left_filled_key(name);
    columns.push_back(key < 0 ? Take(*left.column(name), rows.left)
                              : FilledKey(*left.column(name), rows.left,
                                          *right_keys[size_t(key)].column, rows.right,
                                          *stacked.columns[size_t(key)], stacked.left_rows, true));
    names.push_back(overlap.count(name) != 0 ? name + options.suffixes.first : name);
  }
  for (const std::string& name : right_names) {
    const int key = right_filled_key(name);
    columns.push_back(key < 0 ? Take(*right.column(name), rows.right)
                              : FilledKey(*right.column(name), rows.right,
                                          *left_keys[size_t(key)].column, rows.left,
                                          *stacked.columns[size_t(key)], stacked.left_rows, false));
    names.push_back(overlap.count(name) != 0 ? name + options.suffixes.second : name);
  }
  std::set<std::string> seen;
  for (const std::string& name : names) {
    if (!seen.insert(name).second) {
      throw InvalidArgument("join: the suffixes " + options.suffixes.first + " / " +
                            options.suffixes.second + " give two columns the name '" + name +
                            "'; choose other suffixes or rename the column first");
    }
  }

  ColumnPtr index;
  std::string index_name;
  if (options.left_index && options.right_index) {
    const bool right_first = options.how == JoinType::kRight;
    index = right_first ? FilledKey(*right_keys[0].column, rows.right, *left_keys[0].column,
                                    rows.left, *stacked.columns[0], stacked.left_rows, false)
                        : FilledKey(*left_keys[0].column, rows.left, *right_keys[0].column,
                                    rows.right, *stacked.columns[0], stacked.left_rows, true);
    if (options.how == JoinType::kLeft) {
      index_name = left.index_name();
    } else if (right_first) {
      index_name = right.index_name();
    } else if (left.index_name() == right.index_name()) {
      index_name = left.index_name();
    }
  } else if (options.right_index || options.left_index) {
    // pandas keeps the index of the side joined by columns; when that side is empty it takes
    // the other side's.
    bool from_left = options.right_index;
    if ((from_left ? left : right).num_rows() == 0) from_left = !from_left;
    const Table& source = from_left ? left : right;
    index = Take(*IndexOrPositions(source), from_left ? rows.left : rows.right);
    index_name = source.index_name();
  }
  return Table::Make(std::move(names), std::move(columns), std::move(index),
                     std::move(index_name));
}

}  // namespace tessera::compute
