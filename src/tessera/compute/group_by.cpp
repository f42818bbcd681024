// Hash group-by. Grouping maps each key column to dense ids with a typed table (direct lookup
// for small integer ranges, open addressing otherwise), folds several keys pairwise, and the
// aggregations then loop over (group id, value) with per-group accumulators.
#include "tessera/compute/group_by.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/compute/hash.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {

namespace {

// Keys spanning at most this many values (and not many more than there are rows) are grouped
// through a direct lookup array: no hashing, no probing.
constexpr uint64_t kMaxDirectRange = uint64_t{1} << 22;

bool FitsDirect(uint64_t range, int64_t num_rows) {
  return range < kMaxDirectRange && range <= uint64_t(num_rows) * 4 + 1024;
}

// Open-addressing hash table (linear probing, at most half full) from a 64-bit tag to a dense
// group id. With kTagIsHash the tag is a hash of the key and the caller's `equal` confirms a
// match; otherwise the tag is the canonical key itself, hashed to find its slot.
template <bool kTagIsHash>
class GroupTable {
 public:
  GroupTable() { Resize(1024); }

  /// Slot position of a tag (its hash).
  static uint64_t Position(uint64_t tag) {
    if constexpr (kTagIsHash) {
      return tag;
    } else {
      return HashInt64(tag);
    }
  }

  /// Starts loading the slot of a position a few rows before it is probed.
  void Prefetch(uint64_t position) const { __builtin_prefetch(&slots_[position & mask_]); }

  /// The group of `tag` (whose Position is `position`); a new group (numbered
  /// first_rows->size(), first seen at `row`) when absent. `equal(group)` confirms a tag match.
  template <typename Equal>
  [[gnu::always_inline]] int64_t FindOrInsert(uint64_t tag, uint64_t position, const Equal& equal,
                                              int64_t row, std::vector<int64_t>* first_rows) {
    position &= mask_;
    while (true) {
      const Slot& slot = slots_[position];
      if (slot.group < 0) return Insert(position, tag, row, first_rows);
      if (slot.tag == tag && equal(slot.group)) return slot.group;
      position = (position + 1) & mask_;
    }
  }

 private:
  struct Slot {
    uint64_t tag;
    int64_t group;  // -1 = empty
  };

  // Kept out of line: new groups are rare next to hits in the probe loop.
  [[gnu::noinline]] int64_t Insert(uint64_t position, uint64_t tag, int64_t row,
                                   std::vector<int64_t>* first_rows) {
    const int64_t group = int64_t(first_rows->size());
    slots_[position] = {tag, group};
    first_rows->push_back(row);
    if (++size_ * 2 > int64_t(slots_.size())) Resize(int64_t(slots_.size()) * 2);
    return group;
  }

  void Resize(int64_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(size_t(capacity), Slot{0, -1});
    mask_ = uint64_t(capacity - 1);
    for (const Slot& slot : old) {
      if (slot.group < 0) continue;
      uint64_t position = Position(slot.tag) & mask_;
      while (slots_[position].group >= 0) position = (position + 1) & mask_;
      slots_[position] = slot;
    }
  }

  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
  int64_t size_ = 0;
};

// How many rows ahead slots are prefetched: enough to overlap the cache misses of a table that
// has outgrown the cache, few enough that the prefetched lines are still there when probed.
constexpr int64_t kLookahead = 16;
// Per-group state up to this size stays in the core's cache; beyond it loops prefetch.
constexpr size_t kCachedBytes = size_t{256} << 10;

// ids[i] = skipped_id(i) for rows where is_skipped(i), else the group of tag_of(i). Tags and slot
// positions are computed kLookahead rows ahead and their slots prefetched.
template <bool kTagIsHash, typename TagOf, typename Equal, typename IsSkipped, typename SkippedId>
void GroupTags(int64_t n, const TagOf& tag_of, const Equal& equal, const IsSkipped& is_skipped,
               const SkippedId& skipped_id, int64_t* ids, std::vector<int64_t>* first_rows) {
  GroupTable<kTagIsHash> table;
  uint64_t tags[kLookahead];
  uint64_t positions[kLookahead];
  auto load = [&](int64_t i) {
    tags[i % kLookahead] = tag_of(i);
    positions[i % kLookahead] = GroupTable<kTagIsHash>::Position(tags[i % kLookahead]);
    table.Prefetch(positions[i % kLookahead]);
  };
  for (int64_t i = 0; i < std::min(n, kLookahead); ++i) load(i);
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t tag = tags[i % kLookahead];
    const uint64_t position = positions[i % kLookahead];
    if (i + kLookahead < n) load(i + kLookahead);
    ids[i] = is_skipped(i)
                 ? skipped_id(i)
                 : table.FindOrInsert(
                       tag, position, [&](int64_t g) { return equal(g, i); }, i, first_rows);
  }
}

