// Tests of IsNull/NotNull, FillNull, DropNullMask, Where, Clip and Round: NaN as missing, type
// keeping and promotion, categoricals, slices, extremes and randomised references.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/compute/null_handling.hpp"
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

ColumnPtr Bools(std::vector<std::optional<bool>> values) { return MakeBoolColumn(values); }

TEST(NullHandlingTest, IsNullCountsNaN) {
  auto floats = MakeFloat64Column({1.0, kNaN, std::nullopt, kInf});
  EXPECT_COLUMN_EQ(*IsNull(*floats), *Bools({false, true, true, false}));
  EXPECT_COLUMN_EQ(*NotNull(*floats), *Bools({true, false, false, true}));
  EXPECT_COLUMN_EQ(*IsNull(*MakeStringColumn({"", std::nullopt})), *Bools({false, true}));
  EXPECT_COLUMN_EQ(*IsNull(*MakeInt64Column({kMin, std::nullopt})), *Bools({false, true}));
  EXPECT_COLUMN_EQ(*IsNull(*MakeColumn<float>(types::Float32(), {std::nanf("")})), *Bools({true}));
  EXPECT_EQ(IsNull(*MakeInt64Column({}))->length(), 0);
  EXPECT_COLUMN_EQ(*IsNull(*SlicedStringsOf({"a", std::nullopt})), *Bools({false, true}));
}

TEST(NullHandlingTest, FillNullKeepsTypeWhenTheValueFits) {
  auto ints = MakeInt64Column({1, std::nullopt, kMax});
  auto filled = FillNull(*ints, Scalar::Int64(0));
  EXPECT_COLUMN_EQ(*filled, *MakeInt64Column({1, 0, kMax}));
  EXPECT_EQ(filled->validity_data(), nullptr);
  EXPECT_COLUMN_EQ(*FillNull(*ints, Scalar::Float64(0.5)), *MakeFloat64Column({1.0, 0.5, double(kMax)}));
  auto int8 = ColumnOf<int8_t>(types::Int8(), {1, std::nullopt});
  EXPECT_COLUMN_EQ(*FillNull(*int8, Scalar::Int64(300)), *MakeColumn<int16_t>(types::Int16(), {1, 300}));
  auto floats = MakeFloat64Column({kNaN, std::nullopt, -kInf});
  EXPECT_COLUMN_EQ(*FillNull(*floats, Scalar::Int64(7)), *MakeFloat64Column({7.0, 7.0, -kInf}));
  EXPECT_COLUMN_EQ(*FillNull(*ints, Scalar::Null(types::Int64())), *ints);
}

TEST(NullHandlingTest, FillNullOtherTypes) {
  EXPECT_COLUMN_EQ(*FillNull(*MakeStringColumn({"a", std::nullopt, ""}), Scalar::String("日本")),
                   *MakeStringColumn({"a", "日本", ""}));
  EXPECT_COLUMN_EQ(*FillNull(*MakeTimestampColumn({std::nullopt, "2015-01-01"}), Scalar::String("2000-01-01")),
                   *MakeTimestampColumn({"2000-01-01", "2015-01-01"}));
  EXPECT_COLUMN_EQ(*FillNull(*MakeBoolColumn({std::nullopt, true}), Scalar::Bool(false)),
                   *Bools({false, true}));
  auto cat = MakeCategoricalColumn({"x", std::nullopt, "y"});
  auto filled = FillNull(*cat, Scalar::String("y"));
  EXPECT_EQ(filled->type(), types::Categorical());
  EXPECT_COLUMN_EQ(*filled, *MakeCategoricalColumn({"x", "y", "y"}));
  EXPECT_THROW(FillNull(*cat, Scalar::String("new")), TypeError);
  EXPECT_THROW(FillNull(*MakeInt64Column({std::nullopt}), Scalar::String("0")), TypeError);
  EXPECT_THROW(FillNull(*MakeStringColumn({std::nullopt}), Scalar::Int64(0)), TypeError);
}

