// Elementwise arithmetic on columns and scalars with NumPy/pandas semantics: the result type
// follows NumPy promotion (see type_promotion.hpp; a Python-like scalar never widens a column it
// fits in), integer overflow wraps, nulls propagate (a row is null when either operand is), and
// float nulls also hold NaN. Each call dispatches on the type once and runs one tight loop.
//
// Semantics chosen where NumPy and pandas differ or leave a choice:
// - bool operands act as integers; bool with bool gives int64 (True + True == 2, as Python),
//   bool with another type gives that type.
// - Divide is true division: float64 for integer inputs (float32 stays float32), and x / 0 gives
//   inf, -inf or NaN as NumPy does.
// - FloorDivide and Modulo follow Python's signs (-7 // 2 == -4, -7 % 2 == 1). For integers a
//   zero divisor follows pandas, not NumPy: when any non-null row divides by zero the whole
//   result becomes float64, with inf/-inf/NaN (x // 0) or NaN (x % 0) in those rows and the
//   exact integer results elsewhere. Floats follow NumPy (1.0 // 0.0 == inf, 1.0 % 0.0 is NaN).
// - Power on integers wraps and rejects negative integer exponents (InvalidArgument, as NumPy
//   does); cast the base to float64 for fractional results.
// - Temporal: timestamp - timestamp -> duration; timestamp +/- duration -> timestamp;
//   duration +/- duration -> duration; duration * integer -> duration; duration / duration ->
//   float64; duration // duration -> int64. Other temporal combinations throw TypeError.
// - Negate rejects bool (use Not); Abs of a bool or unsigned column returns it unchanged;
//   Negate and Abs of the most negative integer wrap to itself, as NumPy.
#pragma once

#include "tessera/compute/scalar.hpp"
#include "tessera/table/column.hpp"

namespace tessera::compute {

enum class ArithmeticOp { kAdd, kSubtract, kMultiply, kDivide, kFloorDivide, kModulo, kPower };

/// Python's spelling of an operator ("+", "//", "**"), for messages.
const char* ArithmeticOpSymbol(ArithmeticOp op);

/// a op b, row by row. Columns must have equal lengths (InvalidArgument otherwise); types that
/// cannot be combined throw TypeError naming both.
ColumnPtr Arithmetic(ArithmeticOp op, const Column& a, const Column& b);
/// a op b with b repeated for every row; a null scalar gives an all-null result.
ColumnPtr Arithmetic(ArithmeticOp op, const Column& a, const Scalar& b);
/// a op b with a repeated for every row (5 - column, 1 / column).
ColumnPtr Arithmetic(ArithmeticOp op, const Scalar& a, const Column& b);

/// a + b.
ColumnPtr Add(const Column& a, const Column& b);
ColumnPtr Add(const Column& a, const Scalar& b);
ColumnPtr Add(const Scalar& a, const Column& b);
/// a - b.
ColumnPtr Subtract(const Column& a, const Column& b);
ColumnPtr Subtract(const Column& a, const Scalar& b);
ColumnPtr Subtract(const Scalar& a, const Column& b);
/// a * b.
ColumnPtr Multiply(const Column& a, const Column& b);
ColumnPtr Multiply(const Column& a, const Scalar& b);
ColumnPtr Multiply(const Scalar& a, const Column& b);
/// a / b (true division).
ColumnPtr Divide(const Column& a, const Column& b);
ColumnPtr Divide(const Column& a, const Scalar& b);
ColumnPtr Divide(const Scalar& a, const Column& b);
/// a // b (rounds toward negative infinity).
ColumnPtr FloorDivide(const Column& a, const Column& b);
ColumnPtr FloorDivide(const Column& a, const Scalar& b);
ColumnPtr FloorDivide(const Scalar& a, const Column& b);
/// a % b (the result takes the divisor's sign).
ColumnPtr Modulo(const Column& a, const Column& b);
ColumnPtr Modulo(const Column& a, const Scalar& b);
ColumnPtr Modulo(const Scalar& a, const Column& b);
/// a ** b.
ColumnPtr Power(const Column& a, const Column& b);
ColumnPtr Power(const Column& a, const Scalar& b);
ColumnPtr Power(const Scalar& a, const Column& b);

/// -a for numeric and duration columns.
ColumnPtr Negate(const Column& a);
/// |a| for numeric, bool and duration columns.
ColumnPtr Abs(const Column& a);

}  // namespace tessera::compute
