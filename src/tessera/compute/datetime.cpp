#include "tessera/compute/datetime.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "tessera/base/civil_time.hpp"
#include "tessera/base/error.hpp"
#include "tessera/compute/null_propagation.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {

namespace {

using internal::AllocateValues;
using internal::MutableBuffer;

enum class Field { kYear, kMonth, kDay, kHour, kMinute, kSecond, kDayOfWeek, kDayOfYear };

constexpr bool IsDateField(Field field) {
  return field == Field::kYear || field == Field::kMonth || field == Field::kDay ||
         field == Field::kDayOfWeek || field == Field::kDayOfYear;
}

const char* FieldName(Field field) {
  switch (field) {
    case Field::kYear: return "year";
    case Field::kMonth: return "month";
    case Field::kDay: return "day";
    case Field::kHour: return "hour";
    case Field::kMinute: return "minute";
    case Field::kSecond: return "second";
    case Field::kDayOfWeek: return "dayofweek";
    case Field::kDayOfYear: return "dayofyear";
  }
  return "?";
}

template <Field kField>
int32_t DateFieldOfDays(int64_t days) {
  if constexpr (kField == Field::kDayOfWeek) {
    // 1970-01-01 was a Thursday (3 when Monday is 0).
    return int32_t(((days % 7) + 7 + 3) % 7);
  } else {
    const civil::CivilDate date = civil::CivilFromDays(days);
    if constexpr (kField == Field::kYear) {
      return int32_t(date.year);
    } else if constexpr (kField == Field::kMonth) {
      return int32_t(date.month);
    } else if constexpr (kField == Field::kDay) {
      return int32_t(date.day);
    } else {
      static_assert(kField == Field::kDayOfYear);
      return int32_t(days - civil::DaysFromCivil(date.year, 1, 1) + 1);
    }
  }
}

// `ticks_per_day` is 1 for dates (already days).
template <typename T>
inline int64_t DayNumber(T value, int64_t ticks_per_day) {
  if constexpr (std::is_same_v<T, int32_t>) {
    return value;
  } else {
    return civil::FloorDiv(value, ticks_per_day);
  }
}

// Calendar math costs tens of cycles per row. Rows that arrive grouped by day (sorted time
// series) reuse the previous row's answer. Otherwise, when the column spans fewer days than it
// has rows (the usual partition), each day is answered once into a table that rows look up.
template <Field kField, typename T>
void ExtractDateField(const T* in, int64_t length, int64_t ticks_per_day, int32_t* out) {
  if (length == 0) return;
  if constexpr (kField != Field::kDayOfWeek) {
    // Sorted input shows itself in the first rows; skip the table then.
    const int64_t sample = std::min<int64_t>(length, 4096);
    int64_t day_changes = 0;
    for (int64_t i = 1; i < sample; ++i) day_changes += DayNumber(in[i], ticks_per_day) != DayNumber(in[i - 1], ticks_per_day);
    const bool clustered = day_changes * 8 < sample;
    // Day numbers grow with the stored values, so the raw extremes give the day range.
    T min_value = in[0];
    T max_value = in[0];
    if (!clustered) {
      for (int64_t i = 0; i < length; ++i) {
        min_value = std::min(min_value, in[i]);
        max_value = std::max(max_value, in[i]);
      }
    }
    const int64_t min_day = DayNumber(min_value, ticks_per_day);
    const int64_t max_day = DayNumber(max_value, ticks_per_day);
    if (!clustered && uint64_t(max_day - min_day) < uint64_t(length)) {
      std::vector<int32_t> table(size_t(max_day - min_day + 1));
      for (size_t d = 0; d < table.size(); ++d) table[d] = DateFieldOfDays<kField>(min_day + int64_t(d));
      for (int64_t i = 0; i < length; ++i) out[i] = table[size_t(DayNumber(in[i], ticks_per_day) - min_day)];
      return;
    }
  }
  int64_t cached_day = INT64_MIN;
  int32_t cached_value = 0;
  for (int64_t i = 0; i < length; ++i) {
    const int64_t day = DayNumber(in[i], ticks_per_day);
    if (day != cached_day) {
      cached_day = day;
      cached_value = DateFieldOfDays<kField>(day);
    }
    out[i] = cached_value;
  }
}

template <Field kField>
void ExtractTimeField(const int64_t* in, int64_t length, int64_t ticks_per_second, int32_t* out) {
  const int64_t ticks_per_day = 86400 * ticks_per_second;
  for (int64_t i = 0; i < length; ++i) {
    int64_t in_day = in[i] % ticks_per_day;
    in_day += in_day < 0 ? ticks_per_day : 0;
    const int64_t second_of_day = in_day / ticks_per_second;
    if constexpr (kField == Field::kHour) out[i] = int32_t(second_of_day / 3600);
    if constexpr (kField == Field::kMinute) out[i] = int32_t(second_of_day / 60 % 60);
    if constexpr (kField == Field::kSecond) out[i] = int32_t(second_of_day % 60);
  }
}

template <Field kField>
ColumnPtr ExtractField(const Column& column) {
  const TypeId id = column.type().id();
  const bool is_date = id == TypeId::kDate;
  if (!(id == TypeId::kTimestamp || (is_date && IsDateField(kField)))) {
    throw TypeError(std::string("dt.") + FieldName(kField) + " needs a " +
                    (IsDateField(kField) ? "timestamp or date" : "timestamp") + " column, got " +
                    column.type().ToString() + "; Cast text to datetime64[us] first");
  }
  const int64_t length = column.length();
  MutableBuffer values = AllocateValues<int32_t>(length);
  int32_t* out = values->mutable_data_as<int32_t>();
  const int64_t ticks_per_second = TicksPerSecond(column.type().unit());
  if constexpr (IsDateField(kField)) {
    if (is_date) {
      ExtractDateField<kField>(column.values<int32_t>(), length, 1, out);
    } else {
      ExtractDateField<kField>(column.values<int64_t>(), length, 86400 * ticks_per_second, out);
    }
  } else {
    ExtractTimeField<kField>(column.values<int64_t>(), length, ticks_per_second, out);
  }
  BufferPtr validity = internal::RebasedValidity(column);
  internal::FillNullSlots(out, validity ? validity->data() : nullptr, length, int32_t(0));
  return Column::Make(types::Int32(), length, std::move(values), std::move(validity),
                      column.null_count());
}

void CheckTimestamp(const Column& column, const char* what, bool allow_duration) {
  const TypeId id = column.type().id();
  if (id == TypeId::kTimestamp || (allow_duration && id == TypeId::kDuration)) return;
  throw TypeError(std::string(what) + " needs a timestamp" +
                  (allow_duration ? " or duration" : "") + " column, got " +
                  column.type().ToString() + "; Cast text to datetime64[us] first");
}

enum class Rounding { kFloor, kCeil, kNearestEven };

// Units of at least 2^14 ns (16 us) skip the 64-bit division, the slow part of this loop: a
// double reciprocal estimates floor(value / unit) within one (the quotient is below 2^50, so
// the estimate's error stays under 0.4), and one correction step makes it exact.
constexpr int64_t kMinReciprocalUnit = int64_t(1) << 14;

template <Rounding kRounding, bool kReciprocal>
void RoundToMultiple(const int64_t* in, int64_t length, int64_t unit, int64_t* out) {
  const double reciprocal = 1.0 / double(unit);
  for (int64_t i = 0; i < length; ++i) {
    const int64_t value = in[i];
    int64_t quotient, remainder;
    if constexpr (kReciprocal) {
      quotient = int64_t(std::floor(double(value) * reciprocal));
      // Wrapping arithmetic: the true remainder lies in [-unit, 2 * unit) and fits.
      remainder = int64_t(uint64_t(value) - uint64_t(quotient) * uint64_t(unit));
      if (remainder < 0) {
        remainder += unit;
        --quotient;
      } else if (remainder >= unit) {
        remainder -= unit;
        ++quotient;
      }
    } else {
      quotient = value / unit;
      remainder = value % unit;
      if (remainder < 0) {
        remainder += unit;
        --quotient;
      }
    }
    const int64_t floor = value - remainder;
    if constexpr (kRounding == Rounding::kFloor) {
      out[i] = floor;
    } else if constexpr (kRounding == Rounding::kCeil) {
      out[i] = remainder == 0 ? value : int64_t(uint64_t(floor) + uint64_t(unit));
    } else {
      // remainder vs unit - remainder avoids overflowing 2 * remainder for huge units.
      const int64_t rest = unit - remainder;
      const bool up = remainder > rest || (remainder == rest && (quotient & 1) != 0);
      out[i] = up ? int64_t(uint64_t(floor) + uint64_t(unit)) : floor;
    }
  }
}

template <Rounding kRounding>
ColumnPtr RoundTimestamps(const Column& column, int64_t unit) {
  const int64_t length = column.length();
  MutableBuffer values = AllocateValues<int64_t>(length);
  int64_t* out = values->mutable_data_as<int64_t>();
  if (unit >= kMinReciprocalUnit) {
    RoundToMultiple<kRounding, true>(column.values<int64_t>(), length, unit, out);
  } else {
    RoundToMultiple<kRounding, false>(column.values<int64_t>(), length, unit, out);
  }
  BufferPtr validity = internal::RebasedValidity(column);
  internal::FillNullSlots(out, validity ? validity->data() : nullptr, length, int64_t(0));
  return Column::Make(column.type(), length, std::move(values), std::move(validity),
                      column.null_count());
}

[[noreturn]] void ThrowBadFrequency(std::string_view frequency, const char* reason) {
  throw InvalidArgument("invalid frequency '" + std::string(frequency) + "': " + reason +
                        "; use an optional count and one of ns, us, ms, s, min (T), h (H) or D, "
                        "e.g. \"15min\" or \"1h\"");
}

}  // namespace

