#include "tessera/base/civil_time.hpp"

#include <gtest/gtest.h>

#include "tessera/base/error.hpp"
#include "tessera/base/timestamp_parse.hpp"

namespace tessera {

TEST(CivilTimeTest, RoundTripsEveryDayOverCenturies) {
  for (int64_t days = -800000; days < 800000; days += 37) {
    const auto date = civil::CivilFromDays(days);
    EXPECT_EQ(civil::DaysFromCivil(date.year, date.month, date.day), days);
  }
  EXPECT_EQ(civil::DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(civil::DaysFromCivil(2015, 5, 5), 16560);
  EXPECT_EQ(civil::DaysFromCivil(1969, 12, 31), -1);
}

TEST(CivilTimeTest, FormatsLikePandas) {
  EXPECT_EQ(civil::FormatTimestamp(0), "1970-01-01 00:00:00");
  EXPECT_EQ(civil::FormatTimestamp(1430784000LL * civil::kNanosPerSecond + 500000000),
            "2015-05-05 00:00:00.5");
  EXPECT_EQ(civil::FormatTimestamp(-1), "1969-12-31 23:59:59.999999999");
  EXPECT_EQ(civil::FormatDuration(civil::kNanosPerDay + 3723 * civil::kNanosPerSecond),
            "1 days 01:02:03");
}

TEST(TimestampParseTest, IsoForms) {
  int64_t nanos = 0;
  ASSERT_TRUE(ParseIsoTimestamp("2015-01-01 00:00:00", &nanos));
  EXPECT_EQ(nanos, 1420070400LL * civil::kNanosPerSecond);
  ASSERT_TRUE(ParseIsoTimestamp("2015-01-01", &nanos));
  EXPECT_EQ(nanos, 1420070400LL * civil::kNanosPerSecond);
  ASSERT_TRUE(ParseIsoTimestamp("2015-01-01T01:02:03.25Z", &nanos));
  EXPECT_EQ(nanos, (1420070400LL + 3723) * civil::kNanosPerSecond + 250000000);
  ASSERT_TRUE(ParseIsoTimestamp("2015-01-01 01:00:00+01:00", &nanos));
  EXPECT_EQ(nanos, 1420070400LL * civil::kNanosPerSecond);
  ASSERT_TRUE(ParseIsoTimestamp("2015-01-01 01:02", &nanos));
  EXPECT_EQ(nanos, (1420070400LL + 3720) * civil::kNanosPerSecond);
  ASSERT_TRUE(ParseIsoTimestamp("2016-02-29 00:00:00.123456789", &nanos));
  EXPECT_EQ(nanos % civil::kNanosPerSecond, 123456789);
}

TEST(TimestampParseTest, RejectsGarbageAndImpossibleDates) {
  int64_t nanos = 0;
  for (const char* text : {"", "2015", "2015-02-29", "2015-13-01", "2015-01-32", "2015-01-01 24:00",
                           "2015-01-01 10:60:00", "2015-01-01x", "20150101", "2015-01-01 00:00:00.",
                           "2015-01-01 00:00:00 garbage", "abcd-ef-gh"}) {
    EXPECT_FALSE(ParseIsoTimestamp(text, &nanos)) << text;
  }
}

TEST(TimestampParseTest, FormatStrings) {
  int64_t nanos = 0, expected = 0;
  ASSERT_TRUE(ParseIsoTimestamp("2015-05-05 13:04:05", &expected));
  ASSERT_TRUE(ParseTimestampWithFormat("05/05/2015 13:04:05", "%m/%d/%Y %H:%M:%S", &nanos));
  EXPECT_EQ(nanos, expected);
  ASSERT_TRUE(ParseTimestampWithFormat("5-May-15 01:04:05 PM", "%d-%b-%y %I:%M:%S %p", &nanos));
  EXPECT_EQ(nanos, expected);
  EXPECT_FALSE(ParseTimestampWithFormat("31/02/2015", "%d/%m/%Y", &nanos));
  EXPECT_FALSE(ParseTimestampWithFormat("05/05/2015 extra", "%m/%d/%Y", &nanos));
  EXPECT_THROW(ValidateTimestampFormat("%Q"), InvalidArgument);
  EXPECT_NO_THROW(ValidateTimestampFormat("%Y-%m-%d"));
}

}  // namespace tessera

namespace tessera {

TEST(TimestampParseTest, CachingParserAgreesWithIsoParser) {
  IsoTimestampParser parser;
  const char* texts[] = {"2015-01-01 00:00:00", "2015-01-01 23:59:59", "2015-01-01T12:00:00",
                         "2015-01-02 00:00:01", "2015-01-02 24:00:00", "2015-01-02 00:60:00",
                         "2015-01-02 00:00:5x", "2015-01-02", "2015-01-02 10:11:12.5",
                         "2015-02-29 00:00:00", "2016-02-29 01:02:03", "2016-02-29 01:02:03Z",
                         "2016-02-29x01:02:03"};
  for (int round = 0; round < 2; ++round) {
    for (const char* text : texts) {
      int64_t expected = 0, actual = 0;
      const bool ok = ParseIsoTimestamp(text, &expected);
      ASSERT_EQ(parser.Parse(text, &actual), ok) << text;
      if (ok) {
        EXPECT_EQ(actual, expected) << text;
      }
    }
  }
}

}  // namespace tessera