TEST(NullHandlingTest, DropNullMask) {
  auto a = MakeFloat64Column({1.0, kNaN, std::nullopt, 4.0});
  auto b = MakeStringColumn({"x", "y", std::nullopt, std::nullopt});
  EXPECT_COLUMN_EQ(*DropNullMask({a, b}), *Bools({true, false, false, false}));
  EXPECT_COLUMN_EQ(*DropNullMask({a, b}, "all"), *Bools({true, true, false, true}));
  EXPECT_THROW(DropNullMask({a}, "some"), InvalidArgument);
  EXPECT_THROW(DropNullMask({}), InvalidArgument);
  EXPECT_THROW(DropNullMask({a, MakeInt64Column({1})}), InvalidArgument);
}

TEST(NullHandlingTest, WhereColumns) {
  auto condition = Bools({true, false, std::nullopt, true});
  auto x = MakeInt64Column({1, 2, 3, std::nullopt});
  auto other = MakeFloat64Column({10.5, 20.5, std::nullopt, 40.5});
  EXPECT_COLUMN_EQ(*Where(*condition, *x, *other),
                   *MakeFloat64Column({1.0, 20.5, std::nullopt, std::nullopt}));
  EXPECT_COLUMN_EQ(*Where(*condition, *x, *MakeInt64Column({-1, -2, -3, -4})),
                   *MakeInt64Column({1, -2, -3, std::nullopt}));
  auto strings = MakeStringColumn({"a", "b", "c", "d"});
  EXPECT_COLUMN_EQ(*Where(*condition, *strings, *MakeStringColumn({"A", std::nullopt, "C", "D"})),
                   *MakeStringColumn({"a", std::nullopt, "C", "d"}));
  EXPECT_THROW(Where(*condition, *strings, *x), TypeError);
  EXPECT_THROW(Where(*x, *x, *x), TypeError);
  EXPECT_THROW(Where(*condition, *x, *MakeInt64Column({1})), InvalidArgument);
}

TEST(NullHandlingTest, WhereScalars) {
  auto condition = Bools({true, false, true});
  auto x = MakeInt64Column({1, 2, 3});
  auto masked = Where(*condition, *x, Scalar::Null(types::Float64()));
  EXPECT_COLUMN_EQ(*masked, *MakeInt64Column({1, std::nullopt, 3}));
  EXPECT_COLUMN_EQ(*Where(*condition, *x, Scalar::Int64(0)), *MakeInt64Column({1, 0, 3}));
  EXPECT_COLUMN_EQ(*Where(*condition, *x, Scalar::Float64(0.5)), *MakeFloat64Column({1.0, 0.5, 3.0}));
  auto cat = MakeCategoricalColumn({"a", "b", "c"});
  auto same = Where(*condition, *cat, Scalar::String("a"));
  EXPECT_EQ(same->type(), types::Categorical());
  EXPECT_COLUMN_EQ(*same, *MakeCategoricalColumn({"a", "a", "c"}));
  EXPECT_COLUMN_EQ(*Where(*condition, *cat, Scalar::String("zz")), *MakeStringColumn({"a", "zz", "c"}));
  auto ts = MakeTimestampColumn({"2015-01-01", "2015-01-02", std::nullopt});
  EXPECT_COLUMN_EQ(*Where(*condition, *ts, Scalar::String("2000-01-01")),
                   *MakeTimestampColumn({"2015-01-01", "2000-01-01", std::nullopt}));
  auto floats = Where(*condition, *MakeFloat64Column({1.0, 2.0, 3.0}), Scalar::Null(types::Float64()));
  EXPECT_TRUE(std::isnan(floats->values<double>()[1]));
}