ColumnPtr Year(const Column& column) { return ExtractField<Field::kYear>(column); }
ColumnPtr Month(const Column& column) { return ExtractField<Field::kMonth>(column); }
ColumnPtr Day(const Column& column) { return ExtractField<Field::kDay>(column); }
ColumnPtr Hour(const Column& column) { return ExtractField<Field::kHour>(column); }
ColumnPtr Minute(const Column& column) { return ExtractField<Field::kMinute>(column); }
ColumnPtr Second(const Column& column) { return ExtractField<Field::kSecond>(column); }
ColumnPtr DayOfWeek(const Column& column) { return ExtractField<Field::kDayOfWeek>(column); }
ColumnPtr DayOfYear(const Column& column) { return ExtractField<Field::kDayOfYear>(column); }

ColumnPtr Date(const Column& column) {
  CheckTimestamp(column, "dt.date", false);
  const int64_t length = column.length();
  const int64_t* in = column.values<int64_t>();
  MutableBuffer values = AllocateValues<int32_t>(length);
  int32_t* out = values->mutable_data_as<int32_t>();
  const int64_t ticks_per_day = 86400 * TicksPerSecond(column.type().unit());
  for (int64_t i = 0; i < length; ++i) out[i] = int32_t(civil::FloorDiv(in[i], ticks_per_day));
  BufferPtr validity = internal::RebasedValidity(column);
  internal::FillNullSlots(out, validity ? validity->data() : nullptr, length, int32_t(0));
  return Column::Make(types::Date(), length, std::move(values), std::move(validity),
                      column.null_count());
}

