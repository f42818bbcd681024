// Tests of the comparison kernels: pandas' null/NaN rules, exact mixed-type numbers, strings,
// timestamps, categoricals, Between, IsIn, slices and a randomised reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/compute/compare.hpp"
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

TEST(CompareTest, NullsAndNaNCompareFalseExceptNotEqual) {
  auto a = MakeFloat64Column({1.0, kNaN, std::nullopt, 3.0});
  auto b = MakeFloat64Column({1.0, kNaN, 2.0, std::nullopt});
  EXPECT_COLUMN_EQ(*Equal(*a, *b), *Bools({true, false, false, false}));
  EXPECT_COLUMN_EQ(*NotEqual(*a, *b), *Bools({false, true, true, true}));
  EXPECT_COLUMN_EQ(*LessEqual(*a, *b), *Bools({true, false, false, false}));
  auto ints = MakeInt64Column({1, std::nullopt, 3});
  EXPECT_COLUMN_EQ(*Equal(*ints, Scalar::Int64(0)), *Bools({false, false, false}));
  EXPECT_COLUMN_EQ(*NotEqual(*ints, Scalar::Int64(1)), *Bools({false, true, true}));
  EXPECT_COLUMN_EQ(*Greater(*ints, Scalar::Null(types::Int64())), *Bools({false, false, false}));
  EXPECT_COLUMN_EQ(*NotEqual(*ints, Scalar::Null(types::Int64())), *Bools({true, true, true}));
  EXPECT_EQ(Equal(*a, *b)->null_count(), 0);
}

TEST(CompareTest, EmptyAndOneRow) {
  EXPECT_EQ(Less(*MakeInt64Column({}), *MakeFloat64Column({}))->length(), 0);
  EXPECT_EQ(Less(*MakeStringColumn({}), Scalar::String("a"))->type(), types::Bool());
  EXPECT_COLUMN_EQ(*Less(*MakeInt64Column({2}), Scalar::Float64(2.5)), *Bools({true}));
}

TEST(CompareTest, AllOperatorsOnIntegers) {
  auto a = MakeInt64Column({1, 2, 3});
  auto b = MakeInt64Column({2, 2, 2});
  EXPECT_COLUMN_EQ(*Equal(*a, *b), *Bools({false, true, false}));
  EXPECT_COLUMN_EQ(*NotEqual(*a, *b), *Bools({true, false, true}));
  EXPECT_COLUMN_EQ(*Less(*a, *b), *Bools({true, false, false}));
  EXPECT_COLUMN_EQ(*LessEqual(*a, *b), *Bools({true, true, false}));
  EXPECT_COLUMN_EQ(*Greater(*a, *b), *Bools({false, false, true}));
  EXPECT_COLUMN_EQ(*GreaterEqual(*a, *b), *Bools({false, true, true}));
}

TEST(CompareTest, MixedNumericTypesCompareExactly) {
  auto i64 = MakeInt64Column({kMax, -1, 0});
  auto u64 = MakeColumn<uint64_t>(types::UInt64(), {uint64_t(kMax) + 1, 0, 0});
  // Through float64 kMax and 2^63 would be equal.
  EXPECT_COLUMN_EQ(*Less(*i64, *u64), *Bools({true, true, false}));
  EXPECT_COLUMN_EQ(*Greater(*u64, *i64), *Bools({true, true, false}));
  EXPECT_COLUMN_EQ(*Equal(*i64, *u64), *Bools({false, false, true}));
  EXPECT_COLUMN_EQ(*Less(*i64, Scalar::UInt64(uint64_t(kMax) + 1)), *Bools({true, true, true}));
  auto i8 = MakeColumn<int8_t>(types::Int8(), {-128, 0, 127});
  EXPECT_COLUMN_EQ(*Less(*i8, Scalar::Int64(300)), *Bools({true, true, true}));
  EXPECT_COLUMN_EQ(*Greater(*i8, Scalar::Int64(-300)), *Bools({true, true, true}));
  EXPECT_COLUMN_EQ(*Equal(*i8, Scalar::Int64(300)), *Bools({false, false, false}));
  EXPECT_COLUMN_EQ(*GreaterEqual(*i8, Scalar::Float64(-0.5)), *Bools({false, true, true}));
  auto f32 = MakeColumn<float>(types::Float32(), {0.5f, 1.5f});
  EXPECT_COLUMN_EQ(*Less(*f32, *MakeInt64Column({1, 1})), *Bools({true, false}));
  EXPECT_COLUMN_EQ(*Equal(*MakeBoolColumn({true, false}), Scalar::Int64(1)), *Bools({true, false}));
  EXPECT_COLUMN_EQ(*Greater(*MakeInt64Column({kMin, kMax}), Scalar::Float64(-kInf)),
                   *Bools({true, true}));
}

