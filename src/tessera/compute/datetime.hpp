// Kernels of pandas' .dt accessor on timestamp columns (int64 ticks of the column's unit since
// the epoch, no time zone): calendar fields, the date part, and flooring/ceiling/rounding to a fixed frequency
// such as "15min" or "1h" (the building block of resample and time-bucketed group-bys).
// Calendar arithmetic is tessera/base/civil_time.hpp (proleptic Gregorian; times before 1970
// round toward the past). Nulls stay null everywhere.
#pragma once

#include <cstdint>
#include <string_view>

#include "tessera/table/column.hpp"

namespace tessera::compute {

/// Calendar fields as int32 columns, as pandas' dt.year etc. Timestamp columns take all of them;
/// date columns take Year, Month, Day, DayOfWeek and DayOfYear. Other types throw TypeError.
ColumnPtr Year(const Column& column);
/// 1..12.
ColumnPtr Month(const Column& column);
/// Day of the month, 1..31.
ColumnPtr Day(const Column& column);
/// 0..23.
ColumnPtr Hour(const Column& column);
/// 0..59.
ColumnPtr Minute(const Column& column);
/// 0..59.
ColumnPtr Second(const Column& column);
/// Monday = 0 .. Sunday = 6.
ColumnPtr DayOfWeek(const Column& column);
/// 1..366.
ColumnPtr DayOfYear(const Column& column);

/// The calendar day of each timestamp as a date column (pandas' dt.date).
ColumnPtr Date(const Column& column);
/// Each timestamp moved to midnight of its day, staying a timestamp (pandas' dt.normalize).
ColumnPtr Normalize(const Column& column);

/// Calendar bins of timestamps, at midnight, as pandas labels resample bins: the first day of
/// the month ("MS"), the last day of the month ("ME" / "M"), and the Sunday ending the week
/// that runs Monday to Sunday ("W" = "W-SUN"). Nulls stay null.
ColumnPtr MonthStart(const Column& column);
ColumnPtr MonthEnd(const Column& column);
ColumnPtr WeekEnd(const Column& column);

/// Nanoseconds in a fixed frequency written as pandas writes it: an optional positive count
/// then a unit: "ns"/"N", "us"/"U", "ms"/"L", "s"/"S", "min"/"T", "h"/"H", "D"/"d" ("15min",
/// "1h", "D"). Throws InvalidArgument naming the text for anything else, including calendar
/// frequencies such as "M" or "W" whose length varies.
int64_t ParseFrequency(std::string_view frequency);

/// A fixed frequency as a count of `unit` ticks (ParseFrequency divided by the tick). A frequency
/// below one tick is 1 (every value lies on it); one that is not a whole number of ticks throws
/// InvalidArgument naming it.
int64_t FrequencyTicks(std::string_view frequency, TimeUnit unit);
/// Each timestamp (or duration) rounded down to a multiple of the frequency (pandas dt.floor),
/// in the column's unit.
ColumnPtr Floor(const Column& column, std::string_view frequency);
/// Rounded up (a value already on a boundary is unchanged).
ColumnPtr Ceil(const Column& column, std::string_view frequency);
/// Rounded to the nearest multiple, halves to the even multiple, as pandas' dt.round does.
ColumnPtr Round(const Column& column, std::string_view frequency);

}  // namespace tessera::compute
