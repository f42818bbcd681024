// Column reductions. Each public reduction dispatches on the column type once and runs a typed
// loop; nulls and NaN are skipped (or, in pairwise sums, counted as 0 exactly as pandas' nansum
// fills them before summing).
#include "tessera/compute/aggregate.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "tessera/base/error.hpp"
#include "tessera/compute/group_by.hpp"

namespace tessera::compute {

namespace {

constexpr int64_t kPairwiseBlock = 128;  // NumPy's PW_BLOCKSIZE

// NumPy's pairwise summation over load(begin .. begin + count): sequential below 8 values,
// 8 accumulators up to a block, otherwise split in two halves at a multiple of 8.
template <typename Load>
double PairwiseSumOf(const Load& load, int64_t begin, int64_t count) {
  if (count < 8) {
    double sum = -0.0;  // so that summing only -0.0 keeps the sign, as NumPy does
    for (int64_t i = 0; i < count; ++i) sum += load(begin + i);
    return sum;
  }
  if (count <= kPairwiseBlock) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = load(begin + j);
    int64_t i = 8;
    for (; i < count - count % 8; i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += load(begin + i + j);
    }
    double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < count; ++i) sum += load(begin + i);
    return sum;
  }
  int64_t half = count / 2;
  half -= half % 8;
  return PairwiseSumOf(load, begin, half) + PairwiseSumOf(load, begin + half, count - half);
}

// Calls fn(load) where load(i) is row i as double, or 0 when it is null or NaN; the null-free
// case gets a loader without the bitmap test.
template <typename T, typename Fn>
auto WithLoader(const Column& column, Fn&& fn) {
  const T* values = column.values<T>();
  if (!column.has_nulls()) {
    if constexpr (std::is_floating_point_v<T>) {
      return fn([values](int64_t i) {
        const double x = double(values[i]);
        return x == x ? x : 0.0;
      });
    } else {
      return fn([values](int64_t i) { return double(values[i]); });
    }
  }
  return fn([values, &column](int64_t i) {
    const double x = double(values[i]);
    return column.IsValid(i) && x == x ? x : 0.0;
  });
}

// Non-null, non-NaN values.
template <typename T>
int64_t CountValues(const Column& column) {
  if constexpr (!std::is_floating_point_v<T>) {
    return column.length() - column.null_count();
  } else {
    const T* values = column.values<T>();
    int64_t count = 0;
    if (!column.has_nulls()) {
      for (int64_t i = 0; i < column.length(); ++i) count += values[i] == values[i];
    } else {
      for (int64_t i = 0; i < column.length(); ++i) {
        count += values[i] == values[i] && column.IsValid(i);
      }
    }
    return count;
  }
}

bool IsNumericOrBool(DataType type) { return type.is_numeric() || type.id() == TypeId::kBool; }

[[noreturn]] void Unsupported(const char* reduction, DataType type, const char* hint) {
  throw TypeError(std::string(reduction) + " is not supported for " + type.ToString() + " columns" +
                  hint);
}

// The value as a Scalar of the column's type (float32 reports as float64).
template <typename T>
Scalar ScalarOf(DataType type, T value) {
  if (type.id() == TypeId::kBool) return Scalar::Bool(value != 0);
  if constexpr (std::is_floating_point_v<T>) {
    return Scalar::Float64(double(value));
  } else if constexpr (std::is_same_v<T, uint64_t>) {
    return Scalar::UInt64(value);
  } else {
    return Scalar::OfInt(type, int64_t(value));
  }
}

DataType ResultTypeOfMinMax(DataType type) { return type.is_floating() ? types::Float64() : type; }

// Integer sum, wrapping like NumPy; signed values are widened to int64 first.
template <typename T>
uint64_t IntegerSum(const Column& column) {
  const T* values = column.values<T>();
  uint64_t sum = 0;
  auto widen = [](T x) {
    if constexpr (std::is_signed_v<T>) {
      return uint64_t(int64_t(x));
    } else {
      return uint64_t(x);
    }
  };
  if (!column.has_nulls()) {
    for (int64_t i = 0; i < column.length(); ++i) sum += widen(values[i]);
  } else {
    for (int64_t i = 0; i < column.length(); ++i) sum += column.IsValid(i) ? widen(values[i]) : 0;
  }
  return sum;
}

DataType SumResultType(DataType type) {
  if (type.is_floating()) return types::Float64();
  if (type.is_unsigned_integer()) return types::UInt64();
  if (type.id() == TypeId::kDuration) return type;
  if (type.is_signed_integer() || type.id() == TypeId::kBool) return types::Int64();
  Unsupported("sum", type, "; cast to a numeric type first");
}

