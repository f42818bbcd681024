// Parsing of single CSV fields into values: integers, floats, booleans, missing-value markers,
// quoted text, and UTF-8 validation. Shared by type inference and the column converters so the
// two can never disagree about what a field is.
#pragma once

#include <cstdint>
#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::io::csv {

/// Strips the surrounding quotes of a quoted field and turns doubled quotes into one. Returns
/// the field unchanged when it is not quoted; uses `scratch` only when unescaping is needed.
std::string_view Unquote(std::string_view field, char quote, std::string* scratch);

/// Decimal integer with optional sign; false on anything else (including overflow).
inline bool ParseInt64(std::string_view text, int64_t* value);
/// Decimal or scientific float, "inf"/"-inf"/"nan" (any case); exact (correctly rounded).
inline bool ParseFloat64(std::string_view text, double* value);
/// The general path of ParseFloat64 (long mantissas, large exponents, inf, nan).
bool ParseFloat64Slow(std::string_view text, double* value);
/// True/False as pandas reads them: "true" or "false" in any case ("True", "TRUE", "tRuE").
bool ParseBool(std::string_view text, bool* value);

/// Text without leading and trailing spaces and tabs.
std::string_view TrimSpaces(std::string_view text);

/// Whether `text` is valid UTF-8 (overlong forms and surrogates are rejected).
bool IsValidUtf8(std::string_view text);

/// The strings read as missing: pandas' defaults (when enabled) plus the user's.
class NaValues {
 public:
  NaValues(bool keep_default_na, const std::vector<std::string>& extra);
  bool Contains(std::string_view text) const {
    if (text.empty()) return empty_is_na_;
    if (text.size() > max_length_) return false;
    for (const auto& value : values_) {
      if (value == text) return true;
    }
    return false;
  }

 private:
  std::vector<std::string> values_;
  size_t max_length_ = 0;
  bool empty_is_na_ = false;
};

