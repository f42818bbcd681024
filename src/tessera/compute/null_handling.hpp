// Kernels that test, replace or select around missing values, plus the small value-shaping
// kernels pandas groups with them (where, clip, round). "Missing" follows pandas: a null, or NaN
// in a float column.
#pragma once

#include <string_view>
#include <vector>

#include "tessera/compute/scalar.hpp"
#include "tessera/table/column.hpp"

namespace tessera::compute {

/// True where a row is null, or NaN in a float column (pandas isna). Never holds nulls.
ColumnPtr IsNull(const Column& column);
/// The negation of IsNull (pandas notna).
ColumnPtr NotNull(const Column& column);

/// Replaces nulls (and NaN in float columns) with `value`, as pandas' fillna. The result keeps
/// the column's type when the value fits it (an int64 column filled with 0 stays int64 and
/// loses its bitmap); otherwise the type is promoted as for arithmetic (int64 filled with 0.5
/// becomes float64, int8 filled with 300 becomes int16). Strings take a string; timestamps a
/// timestamp or an ISO string; categoricals one of their categories (TypeError for a new one,
/// as pandas). A null `value` returns the column unchanged. Other mixes throw TypeError.
ColumnPtr FillNull(const Column& column, const Scalar& value);

/// The rows pandas' dropna keeps, as a bool mask for Filter: with how = "any" a row is kept when
/// no column is missing there, with "all" when at least one column is present. All columns must
/// have the same length; an empty list throws InvalidArgument (it has no row count).
ColumnPtr DropNullMask(const std::vector<ColumnPtr>& columns, std::string_view how = "any");

/// pandas' x.where(condition, other): x where `condition` is true, `other` elsewhere. A null
/// condition counts as false. The result type is the promotion of x's and other's types
/// (numbers), or their shared type (strings, temporal); categoricals stay categorical when
/// `other` uses the same categories and become strings otherwise. Nulls come from the side
/// chosen for each row.
ColumnPtr Where(const Column& condition, const Column& x, const Column& other);
/// With a scalar `other`; a null scalar gives nulls where the condition is false (pandas'
/// default other=NaN) while keeping x's type.
ColumnPtr Where(const Column& condition, const Column& x, const Scalar& other);

/// Bounds values to [lower, upper] (pandas clip, NumPy's min(max(x, lower), upper) when lower >
/// upper). A null or NaN bound means no bound. Numeric columns (the type promotes with the
/// bounds: an int column clipped at 0.5 becomes float64) and timestamp, duration and date
/// columns with bounds of their kind (or ISO strings). NaN and nulls stay as they are.
ColumnPtr Clip(const Column& column, const Scalar& lower, const Scalar& upper);

/// Rounds to `decimals` decimal digits, halves to even, as NumPy's round: floats compute
/// rint(x * 10^d) / 10^d (rint(x / 10^-d) * 10^-d for negative d) in their own type; integers
/// are unchanged for d >= 0 and round exactly to multiples of 10^-d otherwise (15 -> 20,
/// 25 -> 20 at d = -1); bool columns are unchanged. Nulls stay null.
ColumnPtr Round(const Column& column, int decimals = 0);

}  // namespace tessera::compute
