// Tests of the datetime kernels: calendar fields (leap years, before 1970, the int64 extremes),
// date/normalize, frequency parsing and floor/ceil/round, against a naive calendar reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/compute/datetime.hpp"
#include "tessera/compute/tests/column_expectations.hpp"

namespace tessera::compute {
namespace {

using testing::ColumnOf;
using testing::SlicedColumnOf;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kDay = 24 * kHour;

ColumnPtr Int32s(std::vector<std::optional<int32_t>> values) {
  return ColumnOf<int32_t>(types::Int32(), values);
}

TEST(DatetimeTest, FieldsOfOneTimestamp) {
  auto ts = MakeTimestampColumn({"2015-03-01 13:45:30.5", std::nullopt, "2016-12-31 00:00:00"});
  EXPECT_COLUMN_EQ(*Year(*ts), *Int32s({2015, std::nullopt, 2016}));
  EXPECT_COLUMN_EQ(*Month(*ts), *Int32s({3, std::nullopt, 12}));
  EXPECT_COLUMN_EQ(*Day(*ts), *Int32s({1, std::nullopt, 31}));
  EXPECT_COLUMN_EQ(*Hour(*ts), *Int32s({13, std::nullopt, 0}));
  EXPECT_COLUMN_EQ(*Minute(*ts), *Int32s({45, std::nullopt, 0}));
  EXPECT_COLUMN_EQ(*Second(*ts), *Int32s({30, std::nullopt, 0}));
  EXPECT_COLUMN_EQ(*DayOfWeek(*ts), *Int32s({6, std::nullopt, 5}));  // Sunday, Saturday
  EXPECT_COLUMN_EQ(*DayOfYear(*ts), *Int32s({60, std::nullopt, 366}));
  EXPECT_EQ(Year(*ts)->values<int32_t>()[1], 0);  // null slots hold 0
}

TEST(DatetimeTest, BeforeTheEpochAndExtremes) {
  auto ts = MakeTimestampColumn({"1969-12-31 23:59:59", "1900-02-28 06:00:00", "2000-02-29"});
  EXPECT_COLUMN_EQ(*Year(*ts), *Int32s({1969, 1900, 2000}));
  EXPECT_COLUMN_EQ(*Hour(*ts), *Int32s({23, 6, 0}));
  EXPECT_COLUMN_EQ(*Second(*ts), *Int32s({59, 0, 0}));
  EXPECT_COLUMN_EQ(*DayOfWeek(*ts), *Int32s({2, 2, 1}));  // Wednesday, Wednesday, Tuesday
  EXPECT_COLUMN_EQ(*DayOfYear(*ts), *Int32s({365, 59, 60}));
  // The range of datetime64[ns]: 1677-09-21 00:12:43.145224192 .. 2262-04-11 23:47:16.854775807.
  auto extremes = MakeColumn<int64_t>(types::Timestamp(), {std::numeric_limits<int64_t>::min(),
                                                           std::numeric_limits<int64_t>::max()});
  EXPECT_COLUMN_EQ(*Year(*extremes), *Int32s({1677, 2262}));
  EXPECT_COLUMN_EQ(*Month(*extremes), *Int32s({9, 4}));
  EXPECT_COLUMN_EQ(*Day(*extremes), *Int32s({21, 11}));
  EXPECT_COLUMN_EQ(*Hour(*extremes), *Int32s({0, 23}));
  EXPECT_COLUMN_EQ(*Minute(*extremes), *Int32s({12, 47}));
  EXPECT_COLUMN_EQ(*Second(*extremes), *Int32s({43, 16}));
}

TEST(DatetimeTest, DateColumnsAndErrors) {
  auto dates = ColumnOf<int32_t>(types::Date(), {16436, std::nullopt, -1});
  EXPECT_COLUMN_EQ(*Year(*dates), *Int32s({2015, std::nullopt, 1969}));
  EXPECT_COLUMN_EQ(*DayOfWeek(*dates), *Int32s({3, std::nullopt, 2}));
  EXPECT_THROW(Hour(*dates), TypeError);
  EXPECT_THROW(Year(*MakeInt64Column({1})), TypeError);
  EXPECT_THROW(Floor(*MakeStringColumn({"2015-01-01"}), "1h"), TypeError);
  EXPECT_EQ(Year(*MakeTimestampColumn({}))->length(), 0);
  EXPECT_EQ(Year(*MakeTimestampColumn({}))->type(), types::Int32());
}

TEST(DatetimeTest, DateAndNormalize) {
  auto ts = MakeTimestampColumn({"2015-01-01 10:00:00", "1969-12-31 23:00:00", std::nullopt});
  EXPECT_COLUMN_EQ(*Date(*ts), *ColumnOf<int32_t>(types::Date(), {16436, -1, std::nullopt}));
  EXPECT_COLUMN_EQ(*Normalize(*ts), *MakeTimestampColumn({"2015-01-01", "1969-12-31", std::nullopt}));
}

TEST(DatetimeTest, ParseFrequency) {
  EXPECT_EQ(ParseFrequency("15min"), 15 * 60 * kSecond);
  EXPECT_EQ(ParseFrequency("1h"), kHour);
  EXPECT_EQ(ParseFrequency("H"), kHour);
  EXPECT_EQ(ParseFrequency("T"), 60 * kSecond);
  EXPECT_EQ(ParseFrequency("s"), kSecond);
  EXPECT_EQ(ParseFrequency("D"), kDay);
  EXPECT_EQ(ParseFrequency("2D"), 2 * kDay);
  EXPECT_EQ(ParseFrequency("500ms"), 500'000'000);
  EXPECT_EQ(ParseFrequency("10us"), 10'000);
  EXPECT_EQ(ParseFrequency("ns"), 1);
  for (const char* bad : {"", "0h", "abc", "M", "W", "2W-SUN", "1.5h", "h1", "99999999999999999999s",
                          "200000D"}) {
    try {
      ParseFrequency(bad);
      ADD_FAILURE() << "'" << bad << "' must be rejected";
    } catch (const InvalidArgument& error) {
      EXPECT_NE(std::string(error.what()).find("'" + std::string(bad) + "'"), std::string::npos)
          << error.what();
    }
  }
}

TEST(DatetimeTest, FloorCeilRound) {
  auto ts = MakeTimestampColumn({"2015-01-01 10:29:59", "2015-01-01 10:30:00", "2015-01-01 11:30:00",
                                 "2015-01-01 12:00:00", "1969-12-31 23:59:59", std::nullopt});
  EXPECT_COLUMN_EQ(*Floor(*ts, "1h"),
                   *MakeTimestampColumn({"2015-01-01 10:00:00", "2015-01-01 10:00:00", "2015-01-01 11:00:00",
                                         "2015-01-01 12:00:00", "1969-12-31 23:00:00", std::nullopt}));
  EXPECT_COLUMN_EQ(*Ceil(*ts, "H"),
                   *MakeTimestampColumn({"2015-01-01 11:00:00", "2015-01-01 11:00:00", "2015-01-01 12:00:00",
                                         "2015-01-01 12:00:00", "1970-01-01 00:00:00", std::nullopt}));
  // Halves go to the even multiple: 10:30 -> 10:00, 11:30 -> 12:00.
  EXPECT_COLUMN_EQ(*Round(*ts, "1h"),
                   *MakeTimestampColumn({"2015-01-01 10:00:00", "2015-01-01 10:00:00", "2015-01-01 12:00:00",
                                         "2015-01-01 12:00:00", "1970-01-01 00:00:00", std::nullopt}));
  EXPECT_COLUMN_EQ(*Floor(*ts, "15min")->Slice(0, 2),
                   *MakeTimestampColumn({"2015-01-01 10:15:00", "2015-01-01 10:30:00"}));
  EXPECT_COLUMN_EQ(*Floor(*ts, "D")->Slice(4, 1), *MakeTimestampColumn({"1969-12-31"}));
  auto durations = MakeColumn<int64_t>(types::Duration(), {90 * 60 * kSecond, -kSecond});
  EXPECT_COLUMN_EQ(*Floor(*durations, "1h"), *MakeColumn<int64_t>(types::Duration(), {kHour, -kHour}));
  EXPECT_THROW(Floor(*ts, "1M"), InvalidArgument);
}

TEST(DatetimeTest, SlicedInputs) {
  auto ts = SlicedColumnOf<int64_t>(types::Timestamp(), {0, std::nullopt, 366 * kDay + 5 * kHour});
  EXPECT_COLUMN_EQ(*Year(*ts), *Int32s({1970, std::nullopt, 1971}));
  EXPECT_COLUMN_EQ(*Hour(*ts), *Int32s({0, std::nullopt, 5}));
  EXPECT_COLUMN_EQ(*Floor(*ts, "D"),
                   *ColumnOf<int64_t>(types::Timestamp(), {0, std::nullopt, 366 * kDay}));
}

// Naive calendar: walk years and months from 1970.
struct NaiveDate {
  int32_t year, month, day, day_of_year;
};

NaiveDate NaiveCalendar(int64_t days) {
  auto is_leap = [](int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; };
  int64_t year = 1970;
  while (days < 0) {
    --year;
    days += is_leap(year) ? 366 : 365;
  }
  while (days >= (is_leap(year) ? 366 : 365)) {
    days -= is_leap(year) ? 366 : 365;
    ++year;
  }
  const int day_of_year = int(days) + 1;
  const int lengths[] = {31, is_leap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int month = 0;
  while (days >= lengths[month]) days -= lengths[month++];
  return {int32_t(year), month + 1, int32_t(days) + 1, day_of_year};
}

TEST(DatetimeTest, RandomisedAgainstNaiveCalendar) {
  std::mt19937_64 rng(2015);
  for (int64_t length : {1, 65, 500}) {
    auto values = testing::RandomValues<int64_t>(rng, length, -3'000'000'000'000'000'000,
                                                 3'000'000'000'000'000'000, 0.1);
    auto ts = SlicedColumnOf<int64_t>(types::Timestamp(), values);
    std::vector<std::optional<int32_t>> years, months, days, hours, weekdays, yeardays;
    std::vector<std::optional<int64_t>> floors, ceils;
    const int64_t unit = 15 * 60 * kSecond;
    for (const auto& v : values) {
      if (!v) {
        for (auto* field : {&years, &months, &days, &hours, &weekdays, &yeardays}) field->push_back(std::nullopt);
        floors.push_back(std::nullopt);
        ceils.push_back(std::nullopt);
        continue;
      }
      const __int128 wide = *v;
      const int64_t day_number = int64_t(wide >= 0 ? wide / kDay : -((-wide + kDay - 1) / kDay));
      const NaiveDate date = NaiveCalendar(day_number);
      years.push_back(date.year);
      months.push_back(date.month);
      days.push_back(date.day);
      yeardays.push_back(date.day_of_year);
      hours.push_back(int32_t((wide - __int128(day_number) * kDay) / kHour));
      weekdays.push_back(int32_t(((day_number + 3) % 7 + 7) % 7));
      const __int128 below = wide >= 0 ? wide / unit * unit : -((-wide + unit - 1) / unit) * unit;
      floors.push_back(int64_t(below));
      ceils.push_back(int64_t(below == wide ? wide : below + unit));
    }
    EXPECT_COLUMN_EQ(*Year(*ts), *Int32s(years));
    EXPECT_COLUMN_EQ(*Month(*ts), *Int32s(months));
    EXPECT_COLUMN_EQ(*Day(*ts), *Int32s(days));
    EXPECT_COLUMN_EQ(*Hour(*ts), *Int32s(hours));
    EXPECT_COLUMN_EQ(*DayOfWeek(*ts), *Int32s(weekdays));
    EXPECT_COLUMN_EQ(*DayOfYear(*ts), *Int32s(yeardays));
    EXPECT_COLUMN_EQ(*Floor(*ts, "15min"), *ColumnOf<int64_t>(types::Timestamp(), floors));
    EXPECT_COLUMN_EQ(*Ceil(*ts, "15T"), *ColumnOf<int64_t>(types::Timestamp(), ceils));
  }
}

TEST(DatetimeTest, EmptyAndOneRow) {
  auto empty = MakeTimestampColumn({});
  EXPECT_EQ(Floor(*empty, "1h")->length(), 0);
  EXPECT_EQ(Floor(*empty, "1h")->type(), types::Timestamp());
  EXPECT_EQ(Date(*empty)->length(), 0);
  EXPECT_EQ(DayOfYear(*empty)->length(), 0);
  auto one = MakeTimestampColumn({"2015-07-04 18:07:00"});
  EXPECT_COLUMN_EQ(*Round(*one, "15min"), *MakeTimestampColumn({"2015-07-04 18:00:00"}));
  EXPECT_COLUMN_EQ(*Minute(*one), *Int32s({7}));
}

TEST(DatetimeTest, RandomisedFloorCeilRoundOverTheWholeRange) {
  // Units on both sides of the division-free path (2^14 ns), values up to the int64 extremes.
  std::mt19937_64 rng(64);
  for (const char* frequency : {"16383ns", "16384ns", "7ms", "1s", "1h", "3D"}) {
    const int64_t unit = ParseFrequency(frequency);
    auto values = testing::RandomValues<int64_t>(rng, 300, std::numeric_limits<int64_t>::min() / 2,
                                                 std::numeric_limits<int64_t>::max() / 2, 0.05);
    values.push_back(std::numeric_limits<int64_t>::max() - unit);
    values.push_back(std::numeric_limits<int64_t>::min() + unit);
    values.push_back(-unit / 2);
    values.push_back(unit / 2 + unit);
    std::vector<std::optional<int64_t>> floors, ceils, rounds;
    for (const auto& v : values) {
      if (!v) {
        floors.push_back(std::nullopt);
        ceils.push_back(std::nullopt);
        rounds.push_back(std::nullopt);
        continue;
      }
      const __int128 wide = *v;
      __int128 quotient = wide / unit;
      if (quotient * unit > wide) --quotient;
      const __int128 below = quotient * unit;
      const __int128 remainder = wide - below;
      floors.push_back(int64_t(below));
      ceils.push_back(int64_t(remainder == 0 ? wide : below + unit));
      const bool up = 2 * remainder > unit || (2 * remainder == unit && quotient % 2 != 0);
      rounds.push_back(int64_t(up ? below + unit : below));
    }
    auto ts = SlicedColumnOf<int64_t>(types::Timestamp(), values);
    EXPECT_COLUMN_EQ(*Floor(*ts, frequency), *ColumnOf<int64_t>(types::Timestamp(), floors)) << frequency;
    EXPECT_COLUMN_EQ(*Ceil(*ts, frequency), *ColumnOf<int64_t>(types::Timestamp(), ceils)) << frequency;
    EXPECT_COLUMN_EQ(*Round(*ts, frequency), *ColumnOf<int64_t>(types::Timestamp(), rounds)) << frequency;
  }
}

TEST(DatetimeTest, RandomisedNarrowAndSortedRanges) {
  // A few years of rows, shuffled (the per-day table) and sorted (the per-row cache).
  std::mt19937_64 rng(1);
  const int64_t start = 16000 * kDay;
  auto values = testing::RandomValues<int64_t>(rng, 5000, start - 400 * kDay, start + 800 * kDay, 0.05);
  for (bool sorted : {false, true}) {
    if (sorted) {
      std::sort(values.begin(), values.end(), [](const auto& a, const auto& b) {
        return a.value_or(0) < b.value_or(0);
      });
    }
    std::vector<std::optional<int32_t>> years, months, days, yeardays;
    for (const auto& v : values) {
      if (!v) {
        for (auto* field : {&years, &months, &days, &yeardays}) field->push_back(std::nullopt);
        continue;
      }
      const NaiveDate date = NaiveCalendar(*v / kDay);
      years.push_back(date.year);
      months.push_back(date.month);
      days.push_back(date.day);
      yeardays.push_back(date.day_of_year);
    }
    auto ts = SlicedColumnOf<int64_t>(types::Timestamp(), values);
    EXPECT_COLUMN_EQ(*Year(*ts), *Int32s(years)) << sorted;
    EXPECT_COLUMN_EQ(*Month(*ts), *Int32s(months)) << sorted;
    EXPECT_COLUMN_EQ(*Day(*ts), *Int32s(days)) << sorted;
    EXPECT_COLUMN_EQ(*DayOfYear(*ts), *Int32s(yeardays)) << sorted;
  }
}

}  // namespace
}  // namespace tessera::compute
