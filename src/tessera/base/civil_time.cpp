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

std::string FormatTimestamp(int64_t nanos, bool with_fraction) {
  const int64_t days = FloorDiv(nanos, kNanosPerDay);
  const int64_t in_day = nanos - days * kNanosPerDay;
  const int64_t seconds = in_day / kNanosPerSecond;
  const int64_t fraction = in_day % kNanosPerSecond;
  std::string text = FormatDate(days);
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

std::string FormatDuration(int64_t nanos) {
  const int64_t days = FloorDiv(nanos, kNanosPerDay);
  const int64_t rest = nanos - days * kNanosPerDay;
  const int64_t seconds = rest / kNanosPerSecond;
  char text[64];
  std::snprintf(text, sizeof text, "%lld days %02lld:%02lld:%02lld", static_cast<long long>(days),
                static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60),
                static_cast<long long>(seconds % 60));
  std::string result = text;
  if (rest % kNanosPerSecond != 0) {
    char digits[16];
    std::snprintf(digits, sizeof digits, ".%09lld", static_cast<long long>(rest % kNanosPerSecond));
    std::string f = digits;
    while (f.back() == '0') f.pop_back();
    result += f;
  }
  return result;
}

}  // namespace tessera::civil