ColumnPtr Normalize(const Column& column) {
  CheckTimestamp(column, "dt.normalize", false);
  return RoundTimestamps<Rounding::kFloor>(column, 86400 * TicksPerSecond(column.type().unit()));
}

namespace {

template <typename DayOf>
ColumnPtr MapDays(const Column& column, const char* what, DayOf day_of) {
  CheckTimestamp(column, what, false);
  const int64_t n = column.length();
  FixedWidthBuilder<int64_t> out(column.type(), n);
  const int64_t* values = column.values<int64_t>();
  const int64_t ticks_per_day = 86400 * TicksPerSecond(column.type().unit());
  for (int64_t i = 0; i < n; ++i) {
    if (column.IsNull(i)) {
      out.AppendNull();
      continue;
    }
    const int64_t days = civil::FloorDiv(values[i], ticks_per_day);
    out.Append(day_of(days) * ticks_per_day);
  }
  return out.Finish();
}

}  // namespace

ColumnPtr MonthStart(const Column& column) {
  return MapDays(column, "month start", [](int64_t days) {
    const civil::CivilDate date = civil::CivilFromDays(days);
    return civil::DaysFromCivil(date.year, date.month, 1);
  });
}

ColumnPtr MonthEnd(const Column& column) {
  return MapDays(column, "month end", [](int64_t days) {
    const civil::CivilDate date = civil::CivilFromDays(days);
    return civil::DaysFromCivil(date.year, date.month, civil::DaysInMonth(date.year, date.month));
  });
}

