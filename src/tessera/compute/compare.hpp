// Elementwise comparisons producing bool columns, with pandas' rules: a comparison involving a
// null or NaN is false (NotEqual is true), so results never hold nulls and can be used directly
// as filter masks. Numbers of different types compare exactly as their promoted type (int64 vs
// uint64 without rounding through float64); strings compare bytewise (UTF-8 code point order);
// timestamps, durations and dates compare with their own kind (a string scalar is parsed as an
// ISO timestamp); categoricals compare with strings by category text.
//
// As in pandas, Equal/NotEqual between unrelated types (int64 vs string) give all-false /
// all-true, while ordering comparisons between them throw TypeError; categoricals, having no
// order here, support only Equal and NotEqual.
#pragma once

#include <string_view>
#include <vector>

#include "tessera/compute/scalar.hpp"
#include "tessera/table/column.hpp"

namespace tessera::compute {

enum class CompareOp { kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual };

/// Python's spelling ("==", "<", ...), for messages.
const char* CompareOpSymbol(CompareOp op);

/// a op b row by row -> bool column without nulls. Columns must have equal lengths.
ColumnPtr Compare(CompareOp op, const Column& a, const Column& b);
/// a op b with b repeated for every row; a null scalar compares false (NotEqual true).
ColumnPtr Compare(CompareOp op, const Column& a, const Scalar& b);
/// a op b with a repeated for every row (5 < column).
ColumnPtr Compare(CompareOp op, const Scalar& a, const Column& b);

/// a == b.
ColumnPtr Equal(const Column& a, const Column& b);
ColumnPtr Equal(const Column& a, const Scalar& b);
/// a != b.
ColumnPtr NotEqual(const Column& a, const Column& b);
ColumnPtr NotEqual(const Column& a, const Scalar& b);
/// a < b.
ColumnPtr Less(const Column& a, const Column& b);
ColumnPtr Less(const Column& a, const Scalar& b);
/// a <= b.
ColumnPtr LessEqual(const Column& a, const Column& b);
ColumnPtr LessEqual(const Column& a, const Scalar& b);
/// a > b.
ColumnPtr Greater(const Column& a, const Column& b);
ColumnPtr Greater(const Column& a, const Scalar& b);
/// a >= b.
ColumnPtr GreaterEqual(const Column& a, const Column& b);
ColumnPtr GreaterEqual(const Column& a, const Scalar& b);

/// low <= column <= high, with pandas' `inclusive`: "both" (default), "neither", "left" (low
/// only) or "right" (high only); other spellings throw InvalidArgument. Nulls give false.
ColumnPtr Between(const Column& column, const Scalar& low, const Scalar& high,
                  std::string_view inclusive = "both");

/// True where the row equals one of `values` (pandas' isin). Numbers match across types by
/// value (1.0 matches an integer 1); values of unrelated types never match. A null row (or NaN)
/// matches when `values` holds a null scalar or NaN.
ColumnPtr IsIn(const Column& column, const std::vector<Scalar>& values);

}  // namespace tessera::compute