// Computes the parts of a SumState that are asked for.
SumState ComputeSum(const Column& column, bool want_integer, bool want_floating) {
  SumState state;
  state.type = SumResultType(column.type());
  VisitFixedWidth(column.type(), [&](auto tag) {
    using T = decltype(tag);
    state.count = CountValues<T>(column);
    if constexpr (std::is_floating_point_v<T>) {
      want_floating = true;
    } else {
      if (want_integer) state.integer = IntegerSum<T>(column);
    }
    if (want_floating) {
      state.floating = WithLoader<T>(
          column, [&](const auto& load) { return PairwiseSumOf(load, 0, column.length()); });
    }
  });
  return state;
}

template <typename T>
struct Extremes {
  bool found = false;
  T min{};
  T max{};
};

template <typename T>
Extremes<T> FindExtremes(const Column& column) {
  const T* values = column.values<T>();
  const int64_t length = column.length();
  Extremes<T> result;
  if constexpr (std::is_floating_point_v<T>) {
    // Comparisons with NaN are false, so NaN never replaces a bound; `count` tells whether any
    // real value was seen.
    T lo = std::numeric_limits<T>::infinity();
    T hi = -std::numeric_limits<T>::infinity();
    int64_t count = 0;
    for (int64_t i = 0; i < length; ++i) {
      const T x = values[i];
      if (!column.IsValid(i) || x != x) continue;
      lo = x < lo ? x : lo;
      hi = x > hi ? x : hi;
      ++count;
    }
    result = {count > 0, lo, hi};
  } else {
    T lo = std::numeric_limits<T>::max();
    T hi = std::numeric_limits<T>::lowest();
    if (!column.has_nulls()) {
      for (int64_t i = 0; i < length; ++i) {
        lo = std::min(lo, values[i]);
        hi = std::max(hi, values[i]);
      }
      result = {length > 0, lo, hi};
    } else {
      for (int64_t i = 0; i < length; ++i) {
        if (!column.IsValid(i)) continue;
        lo = std::min(lo, values[i]);
        hi = std::max(hi, values[i]);
      }
      result = {column.null_count() < length, lo, hi};
    }
  }
  return result;
}

bool ScalarLess(const Scalar& a, const Scalar& b) {
  const DataType type = a.type();
  if (type.id() == TypeId::kString) return a.as_string() < b.as_string();
  if (type.id() == TypeId::kBool) return !a.as_bool() && b.as_bool();
  if (type.id() == TypeId::kUInt64) return a.as_uint64() < b.as_uint64();
  if (type.is_floating()) return a.as_double() < b.as_double();
  return a.as_int64() < b.as_int64();
}

// Truthiness reduction: any (want_any) or all.
bool Truthy(const Column& column, bool want_any) {
  const DataType type = column.type();
  if (type.id() == TypeId::kString) {
    for (int64_t i = 0; i < column.length(); ++i) {
      if (!column.IsValid(i)) continue;
      if (!column.GetString(i).empty() == want_any) return want_any;
    }
    return !want_any;
  }
  if (!IsNumericOrBool(type) && type.id() != TypeId::kDuration) {
    Unsupported(want_any ? "any" : "all", type, "; compare the column first to get a bool mask");
  }
  return VisitFixedWidth(type, [&](auto tag) {
    using T = decltype(tag);
    const T* values = column.values<T>();
    for (int64_t i = 0; i < column.length(); ++i) {
      const T x = values[i];
      if constexpr (std::is_floating_point_v<T>) {
        if (x != x) continue;
      }
      if (!column.IsValid(i)) continue;
      if ((x != 0) == want_any) return want_any;
    }
    return !want_any;
  });
}

}  // namespace

double PairwiseSum(const double* values, int64_t count) {
  return PairwiseSumOf([values](int64_t i) { return values[i]; }, 0, count);
}

void SumState::Combine(const SumState& other) {
  if (other.type != type) {
    throw TypeError("cannot combine partial sums of types " + type.ToString() + " and " +
                    other.type.ToString() + "; cast the partitions to one type first");
  }
  integer += other.integer;
  floating += other.floating;
  count += other.count;
}

Scalar SumState::Sum() const {
  switch (type.id()) {
    case TypeId::kFloat64: return Scalar::Float64(floating + 0.0);
    case TypeId::kUInt64: return Scalar::UInt64(integer);
    case TypeId::kDuration: return Scalar::OfInt(type, int64_t(integer));
    default: return Scalar::Int64(int64_t(integer));
  }
}

Scalar SumState::Mean() const {
  return Scalar::Float64(count == 0 ? std::nan("") : floating / double(count));
}

SumState SumPartial(const Column& column, bool for_mean) {
  return ComputeSum(column, true, for_mean && column.type().id() != TypeId::kDuration);
}