TEST(NullHandlingTest, Clip) {
  auto ints = MakeInt64Column({kMin, -5, 0, 5, kMax, std::nullopt});
  EXPECT_COLUMN_EQ(*Clip(*ints, Scalar::Int64(-1), Scalar::Int64(1)),
                   *MakeInt64Column({-1, -1, 0, 1, 1, std::nullopt}));
  EXPECT_COLUMN_EQ(*Clip(*ints, Scalar::Null(types::Int64()), Scalar::Int64(1)),
                   *MakeInt64Column({kMin, -5, 0, 1, 1, std::nullopt}));
  EXPECT_COLUMN_EQ(*Clip(*MakeInt64Column({1, 2, 3}), Scalar::Float64(1.5), Scalar::Float64(2.5)),
                   *MakeFloat64Column({1.5, 2.0, 2.5}));
  auto floats = MakeFloat64Column({kNaN, -kInf, kInf, std::nullopt, 0.5});
  EXPECT_COLUMN_EQ(*Clip(*floats, Scalar::Float64(0.0), Scalar::Float64(kNaN)),
                   *MakeFloat64Column({kNaN, 0.0, kInf, std::nullopt, 0.5}));
  // NumPy's order when lower > upper: the upper bound wins.
  EXPECT_COLUMN_EQ(*Clip(*MakeInt64Column({0, 10}), Scalar::Int64(5), Scalar::Int64(3)),
                   *MakeInt64Column({3, 3}));
  auto ts = MakeTimestampColumn({"2014-06-01", "2015-06-01", "2016-06-01"});
  EXPECT_COLUMN_EQ(*Clip(*ts, Scalar::String("2015-01-01"), Scalar::String("2015-12-31")),
                   *MakeTimestampColumn({"2015-01-01", "2015-06-01", "2015-12-31"}));
  EXPECT_THROW(Clip(*MakeStringColumn({"a"}), Scalar::String("a"), Scalar::String("b")), TypeError);
  EXPECT_THROW(Clip(*ts, Scalar::Int64(0), Scalar::Null(types::Int64())), TypeError);
  EXPECT_COLUMN_EQ(*Clip(*SlicedColumnOf<int32_t>(types::Int32(), {9, std::nullopt, -9}),
                         Scalar::Int64(-2), Scalar::Int64(2)),
                   *ColumnOf<int32_t>(types::Int32(), {2, std::nullopt, -2}));
}

TEST(NullHandlingTest, RoundHalfToEven) {
  EXPECT_COLUMN_EQ(*Round(*MakeFloat64Column({0.5, 1.5, 2.5, -0.5, -1.5, 2.675, kNaN, std::nullopt, kInf})),
                   *MakeFloat64Column({0.0, 2.0, 2.0, -0.0, -2.0, 3.0, kNaN, std::nullopt, kInf}));
  EXPECT_COLUMN_EQ(*Round(*MakeFloat64Column({1.25, 1.35, -2.675}), 1),
                   *MakeFloat64Column({1.2, 1.4, -2.7}));
  EXPECT_COLUMN_EQ(*Round(*MakeFloat64Column({1234.5, 1250.0, 1350.0}), -2),
                   *MakeFloat64Column({1200.0, 1200.0, 1400.0}));
  EXPECT_COLUMN_EQ(*Round(*MakeInt64Column({15, 25, -15, -25, 14, std::nullopt}), -1),
                   *MakeInt64Column({20, 20, -20, -20, 10, std::nullopt}));
  EXPECT_COLUMN_EQ(*Round(*MakeInt64Column({kMax, kMin}), 2), *MakeInt64Column({kMax, kMin}));
  EXPECT_COLUMN_EQ(*Round(*MakeInt64Column({kMax, 7}), -19), *MakeInt64Column({0, 0}));
  auto f32 = Round(*MakeColumn<float>(types::Float32(), {2.5f, 0.125f}), 2);
  EXPECT_EQ(f32->type(), types::Float32());
  EXPECT_EQ(f32->values<float>()[0], 2.5f);
  EXPECT_EQ(f32->values<float>()[1], 0.12f);
  EXPECT_COLUMN_EQ(*Round(*ColumnOf<int16_t>(types::Int16(), {149, std::nullopt}), -2),
                   *ColumnOf<int16_t>(types::Int16(), {100, std::nullopt}));
  EXPECT_THROW(Round(*MakeStringColumn({"1.5"})), TypeError);
  EXPECT_EQ(Round(*MakeFloat64Column({}))->length(), 0);
}

