#include "tessera/base/timestamp_parse.hpp"

#include <cstring>
#include <strings.h>
#include <string>

#include "tessera/base/civil_time.hpp"
#include "tessera/base/error.hpp"

namespace tessera {

namespace {

inline bool Digits(const char* p, int count, int* value) {
  int v = 0;
  for (int i = 0; i < count; ++i) {
    const unsigned d = unsigned(p[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + int(d);
  }
  *value = v;
  return true;
}

inline bool ValidDate(int year, int month, int day) {
  return month >= 1 && month <= 12 && day >= 1 && unsigned(day) <= civil::DaysInMonth(year, unsigned(month));
}

// The instant as ticks of 1 / ticks_per_second s (finer digits dropped toward the past); false
// when it does not fit int64 (datetime64[ns] spans the years 1677..2262).
inline bool Combine(int year, int month, int day, int hour, int minute, int second, int64_t fraction_nanos,
                    int64_t offset_nanos, int64_t ticks_per_second, int64_t* ticks) {
  const int64_t days = civil::DaysFromCivil(year, unsigned(month), unsigned(day));
  const int64_t in_day_nanos = int64_t(hour) * civil::kNanosPerHour + int64_t(minute) * civil::kNanosPerMinute +
                               int64_t(second) * civil::kNanosPerSecond + fraction_nanos - offset_nanos;
  const int64_t in_day_ticks = civil::FloorDiv(in_day_nanos, civil::kNanosPerSecond / ticks_per_second);
  return !__builtin_mul_overflow(days, 86400 * ticks_per_second, ticks) &&
         !__builtin_add_overflow(*ticks, in_day_ticks, ticks);
}

// Parses up to 9 fraction digits after the '.'; returns the position after them.
inline size_t Fraction(std::string_view text, size_t pos, int64_t* nanos) {
  int64_t value = 0;
  int count = 0;
  while (pos < text.size() && unsigned(text[pos] - '0') <= 9) {
    if (count < 9) {
      value = value * 10 + (text[pos] - '0');
      ++count;
    }
    ++pos;
  }
  for (int i = count; i < 9; ++i) value *= 10;
  *nanos = value;
  return pos;
}

}  // namespace

bool ParseIsoTimestamp(std::string_view text, int64_t* ticks, int64_t ticks_per_second) {
  const size_t n = text.size();
  if (n < 10) return false;
  const char* p = text.data();
  int year, month, day;
  if (!Digits(p, 4, &year) || p[4] != '-' || !Digits(p + 5, 2, &month) || p[7] != '-' ||
      !Digits(p + 8, 2, &day) || !ValidDate(year, month, day)) {
    return false;
  }
  if (n == 10) return Combine(year, month, day, 0, 0, 0, 0, 0, ticks_per_second, ticks);
  if ((p[10] != ' ' && p[10] != 'T') || n < 16) return false;
  int hour, minute, second = 0;
  if (!Digits(p + 11, 2, &hour) || p[13] != ':' || !Digits(p + 14, 2, &minute) || hour > 23 ||
      minute > 59) {
    return false;
  }
  size_t pos = 16;
  int64_t fraction = 0;
  if (pos < n && p[pos] == ':') {
    if (n < 19 || !Digits(p + 17, 2, &second) || second > 59) return false;
    pos = 19;
    if (pos < n && p[pos] == '.') {
      const size_t start = pos + 1;
      pos = Fraction(text, start, &fraction);
      if (pos == start) return false;
    }
  }
  int64_t offset_nanos = 0;
  if (pos < n) {
    if (p[pos] == 'Z' && pos + 1 == n) {
      pos = n;
    } else if ((p[pos] == '+' || p[pos] == '-') && (n - pos == 6 || n - pos == 5 || n - pos == 3)) {
      const int sign = p[pos] == '-' ? -1 : 1;
      int offset_hours, offset_minutes = 0;
      if (!Digits(p + pos + 1, 2, &offset_hours)) return false;
      if (n - pos == 6 && (p[pos + 3] != ':' || !Digits(p + pos + 4, 2, &offset_minutes))) return false;
      if (n - pos == 5 && !Digits(p + pos + 3, 2, &offset_minutes)) return false;
      offset_nanos = sign * (offset_hours * civil::kNanosPerHour + offset_minutes * civil::kNanosPerMinute);
      pos = n;
    } else {
      return false;
    }
  }
  return Combine(year, month, day, hour, minute, second, fraction, offset_nanos, ticks_per_second, ticks);
}

namespace {
constexpr const char* kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};

bool ReadNumber(std::string_view text, size_t* pos, int max_digits, int* value) {
  int v = 0, count = 0;
  while (*pos < text.size() && count < max_digits && unsigned(text[*pos] - '0') <= 9) {
    v = v * 10 + (text[*pos] - '0');
    ++*pos;
    ++count;
  }
  *value = v;
  return count > 0;
}
}  // namespace

void ValidateTimestampFormat(std::string_view format) {
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 >= format.size() || std::strchr("YmdHMSfybpI%", format[i + 1]) == nullptr) {
      throw InvalidArgument("date format '" + std::string(format) +
                            "' uses an unsupported directive; supported: %Y %m %d %H %I %M %S %f "
                            "%y %b %p %%");
    }
    ++i;
  }
}

bool ParseTimestampWithFormat(std::string_view text, std::string_view format, int64_t* ticks,
                              int64_t ticks_per_second) {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int64_t fraction = 0;
  bool pm = false, has_ampm = false;
  size_t pos = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    const char f = format[i];
    if (f != '%') {
      if (pos >= text.size() || text[pos] != f) return false;
      ++pos;
      continue;
    }
    if (++i >= format.size()) return false;
    bool ok = true;
    switch (format[i]) {
      case 'Y': ok = ReadNumber(text, &pos, 4, &year); break;
      case 'y': ok = ReadNumber(text, &pos, 2, &year); year += year < 69 ? 2000 : 1900; break;
      case 'm': ok = ReadNumber(text, &pos, 2, &month); break;
      case 'd': ok = ReadNumber(text, &pos, 2, &day); break;
      case 'H':
      case 'I': ok = ReadNumber(text, &pos, 2, &hour); break;
      case 'M': ok = ReadNumber(text, &pos, 2, &minute); break;
      case 'S': ok = ReadNumber(text, &pos, 2, &second); break;
      case 'f': {
        const size_t start = pos;
        pos = Fraction(text, pos, &fraction);
        ok = pos > start;
        break;
      }
      case 'b': {
        ok = false;
        if (pos + 3 <= text.size()) {
          for (int m = 0; m < 12; ++m) {
            if (strncasecmp(text.data() + pos, kMonthNames[m], 3) == 0) {
              month = m + 1;
              pos += 3;
              ok = true;
              break;
            }
          }
        }
        break;
      }
      case 'p':
        has_ampm = true;
        if (pos + 2 <= text.size() && (strncasecmp(text.data() + pos, "AM", 2) == 0 ||
                                       strncasecmp(text.data() + pos, "PM", 2) == 0)) {
          pm = (text[pos] == 'P' || text[pos] == 'p');
          pos += 2;
        } else {
          ok = false;
        }
        break;
      case '%': ok = pos < text.size() && text[pos++] == '%'; break;
      default: return false;
    }
    if (!ok) return false;
  }
  if (pos != text.size()) return false;
  if (has_ampm) {
    if (hour < 1 || hour > 12) return false;
    hour = hour % 12 + (pm ? 12 : 0);
  }
  if (!ValidDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return false;
  return Combine(year, month, day, hour, minute, second, fraction, 0, ticks_per_second, ticks);
}

}  // namespace tessera
