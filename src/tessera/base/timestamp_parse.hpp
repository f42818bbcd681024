// Text -> int64 nanoseconds since the epoch. ISO 8601 takes a fixed-format fast path (no
// allocation, no locale); other layouts go through a strptime-style format string.
#pragma once

#include <cstdint>
#include <string_view>

namespace tessera {

/// Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.f{1,9}]]" with ' ' or 'T' between date and time
/// and an optional trailing "Z" or "+HH:MM"/"-HH:MM" offset (converted to UTC).
/// Returns false when the text is not such a timestamp or names an impossible date.
bool ParseIsoTimestamp(std::string_view text, int64_t* nanos);

/// ParseIsoTimestamp for the common "YYYY-MM-DD HH:MM:SS" (or 'T') layout of exactly 19 bytes,
/// remembering the last date seen: consecutive rows of a file usually share it, so the calendar
/// arithmetic runs once per day instead of once per row. Falls back to ParseIsoTimestamp for
/// every other layout. One instance per column; not thread-safe.
class IsoTimestampParser {
 public:
  bool Parse(std::string_view text, int64_t* nanos) {
    if (text.size() == 19) {
      const char* p = text.data();
      const unsigned h1 = unsigned(p[11] - '0'), h2 = unsigned(p[12] - '0'), m1 = unsigned(p[14] - '0'),
                     m2 = unsigned(p[15] - '0'), s1 = unsigned(p[17] - '0'), s2 = unsigned(p[18] - '0');
      if ((p[10] == ' ' || p[10] == 'T') && p[13] == ':' && p[16] == ':' &&
          h2 <= 9 && m2 <= 9 && s2 <= 9 && h1 * 10 + h2 < 24 && m1 < 6 && s1 < 6 &&
          std::string_view(p, 10) == std::string_view(last_date_, 10)) {
        *nanos = last_day_nanos_ + int64_t(h1 * 10 + h2) * 3600'000'000'000 +
                 int64_t(m1 * 10 + m2) * 60'000'000'000 + int64_t(s1 * 10 + s2) * 1'000'000'000;
        return true;
      }
    }
    if (!ParseIsoTimestamp(text, nanos)) return false;
    if (text.size() >= 10) {
      text.copy(last_date_, 10);
      ParseIsoTimestamp(text.substr(0, 10), &last_day_nanos_);
    }
    return true;
  }

 private:
  char last_date_[10] = {};
  int64_t last_day_nanos_ = 0;
};

/// Parses with a strftime-style format: %Y %m %d %H %M %S %f %y %b (month abbreviation) %p
/// (AM/PM, with %I) and %% ; any other character must match itself.
bool ParseTimestampWithFormat(std::string_view text, std::string_view format, int64_t* nanos);

/// Throws InvalidArgument when a format uses a directive ParseTimestampWithFormat lacks.
void ValidateTimestampFormat(std::string_view format);

}  // namespace tessera
