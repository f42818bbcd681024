// Tests of Cast: numeric wrapping and NaN refusal, Python's float repr, strict text parsing,
// temporal conversions, categoricals, slices and randomised round trips.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/tests/column_expectations.hpp"

namespace tessera::compute {
namespace {

using testing::ColumnOf;
using testing::SlicedColumnOf;
using testing::SlicedStringsOf;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string ErrorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(CastTest, SameTypeSharesBuffers) {
  auto column = MakeInt64Column({1, std::nullopt});
  auto same = Cast(*column, types::Int64());
  EXPECT_EQ(same->values_buffer(), column->values_buffer());
  EXPECT_COLUMN_EQ(*same, *column);
}

TEST(CastTest, IntegersWrapWhenNarrowing) {
  auto column = MakeInt64Column({300, -129, 127, std::nullopt, kMax});
  EXPECT_COLUMN_EQ(*Cast(*column, types::Int8()),
                   *ColumnOf<int8_t>(types::Int8(), {44, 127, 127, std::nullopt, -1}));
  EXPECT_COLUMN_EQ(*Cast(*MakeInt64Column({-1}), types::UInt64()),
                   *MakeColumn<uint64_t>(types::UInt64(), {std::numeric_limits<uint64_t>::max()}));
}

TEST(CastTest, IntegerToFloatPutsNaNInNullSlots) {
  auto result = Cast(*MakeInt64Column({1, std::nullopt, kMin}), types::Float64());
  EXPECT_COLUMN_EQ(*result, *MakeFloat64Column({1.0, std::nullopt, -9223372036854775808.0}));
  EXPECT_TRUE(std::isnan(result->values<double>()[1]));
  auto f32 = Cast(*MakeInt64Column({std::nullopt}), types::Float32());
  EXPECT_TRUE(std::isnan(f32->values<float>()[0]));
}

TEST(CastTest, FloatToIntegerTruncatesAndRefusesNaN) {
  EXPECT_COLUMN_EQ(*Cast(*MakeFloat64Column({2.7, -2.7, 0.0, -0.0}), types::Int64()),
                   *MakeInt64Column({2, -2, 0, 0}));
  EXPECT_COLUMN_EQ(*Cast(*MakeFloat64Column({-9223372036854775808.0}), types::Int64()),
                   *MakeInt64Column({kMin}));
  const std::string nan_error =
      ErrorOf([] { Cast(*MakeFloat64Column({1.0, kNaN}), types::Int64()); });
  EXPECT_NE(nan_error.find("cannot convert NaN to integer"), std::string::npos) << nan_error;
  EXPECT_NE(nan_error.find("row 1"), std::string::npos) << nan_error;
  EXPECT_THROW(Cast(*MakeFloat64Column({std::nullopt}), types::Int32()), InvalidArgument);
  EXPECT_THROW(Cast(*MakeFloat64Column({kInf}), types::Int64()), InvalidArgument);
  EXPECT_THROW(Cast(*MakeFloat64Column({9223372036854775808.0}), types::Int64()), InvalidArgument);
  const std::string range_error = ErrorOf([] { Cast(*MakeFloat64Column({300.0}), types::Int8()); });
  EXPECT_NE(range_error.find("out of range [-128, 127]"), std::string::npos) << range_error;
  EXPECT_THROW(Cast(*MakeFloat64Column({-1.0}), types::UInt8()), InvalidArgument);
  EXPECT_COLUMN_EQ(*Cast(*MakeFloat64Column({-0.5, 255.9}), types::UInt8()),
                   *MakeColumn<uint8_t>(types::UInt8(), {0, 255}));
}

TEST(CastTest, BoolConversions) {
  EXPECT_COLUMN_EQ(*Cast(*MakeFloat64Column({0.0, 2.0, -1.0, kNaN, std::nullopt}), types::Bool()),
                   *MakeBoolColumn({false, true, true, true, std::nullopt}));
  EXPECT_COLUMN_EQ(*Cast(*MakeBoolColumn({true, false, std::nullopt}), types::Int64()),
                   *MakeInt64Column({1, 0, std::nullopt}));
  EXPECT_COLUMN_EQ(*Cast(*MakeBoolColumn({true, false}), types::String()),
                   *MakeStringColumn({"True", "False"}));
  EXPECT_COLUMN_EQ(*Cast(*MakeStringColumn({"True", "false", "1", "0", std::nullopt}), types::Bool()),
                   *MakeBoolColumn({true, false, true, false, std::nullopt}));
  EXPECT_THROW(Cast(*MakeStringColumn({"yes"}), types::Bool()), InvalidArgument);
}

TEST(CastTest, FloatsPrintLikePythonRepr) {
  EXPECT_EQ(FormatFloat(1.0), "1.0");
  EXPECT_EQ(FormatFloat(0.1), "0.1");
  EXPECT_EQ(FormatFloat(-2.5), "-2.5");
  EXPECT_EQ(FormatFloat(1e16), "1e+16");
  EXPECT_EQ(FormatFloat(1.5e16), "1.5e+16");
  EXPECT_EQ(FormatFloat(1e15), "1000000000000000.0");
  EXPECT_EQ(FormatFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatFloat(0.00001), "1e-05");
  EXPECT_EQ(FormatFloat(-0.0), "-0.0");
  EXPECT_EQ(FormatFloat(123456789.125), "123456789.125");
  EXPECT_EQ(FormatFloat(1.5e300), "1.5e+300");
  EXPECT_EQ(FormatFloat(5e-324), "5e-324");
  EXPECT_EQ(FormatFloat(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatFloat(kNaN), "nan");
  EXPECT_EQ(FormatFloat(-kInf), "-inf");
  EXPECT_EQ(FormatFloat(0.1f), "0.1");
  EXPECT_EQ(FormatFloat(16777216.0f), "16777216.0");
  EXPECT_COLUMN_EQ(*Cast(*MakeFloat64Column({1.0, std::nullopt, 0.1}), types::String()),
                   *MakeStringColumn({"1.0", std::nullopt, "0.1"}));
}

TEST(CastTest, IntegersToText) {
  EXPECT_COLUMN_EQ(*Cast(*MakeInt64Column({0, -5, kMin, std::nullopt, kMax}), types::String()),
                   *MakeStringColumn({"0", "-5", "-9223372036854775808", std::nullopt,
                                      "9223372036854775807"}));
  EXPECT_COLUMN_EQ(*Cast(*MakeColumn<uint8_t>(types::UInt8(), {255}), types::String()),
                   *MakeStringColumn({"255"}));
}

TEST(CastTest, TextToNumbersIsStrictAndNamesTheRow) {
  EXPECT_COLUMN_EQ(*Cast(*MakeStringColumn({" 42 ", "+7", "-3", std::nullopt}), types::Int64()),
                   *MakeInt64Column({42, 7, -3, std::nullopt}));
  EXPECT_COLUMN_EQ(*Cast(*MakeStringColumn({"-9223372036854775808"}), types::Int64()),
                   *MakeInt64Column({kMin}));
  const std::string error = ErrorOf([] { Cast(*MakeStringColumn({"1", "abc"}), types::Int64()); });
  EXPECT_NE(error.find("'abc'"), std::string::npos) << error;
  EXPECT_NE(error.find("row 1"), std::string::npos) << error;
  EXPECT_THROW(Cast(*MakeStringColumn({"1.5"}), types::Int64()), InvalidArgument);
  EXPECT_THROW(Cast(*MakeStringColumn({""}), types::Int64()), InvalidArgument);
  EXPECT_THROW(Cast(*MakeStringColumn({"300"}), types::Int8()), InvalidArgument);
  EXPECT_THROW(Cast(*MakeStringColumn({"9223372036854775808"}), types::Int64()), InvalidArgument);
  EXPECT_COLUMN_EQ(*Cast(*MakeStringColumn({"1.5", "nan", "-inf", "-1e3", " 2 ", std::nullopt}),
                         types::Float64()),
                   *MakeFloat64Column({1.5, kNaN, -kInf, -1000.0, 2.0, std::nullopt}));
  EXPECT_THROW(Cast(*MakeStringColumn({"x"}), types::Float64()), InvalidArgument);
  EXPECT_THROW(Cast(*MakeStringColumn({"1.5x"}), types::Float32()), InvalidArgument);
}

TEST(CastTest, TextToTemporal) {
  auto text = MakeStringColumn({"2015-01-01 10:30:00", "2015-03-01", std::nullopt});
  EXPECT_COLUMN_EQ(*Cast(*text, types::Timestamp()),
                   *MakeTimestampColumn({"2015-01-01 10:30:00", "2015-03-01", std::nullopt}));
  EXPECT_COLUMN_EQ(*Cast(*text, types::Date()),
                   *ColumnOf<int32_t>(types::Date(), {16436, 16495, std::nullopt}));
  const std::string error =
      ErrorOf([] { Cast(*MakeStringColumn({"2015-01-01", "2015-02-30"}), types::Timestamp()); });
  EXPECT_NE(error.find("'2015-02-30' (row 1"), std::string::npos) << error;
}

TEST(CastTest, TemporalConversions) {
  auto ts = MakeTimestampColumn({"1970-01-01 00:00:01", "1969-12-31 23:00:00", std::nullopt});
  auto as_int = Cast(*ts, types::Int64());
  EXPECT_EQ(as_int->values_buffer(), ts->values_buffer());
  EXPECT_COLUMN_EQ(*as_int, *MakeInt64Column({1'000'000'000, -3'600'000'000'000, std::nullopt}));
  EXPECT_COLUMN_EQ(*Cast(*as_int, types::Timestamp()), *ts);
  EXPECT_COLUMN_EQ(*Cast(*ts, types::Date()), *ColumnOf<int32_t>(types::Date(), {0, -1, std::nullopt}));
  EXPECT_COLUMN_EQ(*Cast(*ColumnOf<int32_t>(types::Date(), {16436}), types::Timestamp()),
                   *MakeTimestampColumn({"2015-01-01"}));
  EXPECT_COLUMN_EQ(*Cast(*MakeColumn<int32_t>(types::Int32(), {5}), types::Duration()),
                   *MakeColumn<int64_t>(types::Duration(), {5}));
  // Slices keep their offset through the zero-copy reinterpretation.
  EXPECT_COLUMN_EQ(*Cast(*ts->Slice(1, 2), types::Int64()),
                   *MakeInt64Column({-3'600'000'000'000, std::nullopt}));
  EXPECT_THROW(Cast(*ts, types::Float64()), TypeError);
  EXPECT_THROW(Cast(*ts, types::Duration()), TypeError);
  EXPECT_THROW(Cast(*MakeInt64Column({1}), types::Categorical()), TypeError);
}

TEST(CastTest, TemporalToText) {
  EXPECT_COLUMN_EQ(*Cast(*MakeTimestampColumn({"2015-01-01", std::nullopt, "1969-12-31"}), types::String()),
                   *MakeStringColumn({"2015-01-01", std::nullopt, "1969-12-31"}));
  EXPECT_COLUMN_EQ(*Cast(*MakeTimestampColumn({"2015-01-01", "2015-01-01 10:00:00.5"}), types::String()),
                   *MakeStringColumn({"2015-01-01 00:00:00.000", "2015-01-01 10:00:00.500"}));
  EXPECT_COLUMN_EQ(*Cast(*MakeTimestampColumn({"2015-01-01 23:59:59"}), types::String()),
                   *MakeStringColumn({"2015-01-01 23:59:59"}));
  const int64_t hour = 3'600'000'000'000;
  EXPECT_COLUMN_EQ(*Cast(*MakeColumn<int64_t>(types::Duration(), {26 * hour, hour / 2 + 500'000'000}),
                         types::String()),
                   *MakeStringColumn({"1 days 02:00:00", "0 days 00:30:00.5"}));
  EXPECT_COLUMN_EQ(*Cast(*ColumnOf<int32_t>(types::Date(), {16436, std::nullopt}), types::String()),
                   *MakeStringColumn({"2015-01-01", std::nullopt}));
}

TEST(CastTest, Categoricals) {
  auto text = MakeStringColumn({"b", "a", std::nullopt, "b", "日本", ""});
  auto categorical = Cast(*text, types::Categorical());
  ASSERT_EQ(categorical->type(), types::Categorical());
  EXPECT_COLUMN_EQ(*categorical->dictionary(), *MakeStringColumn({"", "a", "b", "日本"}));
  EXPECT_COLUMN_EQ(*categorical, *MakeCategoricalColumn({"b", "a", std::nullopt, "b", "日本", ""}));
  EXPECT_COLUMN_EQ(*Cast(*categorical, types::String()), *text);
  EXPECT_COLUMN_EQ(*Cast(*MakeCategoricalColumn({"2", "10", std::nullopt}), types::Int64()),
                   *MakeInt64Column({2, 10, std::nullopt}));
  EXPECT_EQ(Cast(*MakeStringColumn({}), types::Categorical())->length(), 0);
}

TEST(CastTest, SlicedInputs) {
  auto ints = SlicedColumnOf<int16_t>(types::Int16(), {5, std::nullopt, -3, 8, 9, 10, 11, 12, 13});
  EXPECT_COLUMN_EQ(*Cast(*ints, types::Float32()),
                   *ColumnOf<float>(types::Float32(), {5, std::nullopt, -3, 8, 9, 10, 11, 12, 13}));
  EXPECT_COLUMN_EQ(*Cast(*ints, types::String()),
                   *MakeStringColumn({"5", std::nullopt, "-3", "8", "9", "10", "11", "12", "13"}));
  auto text = SlicedStringsOf({"7", std::nullopt, "-1"});
  EXPECT_COLUMN_EQ(*Cast(*text, types::Int32()), *ColumnOf<int32_t>(types::Int32(), {7, std::nullopt, -1}));
  EXPECT_COLUMN_EQ(*Cast(*text, types::Categorical()), *MakeCategoricalColumn({"7", std::nullopt, "-1"}));
}

TEST(CastTest, RandomisedRoundTrips) {
  std::mt19937_64 rng(11);
  for (int64_t length : {1, 64, 333}) {
    auto ints = testing::RandomValues<int64_t>(rng, length, kMin, kMax, 0.1);
    auto column = SlicedColumnOf<int64_t>(types::Int64(), ints);
    std::vector<std::optional<int32_t>> narrowed;
    std::vector<std::optional<double>> widened;
    for (const auto& v : ints) {
      narrowed.push_back(v ? std::optional<int32_t>(int32_t(*v)) : std::nullopt);
      widened.push_back(v ? std::optional<double>(double(*v)) : std::nullopt);
    }
    EXPECT_COLUMN_EQ(*Cast(*column, types::Int32()), *ColumnOf<int32_t>(types::Int32(), narrowed));
    EXPECT_COLUMN_EQ(*Cast(*column, types::Float64()), *MakeFloat64Column(widened));
    EXPECT_COLUMN_EQ(*Cast(*Cast(*column, types::String()), types::Int64()), *MakeInt64Column(ints));

    std::vector<std::optional<double>> doubles;
    std::uniform_int_distribution<uint64_t> any_bits;
    for (int64_t i = 0; i < length; ++i) {
      const uint64_t bits = any_bits(rng);
      double value;
      std::memcpy(&value, &bits, sizeof value);
      doubles.push_back(i % 9 == 4 ? std::nullopt : std::optional<double>(value));
    }
    auto floats = MakeFloat64Column(doubles);
    EXPECT_COLUMN_EQ(*Cast(*Cast(*floats, types::String()), types::Float64()), *floats);
  }
}

TEST(CastTest, EmptyInputs) {
  for (DataType type : {types::Int8(), types::Float32(), types::Bool(), types::String()}) {
    auto result = Cast(*MakeInt64Column({}), type);
    EXPECT_EQ(result->length(), 0);
    EXPECT_EQ(result->type(), type);
  }
  EXPECT_EQ(Cast(*MakeStringColumn({}), types::Float64())->length(), 0);
  EXPECT_EQ(Cast(*MakeStringColumn({}), types::Timestamp())->length(), 0);
  EXPECT_EQ(Cast(*MakeFloat64Column({}), types::Int64())->length(), 0);
  EXPECT_EQ(Cast(*MakeTimestampColumn({}), types::String())->length(), 0);
}

}  // namespace
}  // namespace tessera::compute