// 64-bit key with equal keys exactly for values pandas groups together.
template <typename T>
inline uint64_t CanonicalKey(T value) {
  if constexpr (std::is_floating_point_v<T>) {
    return CanonicalDoubleBits(double(value));
  } else if constexpr (std::is_signed_v<T>) {
    return uint64_t(int64_t(value));
  } else {
    return uint64_t(value);
  }
}

// Hands out the id of the null group: -1 when nulls are dropped, else one group created at the
// first null row.
class NullGroup {
 public:
  NullGroup(bool dropna, std::vector<int64_t>* first_rows)
      : dropna_(dropna), first_rows_(first_rows) {}
  int64_t Id(int64_t row) {
    if (dropna_) return -1;
    if (group_ < 0) {
      group_ = int64_t(first_rows_->size());
      first_rows_->push_back(row);
    }
    return group_;
  }

 private:
  bool dropna_;
  std::vector<int64_t>* first_rows_;
  int64_t group_ = -1;
};

template <typename T>
void GroupFixedWidth(const Column& column, bool dropna, int64_t* ids,
                     std::vector<int64_t>* first_rows) {
  constexpr bool kFloat = std::is_floating_point_v<T>;
  const T* values = column.values<T>();
  const int64_t n = column.length();
  const bool may_have_nulls = kFloat || column.has_nulls();
  auto is_null = [&](int64_t i) {
    if constexpr (kFloat) {
      if (values[i] != values[i]) return true;
    }
    return column.IsNull(i);
  };
  NullGroup null_group(dropna, first_rows);

  if constexpr (!kFloat) {
    bool found = false;
    T lo = std::numeric_limits<T>::max();
    T hi = std::numeric_limits<T>::lowest();
    for (int64_t i = 0; i < n; ++i) {
      if (may_have_nulls && is_null(i)) continue;
      lo = std::min(lo, values[i]);
      hi = std::max(hi, values[i]);
      found = true;
    }
    const uint64_t base = CanonicalKey(lo);
    if (found && FitsDirect(CanonicalKey(hi) - base, n)) {
      std::vector<int32_t> group_of(size_t(CanonicalKey(hi) - base) + 1, -1);
      // Raw pointers that nothing else writes, so the loop keeps them in registers.
      int32_t* __restrict lookup = group_of.data();
      int64_t* __restrict out = ids;
      const T* __restrict keys = values;
      for (int64_t i = 0; i < n; ++i) {
        if (may_have_nulls && is_null(i)) {
          out[i] = null_group.Id(i);
          continue;
        }
        int32_t group = lookup[CanonicalKey(keys[i]) - base];
        if (__builtin_expect(group < 0, 0)) {
          group = int32_t(first_rows->size());
          lookup[CanonicalKey(keys[i]) - base] = group;
          first_rows->push_back(i);
        }
        out[i] = group;
      }
      return;
    }
  }
  auto key_of = [values](int64_t i) { return CanonicalKey(values[i]); };
  auto same = [](int64_t, int64_t) { return true; };  // the tag is the key itself
  auto null_id = [&](int64_t i) { return null_group.Id(i); };
  if (!may_have_nulls) {
    GroupTags<false>(
        n, key_of, same, [](int64_t) { return false; }, null_id, ids, first_rows);
  } else {
    GroupTags<false>(n, key_of, same, is_null, null_id, ids, first_rows);
  }
}

