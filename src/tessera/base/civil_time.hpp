// Conversions between nanoseconds (or other ticks) since the epoch and calendar fields (proleptic Gregorian, no
// time zone), shared by the CSV parser, the datetime kernels and printing.
#pragma once

#include <cstdint>
#include <string>

namespace tessera::civil {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr int64_t kNanosPerMinute = 60 * kNanosPerSecond;
inline constexpr int64_t kNanosPerHour = 60 * kNanosPerMinute;
inline constexpr int64_t kNanosPerDay = 24 * kNanosPerHour;

/// Days since 1970-01-01 of a calendar date (month 1..12, day 1..31).
constexpr int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = unsigned(year - era * 400);
  const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + int64_t(day_of_era) - 719468;
}

struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

constexpr CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned day_of_era = unsigned(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t year = int64_t(year_of_era) + era * 400;
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {year + (month <= 2), month, day};
}

constexpr bool IsLeapYear(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

constexpr unsigned DaysInMonth(int64_t year, unsigned month) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

/// Floor division that rounds toward negative infinity (timestamps before 1970 stay correct).
constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/// Splits `ticks` since the epoch (at `ticks_per_second`: 1 for seconds .. 1e9 for nanoseconds)
/// into whole days (toward the past) and the nanoseconds into that day; never overflows.
struct DayAndNanos {
  int64_t days;
  int64_t nanos_in_day;  // 0 .. kNanosPerDay - 1
};
constexpr DayAndNanos SplitDay(int64_t ticks, int64_t ticks_per_second) {
  const int64_t ticks_per_day = 86400 * ticks_per_second;
  const int64_t days = FloorDiv(ticks, ticks_per_day);
  return {days, (ticks - days * ticks_per_day) * (kNanosPerSecond / ticks_per_second)};
}

/// Writes "YYYY-MM-DD HH:MM:SS" (plus ".f..." when the time has a fraction) for years 0..9999
/// into `out` (at least 32 bytes) without allocating; returns the length written. `ticks` count
/// units of 1 / ticks_per_second seconds (nanoseconds by default).
int WriteTimestamp(int64_t ticks, char* out, int64_t ticks_per_second = kNanosPerSecond);

/// "YYYY-MM-DD HH:MM:SS" plus ".fffffffff" trimmed to the digits needed when `fraction` is set.
std::string FormatTimestamp(int64_t nanos, bool with_fraction = true);
/// The same for a count of ticks at `ticks_per_second` (covers every year such a count reaches).
std::string FormatTimestampTicks(int64_t ticks, int64_t ticks_per_second);
/// "YYYY-MM-DD".
std::string FormatDate(int64_t days);
/// pandas' timedelta spelling: "1 days 02:03:04".
std::string FormatDuration(int64_t nanos);
/// The same for a count of ticks at `ticks_per_second`.
std::string FormatDurationTicks(int64_t ticks, int64_t ticks_per_second);

}  // namespace tessera::civil