TEST(CompareTest, Strings) {
  auto a = MakeStringColumn({"apple", "", "Zürich", std::nullopt, "b"});
  auto b = MakeStringColumn({"apples", "", "Zurich", "x", "a"});
  EXPECT_COLUMN_EQ(*Less(*a, *b), *Bools({true, false, false, false, false}));
  EXPECT_COLUMN_EQ(*Equal(*a, *b), *Bools({false, true, false, false, false}));
  EXPECT_COLUMN_EQ(*Greater(*a, Scalar::String("Z")), *Bools({true, false, true, false, true}));
  EXPECT_COLUMN_EQ(*Equal(*a, Scalar::String("")), *Bools({false, true, false, false, false}));
  // Unrelated types: == is false, != true, < refused.
  EXPECT_COLUMN_EQ(*Equal(*a, Scalar::Int64(1)), *Bools({false, false, false, false, false}));
  EXPECT_COLUMN_EQ(*NotEqual(*a, *MakeInt64Column({1, 2, 3, 4, 5})),
                   *Bools({true, true, true, true, true}));
  EXPECT_THROW(Less(*a, Scalar::Int64(1)), TypeError);
}

TEST(CompareTest, Timestamps) {
  auto ts = MakeTimestampColumn({"2015-01-01", "2015-06-30 12:00:00", std::nullopt});
  EXPECT_COLUMN_EQ(*Greater(*ts, Scalar::String("2015-03-01")), *Bools({false, true, false}));
  EXPECT_COLUMN_EQ(*Equal(*ts, Scalar::String("2015-01-01 00:00:00")), *Bools({true, false, false}));
  auto other = MakeTimestampColumn({"2014-12-31", "2015-06-30 12:00:00", "2015-01-01"});
  EXPECT_COLUMN_EQ(*GreaterEqual(*ts, *other), *Bools({true, true, false}));
  EXPECT_THROW(Greater(*ts, Scalar::String("yesterday")), InvalidArgument);
  EXPECT_THROW(Less(*ts, *MakeInt64Column({1, 2, 3})), TypeError);
}

TEST(CompareTest, CategoricalAgainstStrings) {
  auto cat = MakeCategoricalColumn({"b", "a", std::nullopt, "c", "a"});
  EXPECT_COLUMN_EQ(*Equal(*cat, Scalar::String("a")), *Bools({false, true, false, false, true}));
  EXPECT_COLUMN_EQ(*NotEqual(*cat, Scalar::String("a")), *Bools({true, false, true, true, false}));
  EXPECT_COLUMN_EQ(*Equal(*cat, Scalar::String("zzz")), *Bools({false, false, false, false, false}));
  auto strings = MakeStringColumn({"b", "b", "c", "c", "a"});
  EXPECT_COLUMN_EQ(*Equal(*cat, *strings), *Bools({true, false, false, true, true}));
  EXPECT_THROW(Less(*cat, Scalar::String("b")), TypeError);
}

TEST(CompareTest, SlicedInputs) {
  auto a = SlicedColumnOf<int16_t>(types::Int16(), {5, std::nullopt, -3, 8, 9, 10, 11, 12, 13});
  auto b = SlicedColumnOf<int32_t>(types::Int32(), {5, 2, std::nullopt, 9, 9, 10, 0, 12, 14});
  EXPECT_COLUMN_EQ(*Equal(*a, *b), *Bools({true, false, false, false, true, true, false, true, false}));
  EXPECT_COLUMN_EQ(*Greater(*a, Scalar::Int64(9)),
                   *Bools({false, false, false, false, false, true, true, true, true}));
  auto s = SlicedStringsOf({"x", std::nullopt, "pad"});
  EXPECT_COLUMN_EQ(*Equal(*s, Scalar::String("pad")), *Bools({false, false, true}));
}

