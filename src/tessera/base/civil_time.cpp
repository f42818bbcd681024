#include "tessera/base/civil_time.hpp"

#include <cstdio>

namespace tessera::civil {

std::string FormatDate(int64_t days) {
  const CivilDate date = CivilFromDays(days);
  char text[32];
  std::snprintf(text, sizeof text, "%04lld-%02u-%02u", static_cast<long long>(date.year),
                date.month, date.day);
  return text;
}

namespace {
inline char* TwoDigits(char* out, int64_t value) {
  out[0] = char('0' + value / 10);
  out[1] = char('0' + value % 10);
  return out + 2;
}
}  // namespace

int WriteTimestamp(int64_t ticks, char* out, int64_t ticks_per_second) {
  const DayAndNanos split = SplitDay(ticks, ticks_per_second);
  const int64_t in_day = split.nanos_in_day;
  const CivilDate date = CivilFromDays(split.days);
  if (date.year < 0 || date.year > 9999) {
    const std::string text = FormatTimestampTicks(ticks, ticks_per_second);
    text.copy(out, text.size());
    return int(text.size());
  }
  const int64_t seconds = in_day / kNanosPerSecond;
  int64_t fraction = in_day % kNanosPerSecond;
  char* p = out;
  p = TwoDigits(p, date.year / 100);
  p = TwoDigits(p, date.year % 100);
  *p++ = '-';
  p = TwoDigits(p, date.month);
  *p++ = '-';
  p = TwoDigits(p, date.day);
  *p++ = ' ';
  p = TwoDigits(p, seconds / 3600);
  *p++ = ':';
  p = TwoDigits(p, seconds / 60 % 60);
  *p++ = ':';
  p = TwoDigits(p, seconds % 60);
  if (fraction != 0) {
    *p++ = '.';
    int digits = 9;
    while (fraction % 10 == 0) {
      fraction /= 10;
      --digits;
    }
    for (int i = digits - 1; i >= 0; --i) {
      p[i] = char('0' + fraction % 10);
      fraction /= 10;
    }
    p += digits;
  }
  return int(p - out);
}

namespace {

std::string FormatDayAndNanos(DayAndNanos split, bool with_fraction) {
  const int64_t seconds = split.nanos_in_day / kNanosPerSecond;
  const int64_t fraction = split.nanos_in_day % kNanosPerSecond;
  std::string text = FormatDate(split.days);
  char clock[48];
  std::snprintf(clock, sizeof clock, " %02lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
  text += clock;
  if (with_fraction && fraction != 0) {
    char digits[16];
    std::snprintf(digits, sizeof digits, ".%09lld", static_cast<long long>(fraction));
    std::string f = digits;
    while (f.back() == '0') f.pop_back();
    text += f;
  }
  return text;
}

std::string FormatDurationDays(DayAndNanos split) {
  const int64_t seconds = split.nanos_in_day / kNanosPerSecond;
  char text[64];
  std::snprintf(text, sizeof text, "%lld days %02lld:%02lld:%02lld", static_cast<long long>(split.days),
                static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60),
                static_cast<long long>(seconds % 60));
  std::string result = text;
  if (split.nanos_in_day % kNanosPerSecond != 0) {
    char digits[16];
    std::snprintf(digits, sizeof digits, ".%09lld", static_cast<long long>(split.nanos_in_day % kNanosPerSecond));
    std::string f = digits;
    while (f.back() == '0') f.pop_back();
    result += f;
  }
  return result;
}

}  // namespace

std::string FormatTimestamp(int64_t nanos, bool with_fraction) {
  return FormatDayAndNanos(SplitDay(nanos, kNanosPerSecond), with_fraction);
}

std::string FormatTimestampTicks(int64_t ticks, int64_t ticks_per_second) {
  return FormatDayAndNanos(SplitDay(ticks, ticks_per_second), true);
}

std::string FormatDuration(int64_t nanos) { return FormatDurationDays(SplitDay(nanos, kNanosPerSecond)); }

std::string FormatDurationTicks(int64_t ticks, int64_t ticks_per_second) {
  return FormatDurationDays(SplitDay(ticks, ticks_per_second));
}

}  // namespace tessera::civil
