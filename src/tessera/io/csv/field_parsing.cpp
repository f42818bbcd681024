#include "tessera/io/csv/field_parsing.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>

namespace tessera::io::csv {

std::string_view Unquote(std::string_view field, char quote, std::string* scratch) {
  if (field.size() < 2 || field.front() != quote || field.back() != quote) return field;
  std::string_view inner = field.substr(1, field.size() - 2);
  if (inner.find(quote) == std::string_view::npos) return inner;
  scratch->clear();
  for (size_t i = 0; i < inner.size(); ++i) {
    scratch->push_back(inner[i]);
    if (inner[i] == quote && i + 1 < inner.size() && inner[i + 1] == quote) ++i;
  }
  return *scratch;
}

bool ParseFloat64Slow(std::string_view text, double* value) {
  const char* p = text.data();
  const char* end = p + text.size();
  bool negative = false;
  if (p < end && (*p == '-' || *p == '+')) {
    negative = *p == '-';
    ++p;
  }
  if (p == end || *p == '-' || *p == '+') return false;
  // Exponents within the exact range still take the Clinger fast path.
  uint64_t mantissa = 0;
  int num_digits = 0;
  const char* q = detail::ParseDigits(p, end, &mantissa, &num_digits);
  int exponent = 0;
  if (q < end && *q == '.') {
    const int before = num_digits;
    q = detail::ParseDigits(q + 1, end, &mantissa, &num_digits);
    exponent = before - num_digits;
  }
  if (num_digits > 0 && q < end && (*q == 'e' || *q == 'E')) {
    const char* e = q + 1;
    bool exponent_negative = false;
    if (e < end && (*e == '-' || *e == '+')) {
      exponent_negative = *e == '-';
      ++e;
    }
    int explicit_exponent = 0;
    const char* digits = e;
    while (e < end && unsigned(*e - '0') <= 9) {
      if (explicit_exponent < 100000) explicit_exponent = explicit_exponent * 10 + (*e - '0');
      ++e;
    }
    if (e == digits) return false;
    exponent += exponent_negative ? -explicit_exponent : explicit_exponent;
    q = e;
    if (q == end && num_digits <= 19 && mantissa <= (uint64_t(1) << 53) && exponent >= -22 &&
        exponent <= 22) {
      double result = double(mantissa);
      result = exponent < 0 ? result / detail::kPowersOfTen[-exponent] : result * detail::kPowersOfTen[exponent];
      *value = negative ? -result : result;
      return true;
    }
  }
  double result = 0;
  auto [stop, error] = std::from_chars(p, end, result);
  if (stop != end) return false;
  if (error == std::errc::result_out_of_range) {
    // from_chars refuses values beyond the double range; pandas gives inf or 0.
    result = exponent > 0 ? HUGE_VAL : 0.0;
  } else if (error != std::errc()) {
    return false;
  }
  *value = negative ? -result : result;
  return true;
}

bool ParseFloat64OutOfLine(std::string_view text, double* value) { return ParseFloat64(text, value); }

namespace {

bool EqualsIgnoringCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != lower[i]) return false;
  }
  return true;
}

}  // namespace

bool ParseBool(std::string_view text, bool* value) {
  if (EqualsIgnoringCase(text, "true")) {
    *value = true;
    return true;
  }
  if (EqualsIgnoringCase(text, "false")) {
    *value = false;
    return true;
  }
  return false;
}

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool IsValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    // Skip ASCII eight bytes at a time.
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int length;
    uint32_t code;
    if ((c & 0xE0) == 0xC0) {
      length = 2;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      code = c & 0x07;
    } else {
      return false;
    }
    if (end - p < length) return false;
    for (int i = 1; i < length; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      code = (code << 6) | (p[i] & 0x3F);
    }
    static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    p += length;
  }
  return true;
}

NaValues::NaValues(bool keep_default_na, const std::vector<std::string>& extra) {
  if (keep_default_na) {
    values_ = {"#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
               "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"};
    empty_is_na_ = true;
  }
  for (const auto& value : extra) {
    if (value.empty()) {
      empty_is_na_ = true;
    } else {
      values_.push_back(value);
    }
  }
  for (const auto& value : values_) max_length_ = std::max(max_length_, value.size());
}

}  // namespace tessera::io::csv
