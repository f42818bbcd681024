// Logical operators on bool columns (pandas' &, |, ^, ~), the glue between comparisons and
// filters. Null rule, kept simple and documented: every null input row gives False and the
// result never holds nulls (pandas' object-dtype logical ops do the same: NaN & x and NaN | x
// are False), so a result can always serve directly as a filter mask. Not(null) is False too.
#pragma once

#include "tessera/compute/scalar.hpp"
#include "tessera/table/column.hpp"

namespace tessera::compute {

/// a & b. Both must be bool columns of equal length (TypeError / InvalidArgument otherwise).
ColumnPtr And(const Column& a, const Column& b);
/// a & b for every row; a null scalar gives all False.
ColumnPtr And(const Column& a, const Scalar& b);
/// a | b.
ColumnPtr Or(const Column& a, const Column& b);
ColumnPtr Or(const Column& a, const Scalar& b);
/// a ^ b.
ColumnPtr Xor(const Column& a, const Column& b);
ColumnPtr Xor(const Column& a, const Scalar& b);
/// ~a.
ColumnPtr Not(const Column& a);

}  // namespace tessera::compute
