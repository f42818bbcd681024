#include "tessera/io/csv/field_parsing.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

namespace tessera::io::csv {

TEST(FieldParsingTest, Integers) {
  int64_t value = 0;
  EXPECT_TRUE(ParseInt64("0", &value));
  EXPECT_EQ(value, 0);
  EXPECT_TRUE(ParseInt64("-12345678901", &value));
  EXPECT_EQ(value, -12345678901LL);
  EXPECT_TRUE(ParseInt64("+7", &value));
  EXPECT_EQ(value, 7);
  EXPECT_TRUE(ParseInt64("9223372036854775807", &value));
  EXPECT_EQ(value, INT64_MAX);
  EXPECT_TRUE(ParseInt64("-9223372036854775808", &value));
  EXPECT_EQ(value, INT64_MIN);
  for (const char* bad : {"", "-", "9223372036854775808", "1.0", "1e3", "12a", " 1", "99999999999999999999"}) {
    EXPECT_FALSE(ParseInt64(bad, &value)) << bad;
  }
}

TEST(FieldParsingTest, FloatsMatchStrtodExactly) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 200000; ++i) {
    char text[64];
    const double original = std::ldexp(double(int64_t(rng())), -int(rng() % 120)) * ((rng() & 1) ? 1 : -1);
    const int digits = int(rng() % 18) + 1;
    std::snprintf(text, sizeof text, (rng() & 1) ? "%.*f" : "%.*e", digits, original);
    double parsed = 0;
    ASSERT_TRUE(ParseFloat64(text, &parsed)) << text;
    ASSERT_EQ(parsed, std::strtod(text, nullptr)) << text;
  }
  double value = 0;
  EXPECT_TRUE(ParseFloat64("-74.05686442339905", &value));
  EXPECT_EQ(value, -74.05686442339905);
  EXPECT_TRUE(ParseFloat64("1e400", &value));
  EXPECT_TRUE(std::isinf(value));
  EXPECT_TRUE(ParseFloat64("-inf", &value));
  EXPECT_EQ(value, -INFINITY);
  EXPECT_TRUE(ParseFloat64("nan", &value));
  EXPECT_TRUE(std::isnan(value));
  EXPECT_TRUE(ParseFloat64(".5", &value));
  EXPECT_EQ(value, 0.5);
  EXPECT_TRUE(ParseFloat64("5.", &value));
  EXPECT_EQ(value, 5.0);
  EXPECT_TRUE(ParseFloat64("-0.0", &value));
  EXPECT_TRUE(std::signbit(value));
  for (const char* bad : {"", ".", "-", "1e", "1e+", "--1", "+-1", "1.2.3", "abc", "1,5"}) {
    EXPECT_FALSE(ParseFloat64(bad, &value)) << bad;
  }
}

TEST(FieldParsingTest, UnquoteAndNaValues) {
  std::string scratch;
  EXPECT_EQ(Unquote("\"a,b\"", '"', &scratch), "a,b");
  EXPECT_EQ(Unquote("\"say \"\"hi\"\"\"", '"', &scratch), "say \"hi\"");
  EXPECT_EQ(Unquote("plain", '"', &scratch), "plain");
  EXPECT_EQ(Unquote("\"\"", '"', &scratch), "");
  NaValues defaults(true, {"missing"});
  EXPECT_TRUE(defaults.Contains(""));
  EXPECT_TRUE(defaults.Contains("NA"));
  EXPECT_TRUE(defaults.Contains("missing"));
  EXPECT_FALSE(defaults.Contains("na"));
  NaValues none(false, {});
  EXPECT_FALSE(none.Contains(""));
  EXPECT_FALSE(none.Contains("NaN"));
}

TEST(FieldParsingTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain ascii text that is long"));
  EXPECT_TRUE(IsValidUtf8("Zoë 日本 😀"));
  EXPECT_FALSE(IsValidUtf8("caf\xe9"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("ok\xe6\x97"));        // truncated
}

}  // namespace tessera::io::csv

namespace tessera::io::csv {

TEST(FieldParsingTest, PaddedFloatPathMatchesGeneralPath) {
  std::mt19937_64 rng(5);
  const std::string alphabet = "0123456789.-e+x";
  for (int i = 0; i < 300000; ++i) {
    std::string text;
    if (i % 2 == 0) {
      for (uint64_t n = rng() % 11; n > 0; --n) text += alphabet[rng() % alphabet.size()];
    } else {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.*f", int(rng() % 6), double(int64_t(rng() % 2000000) - 1000000) / 97.0);
      text = buffer;
    }
    std::string padded = text + std::string(8, char(rng()));
    double general = 0, fast = 0;
    const bool general_ok = ParseFloat64(text, &general);
    const bool fast_ok = ParseFloat64Padded(padded.data(), text.size(), &fast);
    ASSERT_EQ(general_ok, fast_ok) << "'" << text << "'";
    if (general_ok) {
      ASSERT_TRUE(general == fast || (std::isnan(general) && std::isnan(fast))) << "'" << text << "'";
      ASSERT_EQ(std::signbit(general), std::signbit(fast)) << "'" << text << "'";
    }
  }
}

}  // namespace tessera::io::csv

namespace tessera::io::csv {

TEST(FieldParsingTest, LongMantissasAreCorrectlyRounded) {
  // 17 to 19 significant digits with the point anywhere: the extended-precision path, which
  // must agree with strtod on every value, including near halfway points.
  std::mt19937_64 rng(17);
  for (int i = 0; i < 1000000; ++i) {
    const int digits = 17 + int(rng() % 3);
    std::string text = (rng() & 1) ? "-" : "";
    std::string mantissa = std::to_string(1 + rng() % 9);
    while (int(mantissa.size()) < digits) mantissa += char('0' + rng() % 10);
    if (i % 4 == 0) mantissa.replace(mantissa.size() - 4, 4, (rng() & 1) ? "5000" : "4999");
    const size_t point = rng() % (mantissa.size() + 1);
    text += mantissa.substr(0, point) + "." + mantissa.substr(point);
    double parsed = 0;
    ASSERT_TRUE(ParseFloat64(text, &parsed)) << text;
    ASSERT_EQ(parsed, std::strtod(text.c_str(), nullptr)) << text;
    const std::string padded = text + std::string(8, char('0' + rng() % 10));
    double fast = 0;
    ASSERT_TRUE(ParseFloat64Padded(padded.data(), text.size(), &fast)) << text;
    ASSERT_EQ(fast, parsed) << text;
  }
  // Taxi-shaped coordinates and amounts through the padded path.
  for (int i = 0; i < 200000; ++i) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", int(rng() % 17), (double(int64_t(rng() % 200000000)) - 1e8) / 1e6);
    const std::string padded = std::string(text) + "12345678";
    double fast = 0;
    ASSERT_TRUE(ParseFloat64Padded(padded.data(), std::strlen(text), &fast)) << text;
    ASSERT_EQ(fast, std::strtod(text, nullptr)) << text;
  }
}

}  // namespace tessera::io::csv