void GroupStrings(const Column& column, bool dropna, int64_t* ids,
                  std::vector<int64_t>* first_rows) {
  NullGroup null_group(dropna, first_rows);
  auto hash_of = [&](int64_t i) {
    const std::string_view value = column.GetString(i);
    return HashBytes(value.data(), value.size());
  };
  auto equal = [&](int64_t group, int64_t row) {
    return column.GetString((*first_rows)[size_t(group)]) == column.GetString(row);
  };
  GroupTags<true>(
      column.length(), hash_of, equal, [&](int64_t i) { return column.IsNull(i); },
      [&](int64_t i) { return null_group.Id(i); }, ids, first_rows);
}

// Dense ids (first-appearance order) for one key column.
void GroupColumn(const Column& column, bool dropna, int64_t* ids,
                 std::vector<int64_t>* first_rows) {
  if (column.type().id() == TypeId::kString) {
    GroupStrings(column, dropna, ids, first_rows);
    return;
  }
  // Categoricals group by code: one column has one dictionary, so codes are the categories.
  VisitFixedWidth(column.type(), [&](auto tag) {
    GroupFixedWidth<decltype(tag)>(column, dropna, ids, first_rows);
  });
}

// Groups rows by the pair (a[i], b[i]) of dense ids (num_a and num_b distinct values); a row with
// either id -1 gets -1. `out` may alias `a`.
void GroupPairs(const int64_t* a, int64_t num_a, const int64_t* b, int64_t num_b, int64_t n,
                int64_t* out, std::vector<int64_t>* first_rows) {
  if (num_b == 0 || num_a <= int64_t(kMaxDirectRange) / num_b) {
    if (FitsDirect(uint64_t(num_a * num_b), n)) {
      std::vector<int32_t> group_of(size_t(num_a * num_b), -1);
      for (int64_t i = 0; i < n; ++i) {
        if (a[i] < 0 || b[i] < 0) {
          out[i] = -1;
          continue;
        }
        int32_t& group = group_of[size_t(a[i] * num_b + b[i])];
        if (group < 0) {
          group = int32_t(first_rows->size());
          first_rows->push_back(i);
        }
        out[i] = group;
      }
      return;
    }
  }
  GroupTags<false>(
      n, [&](int64_t i) { return (uint64_t(a[i]) << 32) | uint32_t(b[i]); },
      [](int64_t, int64_t) { return true; }, [&](int64_t i) { return a[i] < 0 || b[i] < 0; },
      [](int64_t) { return int64_t{-1}; }, out, first_rows);
}

// Calls fn(group, value, row) for each grouped row whose value is neither null nor NaN.
template <typename T, typename Fn>
void ForEachValue(const Column& values, const int64_t* ids, Fn&& fn) {
  const T* v = values.values<T>();
  const int64_t n = values.length();
  const bool has_nulls = values.has_nulls();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t group = ids[i];
    if (group < 0) continue;
    const T x = v[i];
    if constexpr (std::is_floating_point_v<T>) {
      if (x != x) continue;
    }
    if (has_nulls && !values.IsValid(i)) continue;
    fn(group, x, i);
  }
}

// For each group, the first (or last) row holding a value; -1 for groups without one.
std::vector<int64_t> EdgeRows(const Column& values, const int64_t* ids, int64_t num_groups,
                              bool last) {
  std::vector<int64_t> rows(size_t(num_groups), -1);
  auto visit = [&](int64_t group, auto, int64_t row) {
    if (last || rows[size_t(group)] < 0) rows[size_t(group)] = row;
  };
  if (values.type().id() == TypeId::kString) {
    for (int64_t i = 0; i < values.length(); ++i) {
      if (ids[i] >= 0 && values.IsValid(i)) visit(ids[i], 0, i);
    }
  } else {
    VisitFixedWidth(values.type(),
                    [&](auto tag) { ForEachValue<decltype(tag)>(values, ids, visit); });
  }
  return rows;
}

ColumnPtr Float64Column(const std::vector<double>& values, const std::vector<bool>& is_null) {
  FixedWidthBuilder<double> builder(types::Float64(), int64_t(values.size()));
  std::copy(values.begin(), values.end(), builder.mutable_values());
  builder.SetLength(int64_t(values.size()));
  for (size_t g = 0; g < is_null.size(); ++g) {
    if (is_null[g]) builder.SetNull(int64_t(g));
  }
  return builder.Finish();
}