ColumnPtr WeekEnd(const Column& column) {
  // 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays.
  return MapDays(column, "week end", [](int64_t days) {
    const int64_t weekday = ((days + 3) % 7 + 7) % 7;
    return days + (6 - weekday);
  });
}

int64_t ParseFrequency(std::string_view frequency) {
  std::string_view text = frequency;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  int64_t count = 1;
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits > 0) {
    const auto result = std::from_chars(text.data(), text.data() + digits, count);
    if (result.ec != std::errc()) ThrowBadFrequency(frequency, "the count is too large");
    if (count == 0) ThrowBadFrequency(frequency, "the count must be positive");
  }
  const std::string_view unit = text.substr(digits);
  struct Unit {
    std::string_view name;
    int64_t nanos;
  };
  static constexpr Unit kUnits[] = {
      {"ns", 1},
      {"N", 1},
      {"us", 1000},
      {"U", 1000},
      {"ms", 1000000},
      {"L", 1000000},
      {"s", civil::kNanosPerSecond},
      {"S", civil::kNanosPerSecond},
      {"min", civil::kNanosPerMinute},
      {"T", civil::kNanosPerMinute},
      {"h", civil::kNanosPerHour},
      {"H", civil::kNanosPerHour},
      {"D", civil::kNanosPerDay},
      {"d", civil::kNanosPerDay},
  };
  for (const Unit& candidate : kUnits) {
    if (candidate.name != unit) continue;
    if (count > INT64_MAX / candidate.nanos) ThrowBadFrequency(frequency, "it is too long");
    return count * candidate.nanos;
  }
  static constexpr std::string_view kCalendarUnits[] = {"W", "M", "MS", "ME", "Q", "QS", "Y",
                                                        "YS", "A", "AS", "B", "BM"};
  for (std::string_view calendar : kCalendarUnits) {
    if (calendar == unit || (unit.size() > calendar.size() && unit.substr(0, calendar.size()) == calendar &&
                             unit[calendar.size()] == '-')) {
      ThrowBadFrequency(frequency, "calendar frequencies vary in length and cannot be used here");
    }
  }
  ThrowBadFrequency(frequency, unit.empty() ? "the unit is missing" : "unknown unit");
}

int64_t FrequencyTicks(std::string_view frequency, TimeUnit unit) {
  const int64_t nanos = ParseFrequency(frequency);
  const int64_t per_tick = NanosPerTick(unit);
  if (nanos <= per_tick) return 1;  // every value already lies on such a boundary
  if (nanos % per_tick != 0) {
    throw InvalidArgument("frequency '" + std::string(frequency) + "' is not a whole number of " +
                          std::string(TimeUnitName(unit)) + ", the unit of the " + DataType(TypeId::kTimestamp, unit).ToString() +
                          " values; use a multiple of 1" + std::string(TimeUnitName(unit)) + " or cast to a finer unit first");
  }
  return nanos / per_tick;
}

ColumnPtr Floor(const Column& column, std::string_view frequency) {
  CheckTimestamp(column, "dt.floor", true);
  return RoundTimestamps<Rounding::kFloor>(column, FrequencyTicks(frequency, column.type().unit()));
}

ColumnPtr Ceil(const Column& column, std::string_view frequency) {
  CheckTimestamp(column, "dt.ceil", true);
  return RoundTimestamps<Rounding::kCeil>(column, FrequencyTicks(frequency, column.type().unit()));
}

ColumnPtr Round(const Column& column, std::string_view frequency) {
  CheckTimestamp(column, "dt.round", true);
  return RoundTimestamps<Rounding::kNearestEven>(column, FrequencyTicks(frequency, column.type().unit()));
}

}  // namespace tessera::compute