namespace detail {

// Eight ASCII digits (first digit in the lowest byte) into their value; false if any byte is
// not a digit. The multiply-and-shift form combines digit pairs, then quads, without a loop.
[[gnu::always_inline]] inline bool ParseEightDigits(uint64_t chunk, uint32_t* value) {
  if (((chunk & 0xF0F0F0F0F0F0F0F0ull) | (((chunk + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) >> 4)) !=
      0x3333333333333333ull) {
    return false;
  }
  chunk -= 0x3030303030303030ull;
  chunk = (chunk * 10) + (chunk >> 8);
  chunk = (((chunk & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
           (((chunk >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >> 32;
  *value = uint32_t(chunk);
  return true;
}

inline bool ParseEightDigits(const char* p, uint32_t* value) {
  uint64_t chunk;
  std::memcpy(&chunk, p, 8);
  return ParseEightDigits(chunk, value);
}

// Appends the digits at [p, end) to `mantissa`; returns where the digits stop.
inline const char* ParseDigits(const char* p, const char* end, uint64_t* mantissa, int* count) {
  uint32_t eight;
  while (end - p >= 8 && ParseEightDigits(p, &eight)) {
    *mantissa = *mantissa * 100000000 + eight;
    *count += 8;
    p += 8;
  }
  while (p < end && unsigned(*p - '0') <= 9) {
    *mantissa = *mantissa * 10 + unsigned(*p - '0');
    ++*count;
    ++p;
  }
  return p;
}

inline constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                          1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                          1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

#if defined(__x86_64__) && (__LDBL_MANT_DIG__ == 64)
inline constexpr long double kExtendedPowersOfTen[] = {
    1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,  1e10L, 1e11L,
    1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L, 1e21L, 1e22L};

// mantissa / 10^divisor_exponent correctly rounded to double, for mantissas up to 19 digits
// (beyond the 2^53 of Clinger's path; latitudes with 17 digits are common). x87's 64-bit
// significand holds the mantissa and the power of ten exactly, so the quotient is rounded once
// to 64 bits; rounding that to 53 bits is correct unless the 64-bit result sits within one unit
// of a 53-bit halfway point, which is detected (low 11 bits near 0x400) and refused.
inline bool DivideExtended(uint64_t mantissa, int divisor_exponent, double* value) {
  if (divisor_exponent < 0 || divisor_exponent > 22) return false;
  const long double quotient = static_cast<long double>(mantissa) / kExtendedPowersOfTen[divisor_exponent];
  uint64_t significand;
  std::memcpy(&significand, &quotient, sizeof significand);
  const unsigned low_bits = unsigned(significand & 0x7FF);
  if (low_bits >= 0x3FF && low_bits <= 0x401) return false;
  *value = static_cast<double>(quotient);
  return true;
}
#else
inline bool DivideExtended(uint64_t, int, double*) { return false; }
#endif

}  // namespace detail

[[gnu::always_inline]] inline bool ParseInt64(std::string_view text, int64_t* value) {
  const char* p = text.data();
  const char* end = p + text.size();
  bool negative = false;
  if (p < end && (*p == '-' || *p == '+')) {
    negative = *p == '-';
    ++p;
  }
  const int64_t digits = end - p;
  if (digits <= 0 || digits > 19) return false;
  uint64_t magnitude = 0;
  int count = 0;
  if (detail::ParseDigits(p, end, &magnitude, &count) != end) return false;
  // 19 digits never wrap a uint64; only the int64 range is left to check.
  if (magnitude > uint64_t(INT64_MAX) + (negative ? 1 : 0)) return false;
  *value = negative ? int64_t(0 - magnitude) : int64_t(magnitude);
  return true;
}

inline bool ParseFloat64(std::string_view text, double* value) {
  // Fast path (Clinger): a mantissa of at most 2^53 scaled by an exact power of ten up to 1e22
  // is correctly rounded by one multiplication or division. Everything else takes the slow path.
  const char* p = text.data();
  const char* end = p + text.size();
  bool negative = false;
  if (p < end && (*p == '-' || *p == '+')) {
    negative = *p == '-';
    ++p;
  }
  uint64_t mantissa = 0;
  int num_digits = 0;
  p = detail::ParseDigits(p, end, &mantissa, &num_digits);
  int exponent = 0;
  if (p < end && *p == '.') {
    const int before = num_digits;
    p = detail::ParseDigits(p + 1, end, &mantissa, &num_digits);
    exponent = before - num_digits;
  }
  if (p == end && num_digits > 0 && num_digits <= 19 && exponent >= -22) {
    if (mantissa <= (uint64_t(1) << 53)) {
      double result = double(mantissa);
      result = exponent < 0 ? result / detail::kPowersOfTen[-exponent] : result;
      *value = negative ? -result : result;
      return true;
    }
    double result;
    if (detail::DivideExtended(mantissa, -exponent, &result)) {
      *value = negative ? -result : result;
      return true;
    }
  }
  return ParseFloat64Slow(text, value);
}

/// ParseFloat64 kept out of line, so the short path below stays small enough to inline.
bool ParseFloat64OutOfLine(std::string_view text, double* value);

namespace detail {

// The value of the k (1..8) digits at p, reading 8 bytes (padding must follow); false if any of
// the k bytes is not a digit. Right-aligns the digits and fills the leading bytes with '0'.
[[gnu::always_inline]] inline bool ParseDigitsRightAligned(const char* p, size_t k, uint32_t* value) {
  uint64_t chunk;
  std::memcpy(&chunk, p, 8);
  if (k < 8) {
    const size_t shift = 8 * (8 - k);
    chunk = (chunk << shift) | (0x3030303030303030ull & ((uint64_t(1) << shift) - 1));
  }
  return ParseEightDigits(chunk, value);
}

// Byte position of the first '.' in the 8 bytes at p, or 8.
[[gnu::always_inline]] inline size_t FindDot(const char* p) {
  uint64_t chunk;
  std::memcpy(&chunk, p, 8);
  const uint64_t dots = chunk ^ 0x2E2E2E2E2E2E2E2Eull;
  const uint64_t dot_bits = (dots - 0x0101010101010101ull) & ~dots & 0x8080808080808080ull;
  return dot_bits ? size_t(__builtin_ctzll(dot_bits) / 8) : 8;
}

inline constexpr uint64_t kIntegerPowersOfTen[] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
    1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
    100000000000000ull, 1000000000000000ull, 10000000000000000ull};

}  // namespace detail

/// ParseFloat64 for text that is followed by at least 8 readable bytes (as fields in a
/// tokenizer window are). Decimals of the form [-]digits.digits with up to 7 integer and 16
/// fraction digits ("-12.5", "0.0", "-73.97465888463985") are parsed a chunk of eight bytes at
/// a time without per-digit branches; anything else takes ParseFloat64.
[[gnu::always_inline]] inline bool ParseFloat64Padded(const char* text, size_t length, double* value) {
  const char* p = text;
  size_t n = length;
  const bool negative = n > 0 && *p == '-';
  p += negative;
  n -= negative;
  if (n >= 1 && n <= 8) {
    // Up to eight bytes: drop the '.' from the chunk and parse the digits in one step.
    uint64_t chunk;
    std::memcpy(&chunk, p, 8);
    if (n < 8) chunk &= (uint64_t(1) << (8 * n)) - 1;
    const size_t dot = detail::FindDot(p);
    uint64_t digits = chunk;
    size_t num_digits = n;
    if (dot < n) {
      const uint64_t low = dot == 0 ? 0 : chunk & ((uint64_t(1) << (8 * dot)) - 1);
      const uint64_t high = dot + 1 >= 8 ? 0 : (chunk >> (8 * (dot + 1))) << (8 * dot);
      digits = low | high;
      num_digits = n - 1;
    }
    if (num_digits > 0) {
      const size_t shift = 8 * (8 - num_digits);
      if (shift > 0) digits = (digits << shift) | (0x3030303030303030ull & ((uint64_t(1) << shift) - 1));
      uint32_t mantissa;
      if (detail::ParseEightDigits(digits, &mantissa)) {
        const size_t fraction_digits = dot < n ? n - 1 - dot : 0;
        const double result = double(mantissa) / detail::kPowersOfTen[fraction_digits];
        *value = negative ? -result : result;
        return true;
      }
    }
  } else if (n <= 24) {
    const size_t dot = detail::FindDot(p);  // 8 when not among the first eight bytes
    if (dot < 8) {  // n > 8, so a dot at 0..7 is inside the field
      const size_t integer_digits = dot;
      const size_t fraction_digits = n - dot - 1;
      uint32_t integer = 0, high = 0, low = 0;
      bool ok = integer_digits + fraction_digits > 0 && fraction_digits <= 16 &&
                (integer_digits == 0 || detail::ParseDigitsRightAligned(p, integer_digits, &integer));
      uint64_t mantissa = integer;
      if (ok && fraction_digits > 0) {
        const char* fraction = p + dot + 1;
        if (fraction_digits <= 8) {
          ok = detail::ParseDigitsRightAligned(fraction, fraction_digits, &low);
          mantissa = mantissa * detail::kIntegerPowersOfTen[fraction_digits] + low;
        } else {
          ok = detail::ParseEightDigits(fraction, &high) &&
               detail::ParseDigitsRightAligned(fraction + 8, fraction_digits - 8, &low);
          mantissa = (mantissa * 100000000ull + high) * detail::kIntegerPowersOfTen[fraction_digits - 8] + low;
        }
      }
      // At most 7 + 16 digits, but only 19 fit a uint64 exactly.
      if (ok && integer_digits + fraction_digits <= 19) {
        double result;
        if (mantissa <= (uint64_t(1) << 53)) {
          result = double(mantissa) / detail::kPowersOfTen[fraction_digits];
          *value = negative ? -result : result;
          return true;
        }
        if (detail::DivideExtended(mantissa, int(fraction_digits), &result)) {
          *value = negative ? -result : result;
          return true;
        }
      }
    }
  }
  return ParseFloat64OutOfLine(std::string_view(text, length), value);
}

}  // namespace tessera::io::csv