ColumnPtr Int64Column(const std::vector<int64_t>& values, DataType type = types::Int64()) {
  FixedWidthBuilder<int64_t> builder(type, int64_t(values.size()));
  std::copy(values.begin(), values.end(), builder.mutable_values());
  builder.SetLength(int64_t(values.size()));
  return builder.Finish();
}

void RequireNumeric(const Column& values, AggregateFunction function) {
  const DataType type = values.type();
  if (type.is_numeric() || type.id() == TypeId::kBool) return;
  throw TypeError(std::string("group-by ") + AggregateFunctionName(function) +
                  " is not supported for " + type.ToString() +
                  " columns; use count/size/min/max/first/last/nunique, or cast to a number");
}

ColumnPtr CountGroups(const Column& values, const int64_t* ids, int64_t num_groups, bool size) {
  std::vector<int64_t> counts(size_t(num_groups), 0);
  if (size || (!values.has_nulls() && !values.type().is_floating())) {
    for (int64_t i = 0; i < values.length(); ++i) {
      if (ids[i] >= 0) ++counts[size_t(ids[i])];
    }
  } else if (values.type().id() == TypeId::kString) {
    for (int64_t i = 0; i < values.length(); ++i) {
      if (ids[i] >= 0 && values.IsValid(i)) ++counts[size_t(ids[i])];
    }
  } else {
    VisitFixedWidth(values.type(), [&](auto tag) {
      ForEachValue<decltype(tag)>(values, ids,
                                  [&](int64_t g, auto, int64_t) { ++counts[size_t(g)]; });
    });
  }
  return Int64Column(counts);
}

// Kahan-compensated sums and counts per group, as pandas' group_sum / group_mean.
template <typename T>
void KahanSums(const Column& values, const int64_t* ids, std::vector<double>* sums,
               std::vector<int64_t>* counts) {
  // One record per group, so a row touches one cache line however many groups there are.
  struct Accumulator {
    double sum = 0;
    double compensation = 0;
    int64_t count = 0;
  };
  std::vector<Accumulator> accumulators(sums->size());
  Accumulator* acc = accumulators.data();
  auto add = [acc](int64_t g, T x) {
    Accumulator& a = acc[g];
    ++a.count;
    const double y = double(x) - a.compensation;
    const double t = a.sum + y;
    a.compensation = t - a.sum - y;
    if (a.compensation != a.compensation) a.compensation = 0;  // inf - inf: keep the infinite sum
    a.sum = t;
  };
  if (accumulators.size() * sizeof(Accumulator) <= kCachedBytes) {
    ForEachValue<T>(values, ids, [&](int64_t g, T x, int64_t) { add(g, x); });
  } else {
    // Too many groups to stay in cache: fetch the record of a row some rows ahead.
    const int64_t n = values.length();
    ForEachValue<T>(values, ids, [&](int64_t g, T x, int64_t row) {
      if (row + kLookahead < n && ids[row + kLookahead] >= 0) {
        __builtin_prefetch(&acc[ids[row + kLookahead]]);
      }
      add(g, x);
    });
  }
  for (size_t g = 0; g < accumulators.size(); ++g) {
    (*sums)[g] = accumulators[g].sum;
    (*counts)[g] = accumulators[g].count;
  }
}

ColumnPtr SumGroups(const Column& values, const int64_t* ids, int64_t num_groups) {
  const DataType type = values.type();
  if (type.id() != TypeId::kDuration) RequireNumeric(values, AggregateFunction::kSum);
  return VisitFixedWidth(type, [&](auto tag) -> ColumnPtr {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      std::vector<double> sums(size_t(num_groups), 0.0);
      std::vector<int64_t> counts(size_t(num_groups), 0);
      KahanSums<T>(values, ids, &sums, &counts);
      return Float64Column(sums, {});
    } else {
      std::vector<uint64_t> sums(size_t(num_groups), 0);
      ForEachValue<T>(values, ids, [&](int64_t g, T x, int64_t) {
        if constexpr (std::is_signed_v<T>) {
          sums[size_t(g)] += uint64_t(int64_t(x));
        } else {
          sums[size_t(g)] += uint64_t(x);
        }
      });
      if (type.is_unsigned_integer()) {
        FixedWidthBuilder<uint64_t> builder(types::UInt64(), num_groups);
        std::copy(sums.begin(), sums.end(), builder.mutable_values());
        builder.SetLength(num_groups);
        return builder.Finish();
      }
      std::vector<int64_t> signed_sums(sums.begin(), sums.end());
      return Int64Column(signed_sums,
                         type.id() == TypeId::kDuration ? type : types::Int64());
    }
  });
}