TEST(NullHandlingTest, RandomisedAgainstReference) {
  std::mt19937_64 rng(5);
  for (int64_t length : {1, 64, 129, 700}) {
    auto x_values = testing::RandomValues<int32_t>(rng, length, -100, 100, 0.2);
    auto other_values = testing::RandomValues<int32_t>(rng, length, -100, 100, 0.2);
    auto condition_values = testing::RandomValues<uint8_t>(rng, length, 0, 1, 0.1);
    std::vector<std::optional<int32_t>> where_expected, fill_expected, clip_expected;
    for (size_t i = 0; i < size_t(length); ++i) {
      const bool take = condition_values[i].value_or(0) != 0;
      where_expected.push_back(take ? x_values[i] : other_values[i]);
      fill_expected.push_back(x_values[i].value_or(-1));
      clip_expected.push_back(x_values[i] ? std::optional<int32_t>(std::clamp(*x_values[i], -10, 50))
                                          : std::nullopt);
    }
    auto x = SlicedColumnOf<int32_t>(types::Int32(), x_values);
    auto other = SlicedColumnOf<int32_t>(types::Int32(), other_values);
    auto condition = SlicedColumnOf<uint8_t>(types::Bool(), condition_values);
    EXPECT_COLUMN_EQ(*Where(*condition, *x, *other), *ColumnOf<int32_t>(types::Int32(), where_expected));
    EXPECT_COLUMN_EQ(*FillNull(*x, Scalar::Int64(-1)), *ColumnOf<int32_t>(types::Int32(), fill_expected));
    EXPECT_COLUMN_EQ(*Clip(*x, Scalar::Int64(-10), Scalar::Int64(50)),
                     *ColumnOf<int32_t>(types::Int32(), clip_expected));
    std::vector<std::optional<bool>> missing;
    for (const auto& v : x_values) missing.push_back(!v.has_value());
    EXPECT_COLUMN_EQ(*IsNull(*x), *Bools(missing));
  }
}

TEST(NullHandlingTest, EmptyAndOneRowInputs) {
  auto empty = MakeInt64Column({});
  EXPECT_EQ(FillNull(*empty, Scalar::Int64(0))->length(), 0);
  EXPECT_EQ(Where(*Bools({}), *empty, *empty)->length(), 0);
  EXPECT_EQ(Where(*Bools({}), *MakeStringColumn({}), Scalar::String("x"))->length(), 0);
  EXPECT_EQ(Clip(*empty, Scalar::Int64(0), Scalar::Int64(1))->length(), 0);
  EXPECT_EQ(DropNullMask({empty})->length(), 0);
  EXPECT_COLUMN_EQ(*FillNull(*MakeFloat64Column({std::nullopt}), Scalar::Float64(-0.5)),
                   *MakeFloat64Column({-0.5}));
  EXPECT_COLUMN_EQ(*Where(*Bools({false}), *MakeStringColumn({"a"}), Scalar::String("")),
                   *MakeStringColumn({""}));
}

TEST(NullHandlingTest, RandomisedRoundAgainstReference) {
  std::mt19937_64 rng(21);
  for (int64_t length : {1, 64, 300}) {
    auto doubles = testing::RandomValues<double>(rng, length, -1000.0, 1000.0, 0.1);
    for (size_t i = 0; i < doubles.size(); i += 3) {
      if (doubles[i]) doubles[i] = std::round(*doubles[i] * 4) / 4;  // exact quarters and halves
    }
    auto ints = testing::RandomValues<int64_t>(rng, length, -100000, 100000, 0.1);
    std::vector<std::optional<double>> rounded_doubles;
    std::vector<std::optional<int64_t>> rounded_ints;
    for (const auto& v : doubles) {
      rounded_doubles.push_back(v ? std::optional<double>(std::nearbyint(*v * 10.0) / 10.0) : std::nullopt);
    }
    for (const auto& v : ints) {
      if (!v) {
        rounded_ints.push_back(std::nullopt);
        continue;
      }
      // Reference: nearest multiple of 100, ties to the even multiple, by brute force.
      const int64_t below = (*v >= 0 ? *v / 100 : (*v - 99) / 100) * 100;
      const int64_t distance = *v - below;
      const bool up = distance > 50 || (distance == 50 && (below / 100) % 2 != 0);
      rounded_ints.push_back(up ? below + 100 : below);
    }
    EXPECT_COLUMN_EQ(*Round(*SlicedColumnOf<double>(types::Float64(), doubles), 1),
                     *MakeFloat64Column(rounded_doubles));
    EXPECT_COLUMN_EQ(*Round(*SlicedColumnOf<int64_t>(types::Int64(), ints), -2), *MakeInt64Column(rounded_ints));
  }
}

}  // namespace
}  // namespace tessera::compute
