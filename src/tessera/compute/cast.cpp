#include "tessera/compute/cast.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "tessera/base/civil_time.hpp"
#include "tessera/base/error.hpp"
#include "tessera/base/timestamp_parse.hpp"
#include "tessera/compute/null_propagation.hpp"
#include "tessera/compute/type_promotion.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {

namespace {

using internal::AllocateValues;
using internal::RebasedValidity;

// ---------------------------------------------------------------------------------------------
// Numeric and bool <-> numeric and bool.

// Whether a float truncates into integer type To without leaving its range. The limits are
// powers of two, so they are exact in float and double alike; NaN fails every comparison.
template <typename To, typename From>
inline bool FloatFitsInteger(From value) {
  if constexpr (std::is_signed_v<To>) {
    constexpr From kLimit = -static_cast<From>(std::numeric_limits<To>::min());
    return value >= -kLimit && value < kLimit;
  } else {
    constexpr From kLimit = From(2) * static_cast<From>(std::numeric_limits<To>::max() / 2 + 1);
    return value > From(-1) && value < kLimit;
  }
}

template <typename From, typename To>
[[noreturn]] void ThrowFloatToIntegerError(const Column& input, DataType to_type) {
  const From* in = input.values<From>();
  int64_t row = 0;
  while (row < input.length() && FloatFitsInteger<To>(in[row])) ++row;
  const From value = in[row];
  const std::string where = "row " + std::to_string(row) + " of a " + input.type().ToString() +
                            " column cast to " + to_type.ToString();
  if (input.IsNull(row) || std::isnan(value)) {
    throw InvalidArgument("cannot convert NaN to integer (" + where +
                          " is NaN or null); fill it first with FillNull or keep a float type");
  }
  if (std::isinf(value)) {
    throw InvalidArgument("cannot convert " + FormatFloat(double(value)) + " to integer (" +
                          where + "); replace infinite values first");
  }
  throw InvalidArgument("cannot convert " + FormatFloat(double(value)) + " to " +
                        to_type.ToString() + " (" + where + "): out of range [" +
                        std::to_string(std::numeric_limits<To>::min()) + ", " +
                        std::to_string(std::numeric_limits<To>::max()) + "]");
}

template <typename From, typename To>
ColumnPtr CastNumericValues(const Column& input, DataType to_type) {
  const int64_t length = input.length();
  const From* in = input.values<From>();
  internal::MutableBuffer values = AllocateValues<To>(length);
  To* out = values->mutable_data_as<To>();
  if (to_type.id() == TypeId::kBool) {
    for (int64_t i = 0; i < length; ++i) out[i] = To(in[i] != 0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    // pandas refuses NaN (and so nulls) here; checking first keeps the conversion loop free of
    // branches and never converts an out-of-range float (undefined in C++).
    bool all_fit = true;
    for (int64_t i = 0; i < length; ++i) all_fit &= FloatFitsInteger<To>(in[i]);
    if (!all_fit) ThrowFloatToIntegerError<From, To>(input, to_type);
    for (int64_t i = 0; i < length; ++i) out[i] = static_cast<To>(in[i]);
  } else {
    for (int64_t i = 0; i < length; ++i) out[i] = static_cast<To>(in[i]);
  }
  BufferPtr validity = RebasedValidity(input);
  if constexpr (std::is_floating_point_v<To> && !std::is_floating_point_v<From>) {
    internal::FillNullSlots(out, validity ? validity->data() : nullptr, length,
                            std::numeric_limits<To>::quiet_NaN());
  }
  return Column::Make(to_type, length, std::move(values), std::move(validity),
                      input.null_count());
}

ColumnPtr CastNumeric(const Column& input, DataType to_type) {
  return VisitFixedWidth(input.type(), [&](auto from_tag) {
    using From = decltype(from_tag);
    return VisitFixedWidth(to_type, [&](auto to_tag) {
      using To = decltype(to_tag);
      return CastNumericValues<From, To>(input, to_type);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Values -> text. Every formatter writes into a caller's char buffer (no string per row).

template <typename F>
int FormatFloatChars(F value, char* out) {
  if (std::isnan(value)) {
    std::memcpy(out, "nan", 3);
    return 3;
  }
  char* p = out;
  if (std::isinf(value)) {
    if (value < 0) *p++ = '-';
    std::memcpy(p, "inf", 3);
    return int(p + 3 - out);
  }
  // Shortest round-trip digits in scientific form, e.g. "-1.2345e+02", then Python's layout.
  char sci[48];
  const auto result = std::to_chars(sci, sci + sizeof sci, value, std::chars_format::scientific);
  const char* s = sci;
  if (*s == '-') *p++ = *s++;
  char digits[32];
  int num_digits = 0;
  while (*s != 'e') {
    if (*s != '.') digits[num_digits++] = *s;
    ++s;
  }
  int exponent = 0;
  std::from_chars(s + (s[1] == '+' ? 2 : 1), result.ptr, exponent);
  if (exponent >= -4 && exponent < 16) {
    if (exponent >= 0) {
      for (int i = 0; i <= exponent; ++i) *p++ = i < num_digits ? digits[i] : '0';
      *p++ = '.';
      if (num_digits > exponent + 1) {
        for (int i = exponent + 1; i < num_digits; ++i) *p++ = digits[i];
      } else {
        *p++ = '0';
      }
    } else {
      *p++ = '0';
      *p++ = '.';
      for (int i = 0; i < -exponent - 1; ++i) *p++ = '0';
      for (int i = 0; i < num_digits; ++i) *p++ = digits[i];
    }
    return int(p - out);
  }
  *p++ = digits[0];
  if (num_digits > 1) {
    *p++ = '.';
    for (int i = 1; i < num_digits; ++i) *p++ = digits[i];
  }
  *p++ = 'e';
  *p++ = exponent < 0 ? '-' : '+';
  const int magnitude = exponent < 0 ? -exponent : exponent;
  if (magnitude < 10) *p++ = '0';
  p = std::to_chars(p, p + 4, magnitude).ptr;
  return int(p - out);
}

inline char* WriteDigits(char* p, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = char('0' + value % 10);
    value /= 10;
  }
  return p + width;
}

inline char* WriteDate(char* p, int64_t days) {
  const civil::CivilDate date = civil::CivilFromDays(days);
  if (date.year < 0 || date.year > 9999) {
    p = std::to_chars(p, p + 24, date.year).ptr;
  } else {
    p = WriteDigits(p, date.year, 4);
  }
  *p++ = '-';
  p = WriteDigits(p, date.month, 2);
  *p++ = '-';
  return WriteDigits(p, date.day, 2);
}

inline char* WriteClock(char* p, int64_t nanos_in_day, int fraction_digits) {
  const int64_t seconds = nanos_in_day / civil::kNanosPerSecond;
  p = WriteDigits(p, seconds / 3600, 2);
  *p++ = ':';
  p = WriteDigits(p, seconds / 60 % 60, 2);
  *p++ = ':';
  p = WriteDigits(p, seconds % 60, 2);
  if (fraction_digits > 0) {
    int64_t fraction = nanos_in_day % civil::kNanosPerSecond;
    for (int i = fraction_digits; i < 9; ++i) fraction /= 10;
    *p++ = '.';
    p = WriteDigits(p, fraction, fraction_digits);
  }
  return p;
}

// pandas prints a datetime column with one layout for all rows: date only when every value is
// midnight, else with 0, 3, 6 or 9 fraction digits as the finest value needs.
int TimestampFractionDigits(const Column& input, bool* dates_only) {
  const int64_t* in = input.values<int64_t>();
  const int64_t ticks_per_second = TicksPerSecond(input.type().unit());
  int64_t finest = 0;  // 0: seconds, 1: millis, 2: micros, 3: nanos; 4 marks a non-midnight
  bool midnight = true;
  for (int64_t i = 0; i < input.length(); ++i) {
    if (!input.IsValid(i)) continue;
    const int64_t in_day = civil::SplitDay(in[i], ticks_per_second).nanos_in_day;
    midnight = midnight && in_day == 0;
    const int64_t fraction = in_day % civil::kNanosPerSecond;
    if (fraction % 1000 != 0) {
      finest = 3;
    } else if (fraction % 1000000 != 0) {
      finest = std::max<int64_t>(finest, 2);
    } else if (fraction != 0) {
      finest = std::max<int64_t>(finest, 1);
    }
  }
  *dates_only = midnight;
  return int(finest * 3);
}

ColumnPtr FormatValues(const Column& input) {
  const int64_t length = input.length();
  const DataType type = input.type();
  StringBuilder builder(length, length * 8);
  char text[96];
  if (type.id() == TypeId::kTimestamp) {
    bool dates_only = false;
    const int fraction_digits = TimestampFractionDigits(input, &dates_only);
    const int64_t* in = input.values<int64_t>();
    const int64_t ticks_per_second = TicksPerSecond(type.unit());
    for (int64_t i = 0; i < length; ++i) {
      if (!input.IsValid(i)) {
        builder.AppendNull();
        continue;
      }
      const civil::DayAndNanos split = civil::SplitDay(in[i], ticks_per_second);
      char* p = WriteDate(text, split.days);
      if (!dates_only) {
        *p++ = ' ';
        p = WriteClock(p, split.nanos_in_day, fraction_digits);
      }
      builder.Append(std::string_view(text, size_t(p - text)));
    }
    return builder.Finish();
  }
  VisitFixedWidth(type, [&](auto tag) {
    using T = decltype(tag);
    const T* in = input.values<T>();
    for (int64_t i = 0; i < length; ++i) {
      if (!input.IsValid(i)) {
        builder.AppendNull();
        continue;
      }
      char* p = text;
      if (type.id() == TypeId::kBool) {
        builder.Append(in[i] ? "True" : "False");
        continue;
      }
      if constexpr (std::is_floating_point_v<T>) {
        p += FormatFloatChars(in[i], text);
      } else if (type.id() == TypeId::kDate) {
        p = WriteDate(text, int64_t(in[i]));
      } else if (type.id() == TypeId::kDuration) {
        // pandas' timedelta spelling: "1 days 02:03:04.5".
        const civil::DayAndNanos split = civil::SplitDay(int64_t(in[i]), TicksPerSecond(type.unit()));
        const int64_t rest = split.nanos_in_day;
        p = std::to_chars(p, p + 24, split.days).ptr;
        std::memcpy(p, " days ", 6);
        p = WriteClock(p + 6, rest, rest % civil::kNanosPerSecond != 0 ? 9 : 0);
        while (rest % civil::kNanosPerSecond != 0 && p[-1] == '0') --p;
      } else {
        p = std::to_chars(text, text + sizeof text, in[i]).ptr;
      }
      builder.Append(std::string_view(text, size_t(p - text)));
    }
  });
  return builder.Finish();
}

ColumnPtr DecodeCategorical(const Column& input) {
  const int64_t length = input.length();
  const int32_t* codes = input.values<int32_t>();
  const Column& dictionary = *input.dictionary();
  int64_t total_bytes = 0;
  for (int64_t i = 0; i < length; ++i) {
    if (input.IsValid(i)) total_bytes += int64_t(dictionary.GetString(codes[i]).size());
  }
  StringBuilder builder(length, total_bytes);
  for (int64_t i = 0; i < length; ++i) {
    if (input.IsValid(i)) {
      builder.UnsafeAppend(dictionary.GetString(codes[i]));
    } else {
      builder.AppendNull();
    }
  }
  return builder.Finish();
}

// ---------------------------------------------------------------------------------------------
// Text -> values.

std::string_view TrimSpaces(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

template <typename T>
bool ParseNumber(std::string_view text, DataType type, T* value) {
  text = TrimSpaces(text);
  if (type.id() == TypeId::kBool) {
    if (text == "True" || text == "true" || text == "1") {
      *value = T(1);
      return true;
    }
    if (text == "False" || text == "false" || text == "0") {
      *value = T(0);
      return true;
    }
    return false;
  }
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') text.remove_prefix(1);
  const char* end = text.data() + text.size();
  std::from_chars_result result;
  if constexpr (std::is_floating_point_v<T>) {
    result = std::from_chars(text.data(), end, *value, std::chars_format::general);
  } else {
    result = std::from_chars(text.data(), end, *value);
  }
  return result.ec == std::errc() && result.ptr == end && !text.empty();
}

[[noreturn]] void ThrowUnparsable(std::string_view text, int64_t row, DataType type,
                                  const std::string& expected) {
  throw InvalidArgument("cannot convert '" + std::string(text) + "' (row " + std::to_string(row) +
                        " of a string column) to " + type.ToString() + ": " + expected +
                        "; clean or drop such rows before casting");
}

ColumnPtr ParseNumbers(const Column& input, DataType to_type) {
  return VisitFixedWidth(to_type, [&](auto tag) {
    using T = decltype(tag);
    const int64_t length = input.length();
    internal::MutableBuffer values = AllocateValues<T>(length);
    T* out = values->mutable_data_as<T>();
    for (int64_t i = 0; i < length; ++i) {
      if (!input.IsValid(i)) {
        out[i] = std::is_floating_point_v<T> ? std::numeric_limits<T>::quiet_NaN() : T{};
        continue;
      }
      const std::string_view text = input.GetString(i);
      if (!ParseNumber(text, to_type, &out[i])) {
        ThrowUnparsable(text, i, to_type,
                        to_type.id() == TypeId::kBool ? "not True/False/true/false/1/0"
                        : to_type.is_floating()       ? "not a number"
                                                      : "not an integer in range");
      }
    }
    return Column::Make(to_type, length, std::move(values), RebasedValidity(input),
                        input.null_count());
  });
}

template <typename T>
ColumnPtr ParseTemporal(const Column& input, DataType to_type) {
  const int64_t length = input.length();
  internal::MutableBuffer values = AllocateValues<T>(length);
  T* out = values->mutable_data_as<T>();
  for (int64_t i = 0; i < length; ++i) {
    if (!input.IsValid(i)) {
      out[i] = 0;
      continue;
    }
    // Dates parse as seconds (any four-digit year), timestamps in their own unit.
    const bool is_date = to_type.id() == TypeId::kDate;
    int64_t ticks = 0;
    const std::string_view text = input.GetString(i);
    if (!ParseIsoTimestamp(TrimSpaces(text), &ticks, is_date ? 1 : TicksPerSecond(to_type.unit()))) {
      ThrowUnparsable(text, i, to_type,
                      "not an ISO 8601 timestamp (YYYY-MM-DD[ HH:MM[:SS[.fffffffff]]]) within the range of " +
                          to_type.ToString());
    }
    out[i] = is_date ? T(civil::FloorDiv(ticks, 86400)) : T(ticks);
  }
  return Column::Make(to_type, length, std::move(values), RebasedValidity(input),
                      input.null_count());
}

ColumnPtr EncodeCategorical(const Column& input) {
  const int64_t length = input.length();
  // First-seen codes, then renumbered so that categories are sorted as pandas sorts them.
  std::unordered_map<std::string_view, int32_t> first_codes;
  std::vector<std::string_view> categories;
  internal::MutableBuffer values = AllocateValues<int32_t>(length);
  int32_t* codes = values->mutable_data_as<int32_t>();
  for (int64_t i = 0; i < length; ++i) {
    if (!input.IsValid(i)) {
      codes[i] = 0;
      continue;
    }
    const std::string_view text = input.GetString(i);
    auto [it, inserted] = first_codes.try_emplace(text, int32_t(categories.size()));
    if (inserted) categories.push_back(text);
    codes[i] = it->second;
  }
  std::vector<int32_t> order(categories.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = int32_t(i);
  std::sort(order.begin(), order.end(),
            [&](int32_t x, int32_t y) { return categories[size_t(x)] < categories[size_t(y)]; });
  std::vector<int32_t> sorted_code(categories.size());
  int64_t dictionary_bytes = 0;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    sorted_code[size_t(order[rank])] = int32_t(rank);
    dictionary_bytes += int64_t(categories[size_t(order[rank])].size());
  }
  StringBuilder dictionary(int64_t(categories.size()), dictionary_bytes);
  for (int32_t code : order) dictionary.UnsafeAppend(categories[size_t(code)]);
  for (int64_t i = 0; i < length; ++i) {
    if (input.IsValid(i)) codes[i] = sorted_code[size_t(codes[i])];
  }
  return Column::Make(types::Categorical(), length, std::move(values), RebasedValidity(input),
                      input.null_count(), nullptr, dictionary.Finish());
}

// ---------------------------------------------------------------------------------------------
// Temporal <-> temporal.

ColumnPtr TimestampToDate(const Column& input) {
  const int64_t length = input.length();
  const int64_t* in = input.values<int64_t>();
  internal::MutableBuffer values = AllocateValues<int32_t>(length);
  int32_t* out = values->mutable_data_as<int32_t>();
  const int64_t ticks_per_second = TicksPerSecond(input.type().unit());
  for (int64_t i = 0; i < length; ++i) out[i] = int32_t(civil::SplitDay(in[i], ticks_per_second).days);
  return Column::Make(types::Date(), length, std::move(values), RebasedValidity(input),
                      input.null_count());
}

ColumnPtr DateToTimestamp(const Column& input, DataType type) {
  const int64_t length = input.length();
  const int32_t* in = input.values<int32_t>();
  internal::MutableBuffer values = AllocateValues<int64_t>(length);
  int64_t* out = values->mutable_data_as<int64_t>();
  // int32 days times 86400e9 stays below 2^63 only for years 1677..2262; other units always fit.
  const int64_t ticks_per_day = 86400 * TicksPerSecond(type.unit());
  for (int64_t i = 0; i < length; ++i) {
    if (__builtin_mul_overflow(int64_t(in[i]), ticks_per_day, &out[i]) && input.IsValid(i)) {
      throw InvalidArgument("date " + civil::FormatDate(in[i]) + " at row " + std::to_string(i) +
                            " is out of bounds for " + type.ToString() + "; cast to a coarser unit, e.g. datetime64[us]");
    }
  }
  return Column::Make(type, length, std::move(values), RebasedValidity(input),
                      input.null_count());
}

bool SameStorage(DataType a, DataType b) {
  const auto group = [](DataType t) {
    switch (t.id()) {
      case TypeId::kInt64:
      case TypeId::kTimestamp:
      case TypeId::kDuration: return 1;
      case TypeId::kInt32:
      case TypeId::kDate: return 2;
      default: return 0;
    }
  };
  return group(a) != 0 && group(a) == group(b);
}

[[noreturn]] void ThrowUnsupported(DataType from, DataType to) {
  std::string hint;
  if (from.is_temporal() && to.is_numeric()) {
    hint = "; cast to " + std::string(from.id() == TypeId::kDate ? "int32" : "int64") +
           " (the stored count) first";
  } else if (to.id() == TypeId::kCategorical) {
    hint = "; cast to string first";
  }
  throw TypeError("cannot cast a " + from.ToString() + " column to " + to.ToString() + hint);
}

}  // namespace

ColumnPtr Reinterpret(const Column& column, DataType type) {
  if (column.type() != type && !SameStorage(column.type(), type)) {
    throw TypeError("cannot reinterpret " + column.type().ToString() + " as " + type.ToString() +
                    ": their stored values differ");
  }
  const int64_t end = column.offset() + column.length();
  return Column::Make(type, end, column.values_buffer(), column.validity_buffer(), -1,
                      column.offsets_buffer(), column.dictionary())
      ->Slice(column.offset(), column.length());
}

ColumnPtr Cast(const Column& column, DataType type) {
  const DataType from = column.type();
  if (from == type) return column.Slice(0, column.length());
  if (from.id() == TypeId::kCategorical) {
    ColumnPtr strings = DecodeCategorical(column);
    return type.id() == TypeId::kString ? strings : Cast(*strings, type);
  }
  if (type.id() == TypeId::kString) return FormatValues(column);
  if (from.id() == TypeId::kString) {
    if (type.id() == TypeId::kCategorical) return EncodeCategorical(column);
    if (IsNumericOrBool(type)) return ParseNumbers(column, type);
    if (type.id() == TypeId::kTimestamp) return ParseTemporal<int64_t>(column, type);
    if (type.id() == TypeId::kDate) return ParseTemporal<int32_t>(column, type);
    ThrowUnsupported(from, type);
  }
  if (IsNumericOrBool(from) && IsNumericOrBool(type)) return CastNumeric(column, type);
  if (SameStorage(from, type) && !(from.is_temporal() && type.is_temporal())) {
    return Reinterpret(column, type);
  }
  if (from.is_integer() && (type.id() == TypeId::kTimestamp || type.id() == TypeId::kDuration)) {
    return Reinterpret(*Cast(column, types::Int64()), type);
  }
  if (from.is_integer() && type.id() == TypeId::kDate) {
    return Reinterpret(*Cast(column, types::Int32()), type);
  }
  if (from.id() == TypeId::kTimestamp && type.id() == TypeId::kDate) return TimestampToDate(column);
  if (from.id() == TypeId::kDate && type.id() == TypeId::kTimestamp) return DateToTimestamp(column, type);
  if (from.has_unit() && from.id() == type.id()) return CastTimeUnit(column, type.unit());
  ThrowUnsupported(from, type);
}

ColumnPtr CastTimeUnit(const Column& column, TimeUnit unit, std::string_view what) {
  const DataType from = column.type();
  if (!from.has_unit()) {
    throw TypeError("cannot change the time unit of a " + from.ToString() + " column; only timestamps and durations have one");
  }
  const DataType to(from.id(), unit);
  if (from.unit() == unit) return column.Slice(0, column.length());
  const int64_t length = column.length();
  const int64_t* in = column.values<int64_t>();
  internal::MutableBuffer values = AllocateValues<int64_t>(length);
  int64_t* out = values->mutable_data_as<int64_t>();
  for (int64_t i = 0; i < length; ++i) {
    if (!ConvertTicks(in[i], from.unit(), unit, &out[i])) {
      if (!column.IsValid(i)) {
        out[i] = 0;
        continue;
      }
      const int64_t ticks_per_second = TicksPerSecond(from.unit());
      const std::string value = from.id() == TypeId::kTimestamp ? civil::FormatTimestampTicks(in[i], ticks_per_second)
                                                                : civil::FormatDurationTicks(in[i], ticks_per_second);
      throw InvalidArgument(std::string(what.empty() ? "a column" : what) + " holds " + value + " at row " +
                            std::to_string(i) + ", out of bounds for " + to.ToString() +
                            (from.id() == TypeId::kTimestamp && unit == TimeUnit::kNano ? " (years 1677-2262)" : "") +
                            "; keep such values in a coarser unit (astype('" + from.ToString() + "') on both sides)");
    }
  }
  return Column::Make(to, length, std::move(values), RebasedValidity(column), column.null_count());
}

std::string FormatFloat(double value) {
  char text[64];
  return std::string(text, size_t(FormatFloatChars(value, text)));
}

std::string FormatFloat(float value) {
  char text[64];
  return std::string(text, size_t(FormatFloatChars(value, text)));
}

}  // namespace tessera::compute