ColumnPtr MeanGroups(const Column& values, const int64_t* ids, int64_t num_groups) {
  RequireNumeric(values, AggregateFunction::kMean);
  std::vector<double> sums(size_t(num_groups), 0.0);
  std::vector<int64_t> counts(size_t(num_groups), 0);
  VisitFixedWidth(values.type(),
                  [&](auto tag) { KahanSums<decltype(tag)>(values, ids, &sums, &counts); });
  std::vector<bool> is_null(static_cast<size_t>(num_groups));
  for (size_t g = 0; g < sums.size(); ++g) {
    is_null[g] = counts[g] == 0;
    sums[g] = is_null[g] ? 0.0 : sums[g] / double(counts[g]);
  }
  return Float64Column(sums, is_null);
}

std::vector<MomentsState> Moments(const Column& values, const int64_t* ids, int64_t num_groups) {
  std::vector<MomentsState> states(static_cast<size_t>(num_groups));
  MomentsState* state = states.data();
  VisitFixedWidth(values.type(), [&](auto tag) {
    using T = decltype(tag);
    // Welford's update, as pandas' group_var.
    ForEachValue<T>(values, ids, [&](int64_t g, T x, int64_t) {
      MomentsState& s = state[g];
      const double value = double(x);
      ++s.count;
      const double old_mean = s.mean;
      s.mean += (value - old_mean) / double(s.count);
      s.m2 += (value - old_mean) * (value - s.mean);
    });
  });
  return states;
}

ColumnPtr VarGroups(const Column& values, const int64_t* ids, int64_t num_groups, bool std_dev) {
  RequireNumeric(values, std_dev ? AggregateFunction::kStd : AggregateFunction::kVar);
  const std::vector<MomentsState> states = Moments(values, ids, num_groups);
  std::vector<double> out(static_cast<size_t>(num_groups));
  std::vector<bool> is_null(static_cast<size_t>(num_groups));
  for (size_t g = 0; g < states.size(); ++g) {
    is_null[g] = states[g].count <= 1;
    const double variance = is_null[g] ? 0.0 : states[g].Variance(1);
    out[g] = std_dev ? std::sqrt(variance) : variance;
  }
  return Float64Column(out, is_null);
}

ColumnPtr MinMaxGroups(const Column& values, const int64_t* ids, int64_t num_groups, bool max) {
  const DataType type = values.type();
  if (type.id() == TypeId::kCategorical) {
    throw TypeError(
        "group-by min/max of a categorical column: the categories are not ordered; "
        "cast the column to string to compare the category names");
  }
  if (type.id() == TypeId::kString) {
    std::vector<int64_t> best(size_t(num_groups), -1);
    for (int64_t i = 0; i < values.length(); ++i) {
      const int64_t g = ids[i];
      if (g < 0 || values.IsNull(i)) continue;
      int64_t& row = best[size_t(g)];
      if (row < 0 || (max ? values.GetString(row) < values.GetString(i)
                          : values.GetString(i) < values.GetString(row))) {
        row = i;
      }
    }
    return Take(values, best);
  }
  return VisitFixedWidth(type, [&](auto tag) {
    using T = decltype(tag);
    FixedWidthBuilder<T> builder(type, num_groups);
    T* best = builder.mutable_values();
    std::vector<uint8_t> found(size_t(num_groups), 0);
    ForEachValue<T>(values, ids, [&](int64_t g, T x, int64_t) {
      if (!found[size_t(g)] || (max ? best[g] < x : x < best[g])) best[g] = x;
      found[size_t(g)] = 1;
    });
    builder.SetLength(num_groups);
    for (int64_t g = 0; g < num_groups; ++g) {
      if (!found[size_t(g)]) builder.SetNull(g);
    }
    return builder.Finish();
  });
}

