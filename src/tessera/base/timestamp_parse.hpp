// Text -> int64 ticks since the epoch (nanoseconds unless another tick is asked for: 1 for
// seconds, 1000 for milliseconds, ... ticks per second). ISO 8601 takes a fixed-format fast path (no
// allocation, no locale); other layouts go through a strptime-style format string.
#pragma once

#include <cstdint>
#include <string_view>

namespace tessera {

/// Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.f{1,9}]]" with ' ' or 'T' between date and time
/// and an optional trailing "Z" or "+HH:MM"/"-HH:MM" offset (converted to UTC).
/// Digits finer than the tick are dropped toward the past. Returns false when the text is not
/// such a timestamp, names an impossible date, or lies outside int64 ticks (nanoseconds reach
/// the years 1677..2262, seconds any four-digit year).
bool ParseIsoTimestamp(std::string_view text, int64_t* ticks, int64_t ticks_per_second = 1'000'000'000);

/// ParseIsoTimestamp for the common "YYYY-MM-DD HH:MM:SS" (or 'T') layout of exactly 19 bytes,
/// remembering the last date seen: consecutive rows of a file usually share it, so the calendar
/// arithmetic runs once per day instead of once per row. Falls back to ParseIsoTimestamp for
/// every other layout. One instance per column; not thread-safe.
class IsoTimestampParser {
 public:
  explicit IsoTimestampParser(int64_t ticks_per_second = 1'000'000'000) : ticks_per_second_(ticks_per_second) {}

  bool Parse(std::string_view text, int64_t* ticks) {
    if (text.size() == 19) {
      const char* p = text.data();
      const unsigned h1 = unsigned(p[11] - '0'), h2 = unsigned(p[12] - '0'), m1 = unsigned(p[14] - '0'),
                     m2 = unsigned(p[15] - '0'), s1 = unsigned(p[17] - '0'), s2 = unsigned(p[18] - '0');
      if ((p[10] == ' ' || p[10] == 'T') && p[13] == ':' && p[16] == ':' &&
          h2 <= 9 && m2 <= 9 && s2 <= 9 && h1 * 10 + h2 < 24 && m1 < 6 && s1 < 6 &&
          std::string_view(p, 10) == std::string_view(last_date_, 10)) {
        const int64_t seconds = int64_t(h1 * 10 + h2) * 3600 + int64_t(m1 * 10 + m2) * 60 + int64_t(s1 * 10 + s2);
        // The day itself fitted; the time of day may still leave int64 at its very end.
        if (!__builtin_add_overflow(last_day_ticks_, seconds * ticks_per_second_, ticks)) return true;
        return false;
      }
    }
    if (!ParseIsoTimestamp(text, ticks, ticks_per_second_)) return false;
    int64_t day_ticks = 0;
    if (text.size() >= 10 && ParseIsoTimestamp(text.substr(0, 10), &day_ticks, ticks_per_second_)) {
      text.copy(last_date_, 10);
      last_day_ticks_ = day_ticks;
    }
    return true;
  }

 private:
  int64_t ticks_per_second_;
  char last_date_[10] = {};
  int64_t last_day_ticks_ = 0;
};

/// Parses with a strftime-style format: %Y %m %d %H %M %S %f %y %b (month abbreviation) %p
/// (AM/PM, with %I) and %% ; any other character must match itself.
bool ParseTimestampWithFormat(std::string_view text, std::string_view format, int64_t* ticks,
                              int64_t ticks_per_second = 1'000'000'000);

/// Throws InvalidArgument when a format uses a directive ParseTimestampWithFormat lacks.
void ValidateTimestampFormat(std::string_view format);

}  // namespace tessera