TEST(CompareTest, Between) {
  auto x = MakeFloat64Column({0.0, 1.0, 2.0, 3.0, kNaN, std::nullopt});
  const Scalar low = Scalar::Int64(1), high = Scalar::Int64(3);
  EXPECT_COLUMN_EQ(*Between(*x, low, high), *Bools({false, true, true, true, false, false}));
  EXPECT_COLUMN_EQ(*Between(*x, low, high, "neither"), *Bools({false, false, true, false, false, false}));
  EXPECT_COLUMN_EQ(*Between(*x, low, high, "left"), *Bools({false, true, true, false, false, false}));
  EXPECT_COLUMN_EQ(*Between(*x, low, high, "right"), *Bools({false, false, true, true, false, false}));
  EXPECT_THROW(Between(*x, low, high, "all"), InvalidArgument);
  auto ts = MakeTimestampColumn({"2015-01-01", "2015-02-01"});
  EXPECT_COLUMN_EQ(*Between(*ts, Scalar::String("2015-01-15"), Scalar::String("2015-12-31")),
                   *Bools({false, true}));
}

TEST(CompareTest, IsIn) {
  auto ints = MakeInt64Column({1, 2, 3, std::nullopt, kMin});
  EXPECT_COLUMN_EQ(*IsIn(*ints, {Scalar::Int64(2), Scalar::Float64(3.0), Scalar::Float64(1.5),
                                 Scalar::String("1")}),
                   *Bools({false, true, true, false, false}));
  EXPECT_COLUMN_EQ(*IsIn(*ints, {Scalar::Null(types::Int64()), Scalar::Int64(kMin)}),
                   *Bools({false, false, false, true, true}));
  EXPECT_COLUMN_EQ(*IsIn(*ints, {}), *Bools({false, false, false, false, false}));
  auto floats = MakeFloat64Column({1.5, kNaN, std::nullopt, -0.0});
  EXPECT_COLUMN_EQ(*IsIn(*floats, {Scalar::Float64(kNaN), Scalar::Int64(0)}),
                   *Bools({false, true, true, true}));
  auto strings = MakeStringColumn({"a", "日本", "", std::nullopt});
  EXPECT_COLUMN_EQ(*IsIn(*strings, {Scalar::String("日本"), Scalar::String("")}),
                   *Bools({false, true, true, false}));
  auto cat = MakeCategoricalColumn({"x", "y", std::nullopt});
  EXPECT_COLUMN_EQ(*IsIn(*cat, {Scalar::String("y"), Scalar::Null(types::String())}),
                   *Bools({false, true, true}));
  auto ts = MakeTimestampColumn({"2015-01-01", "2015-01-02"});
  EXPECT_COLUMN_EQ(*IsIn(*ts, {Scalar::String("2015-01-02")}), *Bools({false, true}));
  // Many values take the sorted path.
  std::vector<Scalar> many;
  for (int64_t v = 100; v < 200; ++v) many.push_back(Scalar::Int64(v));
  many.push_back(Scalar::Int64(3));
  EXPECT_COLUMN_EQ(*IsIn(*ints, many), *Bools({false, false, true, false, false}));
}

TEST(CompareTest, RandomisedAgainstReference) {
  std::mt19937_64 rng(42);
  for (int64_t length : {1, 63, 64, 200, 1001}) {
    auto a_values = testing::RandomValues<int32_t>(rng, length, -20, 20, 0.15);
    auto b_values = testing::RandomValues<double>(rng, length, -20.0, 20.0, 0.15);
    for (auto& v : b_values) {
      if (v) v = std::round(*v * 2) / 2;  // halves, so equality happens
    }
    auto a = SlicedColumnOf<int32_t>(types::Int32(), a_values);
    auto b = SlicedColumnOf<double>(types::Float64(), b_values);
    for (CompareOp op : {CompareOp::kEqual, CompareOp::kNotEqual, CompareOp::kLess,
                         CompareOp::kLessEqual, CompareOp::kGreater, CompareOp::kGreaterEqual}) {
      std::vector<std::optional<bool>> expected, expected_scalar;
      for (int64_t i = 0; i < length; ++i) {
        const auto& x = a_values[size_t(i)];
        const auto& y = b_values[size_t(i)];
        auto apply = [&](double l, double r) {
          switch (op) {
            case CompareOp::kEqual: return l == r;
            case CompareOp::kNotEqual: return l != r;
            case CompareOp::kLess: return l < r;
            case CompareOp::kLessEqual: return l <= r;
            case CompareOp::kGreater: return l > r;
            case CompareOp::kGreaterEqual: return l >= r;
          }
          return false;
        };
        expected.push_back(x && y ? apply(*x, *y) : op == CompareOp::kNotEqual);
        expected_scalar.push_back(x ? apply(*x, 3.0) : op == CompareOp::kNotEqual);
      }
      EXPECT_COLUMN_EQ(*Compare(op, *a, *b), *Bools(expected)) << CompareOpSymbol(op);
      EXPECT_COLUMN_EQ(*Compare(op, *a, Scalar::Int64(3)), *Bools(expected_scalar));
    }
  }
}