ColumnPtr NUniqueGroups(const Column& values, const int64_t* ids, int64_t num_groups) {
  const int64_t n = values.length();
  std::vector<int64_t> value_ids(static_cast<size_t>(n));
  std::vector<int64_t> value_first_rows;
  GroupColumn(values, true, value_ids.data(), &value_first_rows);
  std::vector<int64_t> pair_ids(static_cast<size_t>(n));
  std::vector<int64_t> pair_first_rows;
  GroupPairs(ids, num_groups, value_ids.data(), int64_t(value_first_rows.size()), n,
             pair_ids.data(), &pair_first_rows);
  std::vector<int64_t> counts(size_t(num_groups), 0);
  for (const int64_t row : pair_first_rows) ++counts[size_t(ids[row])];
  return Int64Column(counts);
}

ColumnPtr Aggregate(const Column& values, const int64_t* ids, int64_t num_groups,
                    AggregateFunction function) {
  switch (function) {
    case AggregateFunction::kCount: return CountGroups(values, ids, num_groups, false);
    case AggregateFunction::kSize: return CountGroups(values, ids, num_groups, true);
    case AggregateFunction::kSum: return SumGroups(values, ids, num_groups);
    case AggregateFunction::kMean: return MeanGroups(values, ids, num_groups);
    case AggregateFunction::kVar: return VarGroups(values, ids, num_groups, false);
    case AggregateFunction::kStd: return VarGroups(values, ids, num_groups, true);
    case AggregateFunction::kMin: return MinMaxGroups(values, ids, num_groups, false);
    case AggregateFunction::kMax: return MinMaxGroups(values, ids, num_groups, true);
    case AggregateFunction::kFirst: return Take(values, EdgeRows(values, ids, num_groups, false));
    case AggregateFunction::kLast: return Take(values, EdgeRows(values, ids, num_groups, true));
    case AggregateFunction::kNUnique: return NUniqueGroups(values, ids, num_groups);
  }
  throw Internal("unknown aggregate function");
}

const int64_t* CheckedIds(const Column& values, const Grouping& grouping) {
  if (values.length() != grouping.group_ids->length()) {
    throw InvalidArgument("group-by: the values have " + std::to_string(values.length()) +
                          " rows but the grouping has " +
                          std::to_string(grouping.group_ids->length()));
  }
  return grouping.group_ids->values<int64_t>();
}

}  // namespace

AggregateFunction ParseAggregateFunction(std::string_view name) {
  static constexpr AggregateFunction kAll[] = {
      AggregateFunction::kSum,  AggregateFunction::kMean,   AggregateFunction::kCount,
      AggregateFunction::kSize, AggregateFunction::kMin,    AggregateFunction::kMax,
      AggregateFunction::kVar,  AggregateFunction::kStd,    AggregateFunction::kFirst,
      AggregateFunction::kLast, AggregateFunction::kNUnique};
  std::string names;
  for (const AggregateFunction function : kAll) {
    if (name == AggregateFunctionName(function)) return function;
    names += names.empty() ? "" : ", ";
    names += AggregateFunctionName(function);
  }
  throw InvalidArgument("unknown aggregation '" + std::string(name) + "'; use one of " + names);
}

const char* AggregateFunctionName(AggregateFunction function) {
  switch (function) {
    case AggregateFunction::kSum: return "sum";
    case AggregateFunction::kMean: return "mean";
    case AggregateFunction::kCount: return "count";
    case AggregateFunction::kSize: return "size";
    case AggregateFunction::kMin: return "min";
    case AggregateFunction::kMax: return "max";
    case AggregateFunction::kVar: return "var";
    case AggregateFunction::kStd: return "std";
    case AggregateFunction::kFirst: return "first";
    case AggregateFunction::kLast: return "last";
    case AggregateFunction::kNUnique: return "nunique";
  }
  return "unknown";
}

