// Timestamps and durations of every time unit (s, ms, us, ns) through the elementwise kernels:
// casts between units, arithmetic and comparisons across units (pandas: the finer unit wins),
// calendar fields, floor/ceil/round and text. The oracle is the same values at nanosecond
// resolution (a reference loop or the ns kernels, which the other tests check by value).
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tessera/base/civil_time.hpp"
#include "tessera/base/error.hpp"
#include "tessera/compute/arithmetic.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/compare.hpp"
#include "tessera/compute/datetime.hpp"
#include "tessera/compute/null_handling.hpp"
#include "tessera/compute/tests/column_expectations.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {
namespace {

using testing::ColumnOf;
using testing::StringsOf;
using testing::ValuesOf;

constexpr TimeUnit kUnits[] = {TimeUnit::kSecond, TimeUnit::kMilli, TimeUnit::kMicro, TimeUnit::kNano};

// Random ticks of `unit` that the oracle can hold in nanoseconds, with nulls.
std::vector<std::optional<int64_t>> RandomTicks(std::mt19937_64& rng, TimeUnit unit, int64_t n) {
  // Years 1843..2096: differences of two values still fit nanoseconds.
  const int64_t limit = 4'000'000'000'000'000'000 / NanosPerTick(unit);
  std::uniform_int_distribution<int64_t> value(-limit, limit);
  std::vector<std::optional<int64_t>> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(rng() % 9 == 0 ? std::nullopt : std::optional<int64_t>(value(rng)));
  return out;
}

// A bool column's values (stored one byte each), nullopt where null.
std::vector<std::optional<bool>> Flags(const Column& column) {
  std::vector<std::optional<bool>> out;
  for (const auto& value : ValuesOf<uint8_t>(column)) out.push_back(value ? std::optional<bool>(*value != 0) : std::nullopt);
  return out;
}

ColumnPtr Ticks(DataType type, const std::vector<std::optional<int64_t>>& values) {
  return ColumnOf<int64_t>(type, values);
}

std::vector<std::optional<int64_t>> InNanos(const std::vector<std::optional<int64_t>>& ticks, TimeUnit unit) {
  std::vector<std::optional<int64_t>> out;
  for (const auto& t : ticks) out.push_back(t ? std::optional<int64_t>(*t * NanosPerTick(unit)) : std::nullopt);
  return out;
}

TEST(TimeUnitTest, DataTypeCarriesAndParsesTheUnit) {
  EXPECT_EQ(types::Timestamp(), types::Timestamp(TimeUnit::kNano));
  EXPECT_NE(types::Timestamp(TimeUnit::kSecond), types::Timestamp(TimeUnit::kMilli));
  EXPECT_NE(types::Timestamp(TimeUnit::kSecond), types::Duration(TimeUnit::kSecond));
  EXPECT_EQ(DataType(TypeId::kInt64, TimeUnit::kSecond), types::Int64());  // units only for time types
  EXPECT_EQ(types::Timestamp(TimeUnit::kMicro).ToString(), "datetime64[us]");
  EXPECT_EQ(types::Duration(TimeUnit::kMilli).ToString(), "timedelta64[ms]");
  EXPECT_EQ(ParseDataType("datetime64[ns]"), types::Timestamp(TimeUnit::kNano));
  EXPECT_EQ(ParseDataType("M8[s]"), types::Timestamp(TimeUnit::kSecond));
  EXPECT_EQ(ParseDataType("<M8[us]"), types::Timestamp(TimeUnit::kMicro));
  EXPECT_EQ(ParseDataType("m8[s]"), types::Duration(TimeUnit::kSecond));
  EXPECT_EQ(ParseDataType("<m8[ms]"), types::Duration(TimeUnit::kMilli));
  EXPECT_EQ(ParseDataType("timedelta64[ms]"), types::Duration(TimeUnit::kMilli));
  EXPECT_EQ(ParseDataType("datetime64"), types::Timestamp(TimeUnit::kNano));  // NumPy/pandas default
  EXPECT_EQ(ParseDataType("timedelta"), types::Duration(TimeUnit::kNano));
  EXPECT_THROW(ParseDataType("datetime64[D]"), TypeError);
  EXPECT_THROW(ParseDataType("M8[fortnight]"), TypeError);
  for (TimeUnit unit : kUnits) {
    EXPECT_EQ(ParseDataType(types::Timestamp(unit).ToString()), types::Timestamp(unit));
    EXPECT_EQ(ParseDataType(types::Duration(unit).ToString()), types::Duration(unit));
  }
}

TEST(TimeUnitTest, CastBetweenUnitsIsExactUpAndFloorsDown) {
  // pandas: Series(['2020-01-01 00:00:01.7', '1969-12-31 23:59:59.5'], dtype='M8[ms]')
  //   .astype('M8[s]') -> 00:00:01 and 23:59:59 (toward the past); m8[ms] -1500 -> -2 s.
  const auto ms = Ticks(types::Timestamp(TimeUnit::kMilli), {1577836801700, -500, std::nullopt});
  EXPECT_EQ(ValuesOf<int64_t>(*Cast(*ms, types::Timestamp(TimeUnit::kSecond))),
            (std::vector<std::optional<int64_t>>{1577836801, -1, std::nullopt}));
  const auto durations = Ticks(types::Duration(TimeUnit::kMilli), {1700, -1500});
  EXPECT_EQ(ValuesOf<int64_t>(*Cast(*durations, types::Duration(TimeUnit::kSecond))),
            (std::vector<std::optional<int64_t>>{1, -2}));
  std::mt19937_64 rng(5);
  for (TimeUnit from : kUnits) {
    const auto ticks = RandomTicks(rng, from, 300);
    const auto column = Ticks(types::Timestamp(from), ticks);
    for (TimeUnit to : kUnits) {
      const auto cast = Cast(*column, types::Timestamp(to));
      ASSERT_EQ(cast->type(), types::Timestamp(to));
      const auto got = ValuesOf<int64_t>(*cast);
      for (size_t i = 0; i < ticks.size(); ++i) {
        if (!ticks[i]) {
          EXPECT_FALSE(got[i]);
          continue;
        }
        // Reference: through nanoseconds, floor division back down.
        const int64_t nanos = *ticks[i] * NanosPerTick(from);
        EXPECT_EQ(*got[i], civil::FloorDiv(nanos, NanosPerTick(to))) << i;
      }
    }
  }
}

TEST(TimeUnitTest, CastToAFinerUnitThatOverflowsNamesTheValue) {
  // 2500-01-01 fits datetime64[s] but not datetime64[ns] (pandas: OutOfBoundsDatetime).
  const int64_t year_2500 = civil::DaysFromCivil(2500, 1, 1) * 86400;
  const auto seconds = Ticks(types::Timestamp(TimeUnit::kSecond), {0, year_2500});
  try {
    CastTimeUnit(*seconds, TimeUnit::kNano, "column 'when'");
    FAIL() << "expected an error";
  } catch (const InvalidArgument& error) {
    const std::string text = error.what();
    EXPECT_NE(text.find("column 'when'"), std::string::npos) << text;
    EXPECT_NE(text.find("2500-01-01 00:00:00"), std::string::npos) << text;
    EXPECT_NE(text.find("datetime64[ns]"), std::string::npos) << text;
  }
  // A null slot holding a large value is no error.
  const auto with_null = Ticks(types::Timestamp(TimeUnit::kSecond), {std::nullopt});
  EXPECT_EQ(CastTimeUnit(*with_null, TimeUnit::kNano)->null_count(), 1);
}

TEST(TimeUnitTest, ArithmeticAcrossUnitsGivesTheFinerUnit) {
  std::mt19937_64 rng(7);
  for (TimeUnit a_unit : kUnits) {
    for (TimeUnit b_unit : kUnits) {
      const TimeUnit finer = FinerUnit(a_unit, b_unit);
      // Values small enough that both fit nanoseconds (the oracle's unit).
      const auto a_ticks = RandomTicks(rng, a_unit, 64);
      const auto b_ticks = RandomTicks(rng, b_unit, 64);
      const auto a = Ticks(types::Timestamp(a_unit), a_ticks);
      const auto b = Ticks(types::Timestamp(b_unit), b_ticks);
      const auto difference = Subtract(*a, *b);
      ASSERT_EQ(difference->type(), types::Duration(finer));  // pandas: timedelta64[finer]
      const auto as_nanos = ValuesOf<int64_t>(*Cast(*difference, types::Duration(TimeUnit::kNano)));
      const auto a_nanos = InNanos(a_ticks, a_unit), b_nanos = InNanos(b_ticks, b_unit);
      for (size_t i = 0; i < a_ticks.size(); ++i) {
        if (!a_ticks[i] || !b_ticks[i]) {
          EXPECT_FALSE(as_nanos[i]);
          continue;
        }
        EXPECT_EQ(*as_nanos[i], *a_nanos[i] - *b_nanos[i]);
      }
      // timestamp + duration and back.
      const auto back = Add(*b, *difference);
      ASSERT_EQ(back->type(), types::Timestamp(finer));
      const auto back_nanos = ValuesOf<int64_t>(*Cast(*back, types::Timestamp(TimeUnit::kNano)));
      for (size_t i = 0; i < a_ticks.size(); ++i) {
        if (a_ticks[i] && b_ticks[i]) {
          EXPECT_EQ(*back_nanos[i], *a_nanos[i]);
        }
      }
    }
  }
}

TEST(TimeUnitTest, ArithmeticWithScalarsOfAnotherUnit) {
  // pandas 3: Series(M8[s]) - Timestamp('2020-01-01') (unit us) -> timedelta64[us];
  // Series(M8[s]) + np.timedelta64(1, 'ms') -> datetime64[ms].
  const auto seconds = Ticks(types::Timestamp(TimeUnit::kSecond), {1577836800, 1577836801});
  const auto since = Subtract(*seconds, Scalar::Timestamp(1577836800'000000, TimeUnit::kMicro));
  EXPECT_EQ(since->type(), types::Duration(TimeUnit::kMicro));
  EXPECT_EQ(ValuesOf<int64_t>(*since), (std::vector<std::optional<int64_t>>{0, 1000000}));
  const auto later = Add(*seconds, Scalar::Duration(1, TimeUnit::kMilli));
  EXPECT_EQ(later->type(), types::Timestamp(TimeUnit::kMilli));
  EXPECT_EQ(ValuesOf<int64_t>(*later), (std::vector<std::optional<int64_t>>{1577836800001, 1577836801001}));
  // Durations keep their unit through *, unary - and abs; / across units is a plain ratio.
  const auto minutes = Ticks(types::Duration(TimeUnit::kSecond), {60, -120});
  EXPECT_EQ(Multiply(*minutes, Scalar::Int64(2))->type(), types::Duration(TimeUnit::kSecond));
  EXPECT_EQ(Negate(*minutes)->type(), types::Duration(TimeUnit::kSecond));
  EXPECT_EQ(Abs(*minutes)->type(), types::Duration(TimeUnit::kSecond));
  const auto millis = Ticks(types::Duration(TimeUnit::kMilli), {1000, 1000});
  EXPECT_EQ(ValuesOf<double>(*Divide(*minutes, *millis)), (std::vector<std::optional<double>>{60.0, -120.0}));
}

TEST(TimeUnitTest, ComparisonsAcrossUnitsUseTheFinerUnit) {
  std::mt19937_64 rng(11);
  for (TimeUnit a_unit : kUnits) {
    for (TimeUnit b_unit : kUnits) {
      auto a_ticks = RandomTicks(rng, a_unit, 80);
      auto b_ticks = RandomTicks(rng, b_unit, 80);
      // Some equal instants across units.
      for (size_t i = 0; i < a_ticks.size(); i += 4) {
        if (a_ticks[i]) b_ticks[i] = civil::FloorDiv(*a_ticks[i] * NanosPerTick(a_unit), NanosPerTick(b_unit));
        if (b_ticks[i]) a_ticks[i] = *b_ticks[i] * NanosPerTick(b_unit) / NanosPerTick(a_unit);
      }
      const auto a = Ticks(types::Timestamp(a_unit), a_ticks);
      const auto b = Ticks(types::Timestamp(b_unit), b_ticks);
      const auto less = Flags(*Less(*a, *b));
      const auto equal = Flags(*Equal(*a, *b));
      const auto a_nanos = InNanos(a_ticks, a_unit), b_nanos = InNanos(b_ticks, b_unit);
      for (size_t i = 0; i < a_ticks.size(); ++i) {
        const bool both = a_nanos[i] && b_nanos[i];
        // Nulls compare false, as in pandas.
        EXPECT_EQ(less[i].value_or(false), both && *a_nanos[i] < *b_nanos[i]) << i;
        EXPECT_EQ(equal[i].value_or(false), both && *a_nanos[i] == *b_nanos[i]) << i;
      }
    }
  }
}

TEST(TimeUnitTest, ComparisonsWithFinerScalarsAreExact) {
  // A second-resolution column against 1970-01-01 00:00:00.5 (pandas compares exactly).
  const auto seconds = Ticks(types::Timestamp(TimeUnit::kSecond), {0, 1});
  const Scalar half = Scalar::Timestamp(500, TimeUnit::kMilli);
  EXPECT_EQ(Flags(*Greater(*seconds, half)), (std::vector<std::optional<bool>>{false, true}));
  EXPECT_EQ(Flags(*Equal(*seconds, half)), (std::vector<std::optional<bool>>{false, false}));
  EXPECT_EQ(Flags(*Less(*seconds, Scalar::String("1970-01-01 00:00:00.5"))),
            (std::vector<std::optional<bool>>{true, false}));
  EXPECT_EQ(Flags(*Equal(*seconds, Scalar::Timestamp(1'000'000'000))), (std::vector<std::optional<bool>>{false, true}));
  EXPECT_EQ(Flags(*IsIn(*seconds, {half, Scalar::Timestamp(1000, TimeUnit::kMilli)})),
            (std::vector<std::optional<bool>>{false, true}));
  // Scalars compare across units too (divisions of frames with different units).
  EXPECT_EQ(CompareScalars(Scalar::Timestamp(1, TimeUnit::kSecond), Scalar::Timestamp(999, TimeUnit::kMilli)), 1);
  EXPECT_EQ(CompareScalars(Scalar::Timestamp(1, TimeUnit::kSecond), Scalar::Timestamp(1000000000)), 0);
  EXPECT_EQ(CompareScalars(Scalar::Timestamp(1, TimeUnit::kMicro), Scalar::Timestamp(1001)), -1);
}

TEST(TimeUnitTest, WhereAcrossUnitsGivesTheFinerUnit) {
  // pandas: Series(M8[s]).where(cond, Series(M8[ms])) -> datetime64[ms].
  const auto seconds = Ticks(types::Timestamp(TimeUnit::kSecond), {1, 2, std::nullopt});
  const auto millis = Ticks(types::Timestamp(TimeUnit::kMilli), {1500, 2500, 3500});
  const auto condition = ColumnOf<uint8_t>(types::Bool(), {1, 0, 0});
  const auto chosen = Where(*condition, *seconds, *millis);
  EXPECT_EQ(chosen->type(), types::Timestamp(TimeUnit::kMilli));
  EXPECT_EQ(ValuesOf<int64_t>(*chosen), (std::vector<std::optional<int64_t>>{1000, 2500, 3500}));
  const auto filled = Where(*condition, *seconds, Scalar::Timestamp(7, TimeUnit::kMicro));
  EXPECT_EQ(filled->type(), types::Timestamp(TimeUnit::kMicro));
  EXPECT_EQ(ValuesOf<int64_t>(*filled), (std::vector<std::optional<int64_t>>{1000000, 7, 7}));
}

TEST(TimeUnitTest, CalendarFieldsAndRoundingInEveryUnit) {
  std::mt19937_64 rng(13);
  for (TimeUnit unit : kUnits) {
    const auto ticks = RandomTicks(rng, unit, 400);
    const auto column = Ticks(types::Timestamp(unit), ticks);
    const auto nanos = Ticks(types::Timestamp(), InNanos(ticks, unit));
    // The ns kernels are the oracle (datetime_test checks them against a calendar reference).
    EXPECT_EQ(ValuesOf<int32_t>(*Year(*column)), ValuesOf<int32_t>(*Year(*nanos)));
    EXPECT_EQ(ValuesOf<int32_t>(*Month(*column)), ValuesOf<int32_t>(*Month(*nanos)));
    EXPECT_EQ(ValuesOf<int32_t>(*Day(*column)), ValuesOf<int32_t>(*Day(*nanos)));
    EXPECT_EQ(ValuesOf<int32_t>(*Hour(*column)), ValuesOf<int32_t>(*Hour(*nanos)));
    EXPECT_EQ(ValuesOf<int32_t>(*Minute(*column)), ValuesOf<int32_t>(*Minute(*nanos)));
    EXPECT_EQ(ValuesOf<int32_t>(*Second(*column)), ValuesOf<int32_t>(*Second(*nanos)));
    EXPECT_EQ(ValuesOf<int32_t>(*DayOfWeek(*column)), ValuesOf<int32_t>(*DayOfWeek(*nanos)));
    EXPECT_EQ(ValuesOf<int32_t>(*DayOfYear(*column)), ValuesOf<int32_t>(*DayOfYear(*nanos)));
    EXPECT_EQ(ValuesOf<int32_t>(*Date(*column)), ValuesOf<int32_t>(*Date(*nanos)));
    EXPECT_EQ(StringsOf(*Cast(*column, types::String())), StringsOf(*Cast(*nanos, types::String())));
    for (const char* frequency : {"1s", "15min", "1h", "D"}) {
      const auto floored = Floor(*column, frequency);
      EXPECT_EQ(floored->type(), column->type());  // pandas keeps the unit
      EXPECT_EQ(ValuesOf<int64_t>(*Cast(*floored, types::Timestamp())), ValuesOf<int64_t>(*Floor(*nanos, frequency)));
      EXPECT_EQ(ValuesOf<int64_t>(*Cast(*Ceil(*column, frequency), types::Timestamp())),
                ValuesOf<int64_t>(*Ceil(*nanos, frequency)));
      EXPECT_EQ(ValuesOf<int64_t>(*Cast(*Round(*column, frequency), types::Timestamp())),
                ValuesOf<int64_t>(*Round(*nanos, frequency)));
    }
    EXPECT_EQ(ValuesOf<int64_t>(*Cast(*Normalize(*column), types::Timestamp())), ValuesOf<int64_t>(*Normalize(*nanos)));
    EXPECT_EQ(ValuesOf<int64_t>(*Cast(*MonthStart(*column), types::Timestamp())), ValuesOf<int64_t>(*MonthStart(*nanos)));
  }
  // A frequency below the unit leaves values alone (pandas: M8[s].dt.floor('1ms') is a no-op);
  // one that is not a whole number of ticks is an error.
  const auto seconds = Ticks(types::Timestamp(TimeUnit::kSecond), {1, 7});
  EXPECT_EQ(ValuesOf<int64_t>(*Floor(*seconds, "1ms")), (std::vector<std::optional<int64_t>>{1, 7}));
  EXPECT_THROW(Floor(*seconds, "1500ms"), InvalidArgument);
}

TEST(TimeUnitTest, TextInAnyUnitAndBeyondTheNanosecondRange) {
  const int64_t year_3000 = civil::DaysFromCivil(3000, 6, 1) * 86400 + 3661;
  const auto seconds = Ticks(types::Timestamp(TimeUnit::kSecond), {year_3000, std::nullopt});
  EXPECT_EQ(StringsOf(*Cast(*seconds, types::String())),
            (std::vector<std::optional<std::string>>{"3000-06-01 01:01:01", std::nullopt}));
  EXPECT_EQ(Year(*seconds)->values<int32_t>()[0], 3000);
  const auto parsed = Cast(*MakeStringColumn({"2020-01-01 00:00:01.123456789"}),
                           types::Timestamp(TimeUnit::kMilli));
  EXPECT_EQ(ValuesOf<int64_t>(*parsed), (std::vector<std::optional<int64_t>>{1577836801123}));
  // Text beyond the nanosecond range parses into coarser units, and is an error (not a wrapped
  // value) for nanoseconds.
  const auto far = MakeStringColumn({"3000-06-01 01:01:01", std::nullopt});
  EXPECT_COLUMN_EQ(*Cast(*far, types::Timestamp(TimeUnit::kSecond)), *seconds);
  EXPECT_EQ(ValuesOf<int64_t>(*Cast(*far, types::Timestamp(TimeUnit::kMicro)))[0], year_3000 * 1'000'000);
  EXPECT_THROW(Cast(*far, types::Timestamp(TimeUnit::kNano)), InvalidArgument);
  EXPECT_EQ(ValuesOf<int32_t>(*Cast(*far, types::Date()))[0], int32_t(civil::DaysFromCivil(3000, 6, 1)));
  const auto durations = Ticks(types::Duration(TimeUnit::kMilli), {90061500});
  EXPECT_EQ(StringsOf(*Cast(*durations, types::String())),
            (std::vector<std::optional<std::string>>{"1 days 01:01:01.5"}));
  EXPECT_EQ(Scalar::Timestamp(year_3000, TimeUnit::kSecond).ToString(), "3000-06-01 01:01:01");
}

}  // namespace
}  // namespace tessera::compute