void MomentsState::Combine(const MomentsState& other) {
  if (other.count == 0) return;
  if (count == 0) {
    *this = other;
    return;
  }
  const double total = double(count + other.count);
  const double delta = other.mean - mean;
  mean += delta * double(other.count) / total;
  m2 += other.m2 + delta * delta * double(count) * double(other.count) / total;
  count += other.count;
}

double MomentsState::Variance(int ddof) const {
  if (count <= ddof) return std::nan("");
  return m2 / double(count - ddof);
}

MomentsState MomentsPartial(const Column& column) {
  if (!IsNumericOrBool(column.type())) {
    Unsupported("var/std", column.type(), "; cast to a numeric type first");
  }
  MomentsState state;
  VisitFixedWidth(column.type(), [&](auto tag) {
    using T = decltype(tag);
    state.count = CountValues<T>(column);
    if (state.count == 0) return;
    state.mean =
        WithLoader<T>(column,
                      [&](const auto& load) { return PairwiseSumOf(load, 0, column.length()); }) /
        double(state.count);
    const double mean = state.mean;
    // Nulls and NaN load as 0; they must also contribute 0 to the squared deviations.
    const T* values = column.values<T>();
    auto squared = [&](int64_t i) {
      const double x = double(values[i]);
      const double d = x - mean;
      return column.IsValid(i) && x == x ? d * d : 0.0;
    };
    state.m2 = PairwiseSumOf(squared, 0, column.length());
  });
  return state;
}

void MinMaxState::Combine(const MinMaxState& other) {
  if (other.min.is_valid() && (min.is_null() || ScalarLess(other.min, min))) min = other.min;
  if (other.max.is_valid() && (max.is_null() || ScalarLess(max, other.max))) max = other.max;
}

MinMaxState MinMaxPartial(const Column& column) {
  const DataType type = column.type();
  if (type.id() == TypeId::kCategorical) {
    throw TypeError(
        "min/max of a categorical column: the categories are not ordered; cast the "
        "column to string to compare the category names");
  }
  const DataType result_type = ResultTypeOfMinMax(type);
  MinMaxState state{Scalar::Null(result_type), Scalar::Null(result_type)};
  if (type.id() == TypeId::kString) {
    bool found = false;
    std::string_view lo, hi;
    for (int64_t i = 0; i < column.length(); ++i) {
      if (!column.IsValid(i)) continue;
      const std::string_view value = column.GetString(i);
      if (!found || value < lo) lo = value;
      if (!found || hi < value) hi = value;
      found = true;
    }
    if (found) {
      state.min = Scalar::String(std::string(lo));
      state.max = Scalar::String(std::string(hi));
    }
    return state;
  }
  VisitFixedWidth(type, [&](auto tag) {
    using T = decltype(tag);
    const Extremes<T> extremes = FindExtremes<T>(column);
    if (!extremes.found) return;
    state.min = ScalarOf(type, extremes.min);
    state.max = ScalarOf(type, extremes.max);
  });
  return state;
}

Scalar Sum(const Column& column) { return ComputeSum(column, true, false).Sum(); }

Scalar Count(const Column& column) {
  if (!column.type().is_floating()) return Scalar::Int64(column.length() - column.null_count());
  return VisitFixedWidth(
      column.type(), [&](auto tag) { return Scalar::Int64(CountValues<decltype(tag)>(column)); });
}

Scalar Mean(const Column& column) {
  const DataType type = column.type();
  if (type.id() == TypeId::kTimestamp || type.id() == TypeId::kDuration) {
    // Exact: a 128-bit sum of int64 ticks cannot overflow for any partition size.
    const int64_t* values = column.values<int64_t>();
    __int128 sum = 0;
    int64_t count = 0;
    for (int64_t i = 0; i < column.length(); ++i) {
      if (!column.IsValid(i)) continue;
      sum += values[i];
      ++count;
    }
    if (count == 0) return Scalar::Null(type);
    return Scalar::OfInt(type, int64_t(sum / count));
  }
  if (!IsNumericOrBool(type)) Unsupported("mean", type, "; cast to a numeric type first");
  return ComputeSum(column, false, true).Mean();
}

Scalar Min(const Column& column) { return MinMaxPartial(column).min; }

Scalar Max(const Column& column) { return MinMaxPartial(column).max; }

Scalar Var(const Column& column, int ddof) {
  return Scalar::Float64(MomentsPartial(column).Variance(ddof));
}

Scalar Std(const Column& column, int ddof) {
  return Scalar::Float64(std::sqrt(MomentsPartial(column).Variance(ddof)));
}

Scalar NUnique(const Column& column, bool dropna) {
  return Scalar::Int64(GroupIds(column, dropna).num_groups);
}

Scalar Any(const Column& column) { return Scalar::Bool(Truthy(column, true)); }

Scalar All(const Column& column) { return Scalar::Bool(Truthy(column, false)); }

}  // namespace tessera::compute