Grouping GroupIds(const Table& table, const std::vector<std::string>& keys, bool dropna) {
  if (keys.empty()) {
    throw InvalidArgument("group-by: no key columns given; name at least one column to group by");
  }
  const TablePtr key_table = table.SelectColumns(keys);
  const int64_t n = table.num_rows();
  FixedWidthBuilder<int64_t> builder(types::Int64(), n);
  int64_t* ids = builder.mutable_values();
  std::vector<int64_t> first_rows;
  GroupColumn(*key_table->column(0), dropna, ids, &first_rows);
  if (keys.size() > 1) {
    std::vector<int64_t> column_ids(static_cast<size_t>(n));
    for (int k = 1; k < key_table->num_columns(); ++k) {
      std::vector<int64_t> column_first_rows;
      GroupColumn(*key_table->column(k), dropna, column_ids.data(), &column_first_rows);
      std::vector<int64_t> pair_first_rows;
      GroupPairs(ids, int64_t(first_rows.size()), column_ids.data(),
                 int64_t(column_first_rows.size()), n, ids, &pair_first_rows);
      first_rows = std::move(pair_first_rows);
    }
  }
  builder.SetLength(n);
  Grouping grouping;
  grouping.group_ids = builder.Finish();
  grouping.num_groups = int64_t(first_rows.size());
  grouping.keys = Take(*Table::Make(key_table->column_names(), key_table->columns()), first_rows);
  return grouping;
}

Grouping GroupIds(const Column& column, bool dropna) {
  const ColumnPtr shared = column.Slice(0, column.length());
  return GroupIds(*Table::Make({"key"}, {shared}), {"key"}, dropna);
}

ColumnPtr AggregateGroups(const Column& values, const Grouping& grouping,
                          AggregateFunction function) {
  return Aggregate(values, CheckedIds(values, grouping), grouping.num_groups, function);
}

std::pair<ColumnPtr, ColumnPtr> AggregateSumsAndCounts(const Column& values, const Grouping& grouping) {
  const int64_t* ids = CheckedIds(values, grouping);
  if (!values.type().is_floating()) {
    return {Aggregate(values, ids, grouping.num_groups, AggregateFunction::kSum),
            Aggregate(values, ids, grouping.num_groups, AggregateFunction::kCount)};
  }
  std::vector<double> sums(size_t(grouping.num_groups), 0.0);
  std::vector<int64_t> counts(size_t(grouping.num_groups), 0);
  VisitFixedWidth(values.type(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) KahanSums<T>(values, ids, &sums, &counts);
  });
  return {Float64Column(sums, {}), Int64Column(counts)};
}

std::vector<MomentsState> GroupMoments(const Column& values, const Grouping& grouping) {
  RequireNumeric(values, AggregateFunction::kVar);
  return Moments(values, CheckedIds(values, grouping), grouping.num_groups);
}

TablePtr GroupByAggregate(const Table& table, const std::vector<std::string>& keys,
                          const std::vector<Aggregation>& aggregations,
                          const GroupByOptions& options) {
  const Grouping grouping = GroupIds(table, keys, options.dropna);
  std::vector<std::string> names = keys;
  std::vector<ColumnPtr> columns = grouping.keys->columns();
  const int64_t* ids = grouping.group_ids->values<int64_t>();
  for (const Aggregation& aggregation : aggregations) {
    std::string name = aggregation.output_name;
    if (name.empty()) name = aggregation.column.empty() ? "size" : aggregation.column;
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      throw InvalidArgument("group-by: output column '" + name + "' appears twice; give the " +
                            AggregateFunctionName(aggregation.function) +
                            " aggregation an output_name of its own");
    }
    names.push_back(name);
    if (aggregation.function == AggregateFunction::kSize && aggregation.column.empty()) {
      columns.push_back(
          Aggregate(*grouping.group_ids, ids, grouping.num_groups, AggregateFunction::kSize));
    } else {
      columns.push_back(Aggregate(*table.column(aggregation.column), ids, grouping.num_groups,
                                  aggregation.function));
    }
  }
  TablePtr result = Table::Make(std::move(names), std::move(columns));
  if (options.sort && grouping.num_groups > 1) {
    std::vector<SortKey> sort_keys;
    for (const std::string& key : keys) sort_keys.push_back({key, true});
    result = Take(*result, *SortIndices(*grouping.keys, sort_keys));
  }
  return result;
}

}  // namespace tessera::compute
