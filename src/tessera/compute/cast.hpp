// Conversions between column types, with the semantics of pandas' Series.astype: numeric casts
// wrap like NumPy's, floats refuse to become integers while they hold NaN, numbers print the way
// Python prints them, and text parses strictly (a bad value names its row). The arithmetic and
// comparison kernels also use Cast to bring operands to a common type.
#pragma once

#include <string>
#include <string_view>

#include "tessera/table/column.hpp"

namespace tessera::compute {

/// Converts `column` to `type` as pandas' astype does; when the type already matches the result
/// shares the input's buffers. Nulls stay null. Supported:
/// - between bool and all integer and float types: integers narrow by wrapping (NumPy);
///   float -> integer truncates toward zero and throws InvalidArgument when a row is NaN, null,
///   infinite or out of the target's range ("cannot convert NaN to integer"); number -> bool is
///   value != 0 (NaN -> true, as NumPy);
/// - number, bool, timestamp, duration, date -> string: integers in decimal, floats as Python's
///   repr (1.0 -> "1.0", 0.1 -> "0.1", 1e16 -> "1e+16"), bools as "True"/"False", temporal
///   values as pandas prints them;
/// - string -> number: decimal text with optional sign and surrounding ASCII spaces ("nan" and
///   "inf" for floats); string -> bool accepts True/False/true/false/1/0. A value that does not
///   parse throws InvalidArgument naming its row and text;
/// - string -> timestamp or date: ISO 8601 (see tessera/base/timestamp_parse.hpp);
/// - timestamp, duration <-> int64 and date <-> int32 (the stored numbers, no copy); other
///   integer types -> timestamp/duration/date through int64/int32; timestamp -> date (the day,
///   rounded toward the past); date -> timestamp (midnight);
/// - timestamp (duration) of one unit -> another unit, as CastTimeUnit;
/// - string -> categorical (categories sorted, as pandas does); categorical -> string, and
///   categorical -> any type a string converts to.
/// Anything else throws TypeError naming both types.
ColumnPtr Cast(const Column& column, DataType type);

/// Timestamps or durations converted to `unit` as pandas' astype('M8[unit]') does: exact toward
/// a finer unit, rounded toward the past toward a coarser one. A value that does not fit the
/// finer unit (datetime64[ns] spans the years 1677-2262) throws InvalidArgument naming `what`
/// (e.g. "column 'ts'"; "a column" when empty), the row and the value.
ColumnPtr CastTimeUnit(const Column& column, TimeUnit unit, std::string_view what = {});

/// The same stored values under another type of the same storage (timestamp, duration, int64;
/// date, int32), sharing the buffers. Throws TypeError for other pairs.
ColumnPtr Reinterpret(const Column& column, DataType type);

/// Python's repr of a float: the shortest text that reads back to the same value, positional
/// for exponents -4..15 ("0.0001", "1234.5", "1.0"), scientific otherwise ("1e-05", "1e+16");
/// "nan", "inf", "-inf".
std::string FormatFloat(double value);
/// The same for a float32 value (shortest text that reads back as that float32).
std::string FormatFloat(float value);

}  // namespace tessera::compute
