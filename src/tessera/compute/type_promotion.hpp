// Result types of binary numeric kernels (arithmetic, comparison, where, fill), following the
// NumPy promotion table that pandas inherits. Kept in one place so every kernel agrees on what
// int8 + uint8 or int32 + float32 becomes.
#pragma once

#include <optional>

#include "tessera/compute/scalar.hpp"
#include "tessera/table/data_type.hpp"

namespace tessera::compute {

/// True for bool and every integer or float type: the types NumPy promotes among themselves.
bool IsNumericOrBool(DataType type);

/// NumPy's result_type for two numeric or bool types:
/// - same kind, different widths -> the wider (int8 + int16 -> int16);
/// - signed + unsigned -> the next signed type wider than the unsigned one (int8 + uint8 ->
///   int16), float64 when the unsigned one is uint64 (int64 + uint64 -> float64);
/// - float32 with bool/int8/int16/uint8/uint16 -> float32, with wider integers -> float64;
/// - anything with float64 -> float64; bool with bool -> bool; bool with T -> T.
/// Throws TypeError when either type is not numeric or bool.
DataType PromoteNumeric(DataType a, DataType b);

/// The type a column-scalar kernel computes in. Scalars are "weak", like Python numbers under
/// NumPy 2 and pandas: an integer scalar keeps an integer column's type when its value fits
/// (int8 column + 1 -> int8); when it does not fit, the smallest type of the column's
/// signedness holding the value (signed for negative values) is promoted with the column's
/// (int8 column + 300 -> int16, uint8 column - 1 -> int16), as NumPy 1 did. A float scalar keeps a float
/// column's type (float32 + 0.5 -> float32) and turns integer or bool columns into float64.
/// An integer scalar with a bool column gives int64; a bool scalar never widens a column.
DataType PromoteWithScalar(DataType column_type, const Scalar& scalar);

/// The smallest integer type that holds the value of an integer scalar (uint8 for 0..255,
/// int8 for -128..-1, ...), as NumPy's min_scalar_type.
DataType MinimalIntegerType(const Scalar& scalar);

/// True when an integer value lies in the range of an integer or bool type.
bool IntegerFits(__int128 value, DataType type);

namespace internal {

/// Value of an integer or bool scalar, wide enough for both int64 and uint64 values.
__int128 IntegerScalarValue(const Scalar& scalar);

/// A valid numeric or bool scalar converted to T, the storage type a kernel computes in.
/// Integer targets wrap, as a NumPy cast does; callers promote first so the value fits.
template <typename T>
T ScalarValueAs(const Scalar& scalar) {
  if (scalar.type().is_floating()) return static_cast<T>(scalar.as_double());
  if (scalar.type().id() == TypeId::kBool) return static_cast<T>(scalar.as_bool());
  return static_cast<T>(IntegerScalarValue(scalar));
}

/// The stored value a scalar takes in a timestamp, duration or date column: a scalar of the
/// same kind in the column's unit (a finer value rounds toward the past; callers that need it
/// exact first bring the column to FinerScalarUnit), or (timestamps and dates) an ISO 8601
/// string, parsed. Returns false for any other scalar; throws InvalidArgument for a string that
/// is not a timestamp, or a value out of bounds for the column's unit.
bool TemporalScalarValue(DataType column_type, const Scalar& scalar, int64_t* value);

/// The unit a timestamp or duration column must take to hold `scalar` (a timestamp, duration or
/// ISO string) exactly, when that is finer than the column's own (the coarsest such unit);
/// nullopt when the column's unit holds it. pandas
/// compares and computes in the finer unit of the two operands.
std::optional<TimeUnit> FinerScalarUnit(DataType column_type, const Scalar& scalar);

}  // namespace internal

}  // namespace tessera::compute
