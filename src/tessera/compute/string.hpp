// Kernels of pandas' .str accessor on string columns (UTF-8). Categorical columns are accepted
// too: predicates and lengths are computed once per category and picked by code; transforms
// return plain string columns (as pandas returns object strings). Nulls stay null everywhere.
//
// Scope choices: case mapping and whitespace stripping cover ASCII only; other bytes (every
// byte of a non-ASCII character) pass through unchanged, so "ÉCOLE" lowers to "École". Lengths
// and slice positions count code points, as Python does.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "tessera/table/column.hpp"

namespace tessera::compute {

/// Number of code points of each string, int64 (pandas str.len).
ColumnPtr Length(const Column& column);
/// ASCII letters to lower case.
ColumnPtr Lower(const Column& column);
/// ASCII letters to upper case.
ColumnPtr Upper(const Column& column);
/// Removes leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r and \x1c-\x1f, the
/// characters Python's str.strip removes below 0x80).
ColumnPtr Strip(const Column& column);
/// Removes leading ASCII whitespace only.
ColumnPtr LStrip(const Column& column);
/// Removes trailing ASCII whitespace only.
ColumnPtr RStrip(const Column& column);

/// True where the string contains `pattern`: a literal substring, or with `regex` an ECMAScript
/// regular expression searched anywhere in the string (std::regex; an invalid pattern throws
/// InvalidArgument). An empty pattern matches every non-null row.
ColumnPtr Contains(const Column& column, std::string_view pattern, bool regex = false);
/// True where the string starts with `prefix`.
ColumnPtr StartsWith(const Column& column, std::string_view prefix);
/// True where the string ends with `suffix`.
ColumnPtr EndsWith(const Column& column, std::string_view suffix);

/// Code points [start, stop) of each string with Python's slice rules: negative positions
/// count from the end, out-of-range positions clamp, nullopt means "from the start" / "to the
/// end" (pandas str.slice / str[start:stop]).
ColumnPtr Slice(const Column& column, std::optional<int64_t> start, std::optional<int64_t> stop);

/// Every non-overlapping occurrence of `old` (left to right) replaced by `replacement`, as
/// Python's str.replace; an empty `old` inserts `replacement` between all code points and at
/// both ends ("abc" -> "-a-b-c-").
ColumnPtr Replace(const Column& column, std::string_view old, std::string_view replacement);

}  // namespace tessera::compute