TEST(CompareTest, RandomisedBetweenAndIsIn) {
  std::mt19937_64 rng(8);
  for (int64_t length : {1, 70, 600}) {
    auto values = testing::RandomValues<int64_t>(rng, length, -30, 30, 0.1);
    auto column = SlicedColumnOf<int64_t>(types::Int64(), values);
    std::vector<Scalar> members;
    std::vector<int64_t> member_values;
    for (int64_t v = -30; v <= 30; v += 3 + int64_t(rng() % 4)) {
      members.push_back(Scalar::Int64(v));
      member_values.push_back(v);
    }
    std::vector<std::optional<bool>> between, isin;
    for (const auto& v : values) {
      between.push_back(v && *v > -5 && *v <= 12);
      isin.push_back(v && std::find(member_values.begin(), member_values.end(), *v) != member_values.end());
    }
    EXPECT_COLUMN_EQ(*Between(*column, Scalar::Int64(-5), Scalar::Float64(12.0), "right"), *Bools(between));
    EXPECT_COLUMN_EQ(*IsIn(*column, members), *Bools(isin));
  }
}

TEST(CompareTest, ScalarOnTheLeftMirrorsTheOperator) {
  auto values = MakeInt64Column({1, 5, 9, std::nullopt});
  for (auto op : {CompareOp::kLess, CompareOp::kLessEqual, CompareOp::kGreater, CompareOp::kGreaterEqual,
                  CompareOp::kEqual, CompareOp::kNotEqual}) {
    const ColumnPtr left = Compare(op, Scalar::Int64(5), *values);
    for (int64_t i = 0; i < 3; ++i) {
      const int64_t v = values->values<int64_t>()[i];
      const bool expected = op == CompareOp::kLess ? 5 < v : op == CompareOp::kLessEqual ? 5 <= v
                          : op == CompareOp::kGreater ? 5 > v : op == CompareOp::kGreaterEqual ? 5 >= v
                          : op == CompareOp::kEqual ? 5 == v : 5 != v;
      EXPECT_EQ(left->values<uint8_t>()[i] != 0, expected) << CompareOpSymbol(op) << " " << v;
    }
    EXPECT_EQ(left->values<uint8_t>()[3] != 0, op == CompareOp::kNotEqual);  // null compares false
  }
}

TEST(CompareScalarsTest, OrdersNumbersTextAndTimesAndRefusesMixes) {
  EXPECT_EQ(CompareScalars(Scalar::Int64(3), Scalar::Int64(4)), -1);
  EXPECT_EQ(CompareScalars(Scalar::Int64(4), Scalar::Float64(4.0)), 0);
  EXPECT_EQ(CompareScalars(Scalar::Float64(4.5), Scalar::Int64(4)), 1);
  EXPECT_EQ(CompareScalars(Scalar::Int64(INT64_MAX), Scalar::Int64(INT64_MAX - 1)), 1);  // exact
  EXPECT_EQ(CompareScalars(Scalar::String("b"), Scalar::String("ab")), 1);
  EXPECT_EQ(CompareScalars(Scalar::Timestamp(10), Scalar::Timestamp(10)), 0);
  EXPECT_EQ(CompareScalars(Scalar::String("1"), Scalar::Int64(1)), std::nullopt);
  EXPECT_EQ(CompareScalars(Scalar::Timestamp(1), Scalar::Int64(1)), std::nullopt);
  EXPECT_EQ(CompareScalars(Scalar::Null(types::Int64()), Scalar::Int64(1)), std::nullopt);
}

}  // namespace
}  // namespace tessera::compute
