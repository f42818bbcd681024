#include "tessera/base/byte_size.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

#include "tessera/base/error.hpp"

namespace tessera {

namespace {

struct Unit {
  const char* name;
  double bytes;
};

// Lower-case spellings, as Dask's table after it folds case.
constexpr Unit kUnits[] = {
    {"", 1},        {"b", 1},       {"kb", 1e3},    {"k", 1e3},    {"mb", 1e6},   {"m", 1e6},
    {"gb", 1e9},    {"g", 1e9},     {"tb", 1e12},   {"t", 1e12},   {"pb", 1e15},  {"p", 1e15},
    {"kib", 0x1p10}, {"ki", 0x1p10}, {"mib", 0x1p20}, {"mi", 0x1p20}, {"gib", 0x1p30}, {"gi", 0x1p30},
    {"tib", 0x1p40}, {"ti", 0x1p40}, {"pib", 0x1p50}, {"pi", 0x1p50},
};

// 2^63: the first double that does not fit int64.
constexpr double kTooLarge = 0x1p63;

[[noreturn]] void Reject(std::string_view argument, const std::string& shown, const std::string& why,
                         const ByteSizeRules& rules) {
  throw InvalidArgument(std::string(argument) + "=" + shown + " is not a valid size: " + why + "; " +
                        DescribeByteSizeForms(rules));
}

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string ShowNumber(double value) {
  char text[32];
  const auto [end, error] = std::to_chars(text, text + sizeof(text), value);
  return error == std::errc() ? std::string(text, end) : std::to_string(value);
}

int64_t Share(double fraction, const ByteSizeRules& rules) {
  return int64_t(std::floor(fraction * double(rules.share_of)));
}

int64_t CheckedBytes(double bytes, bool has_unit, std::string_view argument, const std::string& shown,
                     const ByteSizeRules& rules) {
  if (!std::isfinite(bytes)) Reject(argument, shown, "it is not a finite number", rules);
  if (bytes < 0) Reject(argument, shown, "a size cannot be negative", rules);
  if (rules.share_of > 0 && !has_unit && bytes > 0 && bytes <= 1) return Share(bytes, rules);
  if (!has_unit && bytes != std::floor(bytes)) {
    Reject(argument, shown, "a number without a unit counts bytes and must be whole", rules);
  }
  if (bytes >= kTooLarge) Reject(argument, shown, "it is larger than 8 EiB", rules);
  return int64_t(bytes);
}

}  // namespace

std::string DescribeByteSizeForms(const ByteSizeRules& rules) {
  std::string forms =
      "give a number of bytes (300000000, 3e8) or a number with a unit: decimal kB, MB, GB, TB, PB "
      "or binary KiB, MiB, GiB, TiB, PiB (\"300MB\", \"300 MiB\", \"1TB\")";
  if (rules.share_of > 0) forms += ", or a share of the machine's memory (\"80%\", or 0.8)";
  return forms;
}

int64_t ParseByteSize(std::string_view text, std::string_view argument, const ByteSizeRules& rules) {
  std::string compact;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) compact += char(std::tolower(static_cast<unsigned char>(c)));
  }
  const std::string shown = Quoted(text);
  if (compact.empty()) Reject(argument, shown, "it is empty", rules);
  if (compact.back() == '%') {
    if (rules.share_of <= 0) Reject(argument, shown, "a percentage is not a size here", rules);
    compact.pop_back();
    double percent = 0;
    const auto [end, error] = std::from_chars(compact.data(), compact.data() + compact.size(), percent);
    if (compact.empty() || error != std::errc() || end != compact.data() + compact.size()) {
      Reject(argument, shown, "the percentage is not a number", rules);
    }
    if (!(percent > 0 && percent <= 100)) Reject(argument, shown, "a percentage must be above 0 and at most 100", rules);
    return Share(percent / 100, rules);
  }
  size_t unit_start = compact.size();
  while (unit_start > 0 && std::isalpha(static_cast<unsigned char>(compact[unit_start - 1]))) --unit_start;
  const std::string number = compact.substr(0, unit_start);
  const std::string unit = compact.substr(unit_start);
  double multiplier = 0;
  for (const Unit& candidate : kUnits) {
    if (unit == candidate.name) multiplier = candidate.bytes;
  }
  if (multiplier == 0) Reject(argument, shown, "'" + unit + "' is not a unit of bytes", rules);
  double value = 1;  // a unit alone means one of it, as in Dask ("MB" = 1 MB)
  if (!number.empty()) {
    const char* begin = number.data() + (number[0] == '+' ? 1 : 0);
    const auto [end, error] = std::from_chars(begin, number.data() + number.size(), value);
    if (error != std::errc() || end != number.data() + number.size()) {
      Reject(argument, shown, "'" + number + "' is not a number", rules);
    }
  } else if (unit.empty()) {
    Reject(argument, shown, "it is not a number", rules);
  }
  return CheckedBytes(value * multiplier, unit != "" && unit != "b", argument, shown, rules);
}

int64_t ByteSizeFromNumber(double value, std::string_view argument, const ByteSizeRules& rules) {
  return CheckedBytes(value, false, argument, ShowNumber(value), rules);
}

}  // namespace tessera
