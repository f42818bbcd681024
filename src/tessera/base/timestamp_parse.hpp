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

/// Parses with a strftime-style format: %Y %m %d %H %M %S %f %y %b (month abbreviation) %p
/// (AM/PM, with %I) and %% ; any other character must match itself.
bool ParseTimestampWithFormat(std::string_view text, std::string_view format, int64_t* nanos);

/// Throws InvalidArgument when a format uses a directive ParseTimestampWithFormat lacks.
void ValidateTimestampFormat(std::string_view format);

}  // namespace tessera
