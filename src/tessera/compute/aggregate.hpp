// Whole-column reductions (sum, count, mean, min, max, var, std, nunique, any, all) with pandas
// semantics, plus the partial states a tree reduction combines across partitions. Every
// reduction skips nulls and NaN, as pandas' skipna=True does.
//
// Result types follow pandas: sum of a signed integer or bool -> int64 (wrapping on overflow,
// as NumPy does), of an unsigned integer -> uint64, of a float -> float64, of a duration ->
// duration; mean, var and std -> float64 (mean of timestamps/durations keeps the type); min and
// max keep the column's type (float32 reports as float64, since a Scalar holds doubles).
// Empty or all-null input: sum -> 0 (pandas min_count=0), count -> 0, mean/var/std -> NaN,
// min/max -> a null Scalar of the column's type, any -> false, all -> true.
#pragma once

#include <cstdint>

#include "tessera/compute/scalar.hpp"
#include "tessera/table/column.hpp"

namespace tessera::compute {

/// Sum of the non-null, non-NaN values. Floats use NumPy's pairwise summation (8-way unrolled
/// blocks of 128 values, halves above that), with nulls and NaN counted as 0, so results match
/// pandas to rounding. float32 is summed in double. TypeError for strings, categoricals,
/// timestamps and dates.
Scalar Sum(const Column& column);
/// Number of non-null values (NaN is not counted), as int64. Any type.
Scalar Count(const Column& column);
/// Sum / count as float64 (NaN when there are no values). Timestamps and durations give the
/// exact mean truncated to a nanosecond, of the same type (NaT when empty).
Scalar Mean(const Column& column);
/// Smallest / largest value, of the column's type; strings compare by UTF-8 bytes. TypeError for
/// categoricals (pandas only orders ordered categoricals).
Scalar Min(const Column& column);
Scalar Max(const Column& column);
/// Sample variance with `ddof` delta degrees of freedom (two-pass: pairwise mean, then pairwise
/// sum of squared deviations, as pandas' nanvar). NaN when fewer than ddof + 1 values.
Scalar Var(const Column& column, int ddof = 1);
/// sqrt(Var(column, ddof)).
Scalar Std(const Column& column, int ddof = 1);
/// Number of distinct values as int64; with `dropna` nulls and NaN are not counted, otherwise
/// they count as one value. -0.0 and 0.0 are one value; categoricals count distinct categories
/// present.
Scalar NUnique(const Column& column, bool dropna = true);
/// Whether any / all non-null values are truthy (non-zero numbers, non-empty strings).
/// TypeError for timestamps, dates and categoricals (pandas refuses them too).
Scalar Any(const Column& column);
Scalar All(const Column& column);

/// Partial sum of one partition. Combine() adds partials from other partitions; Sum() and
/// Mean() finish. Integer inputs carry both the exact wrapping integer sum (for Sum) and the sum
/// as double (for Mean); float inputs carry the pairwise float sum.
struct SumState {
  DataType type = types::Int64();  ///< Type of the final sum: int64, uint64, float64, duration.
  uint64_t integer = 0;            ///< Two's complement sum for integer results.
  double floating = 0;             ///< Sum as double (float inputs, or integers for Mean).
  int64_t count = 0;               ///< Values summed (non-null, non-NaN).

  /// Adds another partition's partial (TypeError when the types differ).
  void Combine(const SumState& other);
  Scalar Sum() const;
  /// floating / count as float64, NaN when count is 0 (numeric and bool inputs).
  Scalar Mean() const;
};
/// Partial sum of a numeric, bool or duration column (TypeError otherwise). Integer columns
/// carry the float sum Mean needs only with `for_mean` (a second pass over the values).
SumState SumPartial(const Column& column, bool for_mean = true);

/// Count, mean and sum of squared deviations (M2) of one partition, combined exactly across
/// partitions with the parallel formula of Chan, Golub and LeVeque.
struct MomentsState {
  int64_t count = 0;
  double mean = 0;
  double m2 = 0;

  void Combine(const MomentsState& other);
  /// m2 / (count - ddof); NaN when count <= ddof.
  double Variance(int ddof = 1) const;
};
/// Two-pass moments of the numeric or bool values of `column` (TypeError otherwise).
MomentsState MomentsPartial(const Column& column);

/// Minimum and maximum of one partition (null Scalars when it has no values).
struct MinMaxState {
  Scalar min = Scalar::Null(types::Int64());
  Scalar max = Scalar::Null(types::Int64());

  void Combine(const MinMaxState& other);
};
MinMaxState MinMaxPartial(const Column& column);

/// NumPy's pairwise sum of values[0..count), exposed for kernels that sum doubles the same way.
double PairwiseSum(const double* values, int64_t count);

}  // namespace tessera::compute
