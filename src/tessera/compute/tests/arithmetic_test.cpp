// Tests of the arithmetic kernels: promotion, wrapping, Python's floor/modulo signs, pandas'
// integer division by zero, temporal arithmetic, nulls, slices and randomised references.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/compute/arithmetic.hpp"
#include "tessera/compute/tests/column_expectations.hpp"
#include "tessera/compute/type_promotion.hpp"

namespace tessera::compute {
namespace {

using testing::ColumnOf;
using testing::SlicedColumnOf;
using testing::ValuesOf;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(TypePromotionTest, FollowsNumPy) {
  EXPECT_EQ(PromoteNumeric(types::Int8(), types::Int16()), types::Int16());
  EXPECT_EQ(PromoteNumeric(types::Int64(), types::UInt64()), types::Float64());
  EXPECT_EQ(PromoteNumeric(types::Int8(), types::UInt8()), types::Int16());
  EXPECT_EQ(PromoteNumeric(types::UInt32(), types::Int32()), types::Int64());
  EXPECT_EQ(PromoteNumeric(types::Int64(), types::UInt32()), types::Int64());
  EXPECT_EQ(PromoteNumeric(types::Int8(), types::Float32()), types::Float32());
  EXPECT_EQ(PromoteNumeric(types::UInt16(), types::Float32()), types::Float32());
  EXPECT_EQ(PromoteNumeric(types::Int32(), types::Float32()), types::Float64());
  EXPECT_EQ(PromoteNumeric(types::Int64(), types::Float32()), types::Float64());
  EXPECT_EQ(PromoteNumeric(types::Float32(), types::Float32()), types::Float32());
  EXPECT_EQ(PromoteNumeric(types::Int64(), types::Float64()), types::Float64());
  EXPECT_EQ(PromoteNumeric(types::Bool(), types::Bool()), types::Bool());
  EXPECT_EQ(PromoteNumeric(types::Bool(), types::Int8()), types::Int8());
  EXPECT_THROW(PromoteNumeric(types::String(), types::Int8()), TypeError);
}

TEST(TypePromotionTest, ScalarsAreWeak) {
  EXPECT_EQ(PromoteWithScalar(types::Int8(), Scalar::Int64(1)), types::Int8());
  EXPECT_EQ(PromoteWithScalar(types::Int8(), Scalar::Int64(300)), types::Int16());
  EXPECT_EQ(PromoteWithScalar(types::Int8(), Scalar::Int64(200)), types::Int16());
  EXPECT_EQ(PromoteWithScalar(types::UInt8(), Scalar::Int64(-1)), types::Int16());
  EXPECT_EQ(PromoteWithScalar(types::Int64(), Scalar::UInt64(1ull << 63)), types::Float64());
  EXPECT_EQ(PromoteWithScalar(types::Float32(), Scalar::Float64(0.5)), types::Float32());
  EXPECT_EQ(PromoteWithScalar(types::Int32(), Scalar::Float64(0.5)), types::Float64());
  EXPECT_EQ(PromoteWithScalar(types::Bool(), Scalar::Int64(1)), types::Int64());
  EXPECT_EQ(PromoteWithScalar(types::Int16(), Scalar::Bool(true)), types::Int16());
}

TEST(ArithmeticTest, AddInt64WithNulls) {
  auto a = MakeInt64Column({1, std::nullopt, 3, kMax});
  auto b = MakeInt64Column({10, 20, std::nullopt, 1});
  auto sum = Add(*a, *b);
  EXPECT_COLUMN_EQ(*sum, *MakeInt64Column({11, std::nullopt, std::nullopt, kMin}));
  EXPECT_EQ(sum->null_count(), 2);
}

TEST(ArithmeticTest, EmptyAndOneRow) {
  auto empty = Add(*MakeFloat64Column({}), *MakeInt64Column({}));
  EXPECT_EQ(empty->length(), 0);
  EXPECT_EQ(empty->type(), types::Float64());
  EXPECT_EQ(Divide(*MakeInt64Column({}), Scalar::Int64(0))->type(), types::Float64());
  EXPECT_EQ(FloorDivide(*MakeInt64Column({}), Scalar::Int64(0))->type(), types::Int64());
  EXPECT_COLUMN_EQ(*Multiply(*MakeInt64Column({-7}), *MakeInt64Column({6})),
                   *MakeInt64Column({-42}));
}

TEST(ArithmeticTest, IntegerOverflowWraps) {
  EXPECT_COLUMN_EQ(*Add(*MakeInt64Column({kMax}), Scalar::Int64(1)), *MakeInt64Column({kMin}));
  EXPECT_COLUMN_EQ(*Subtract(*MakeInt64Column({kMin}), Scalar::Int64(1)), *MakeInt64Column({kMax}));
  EXPECT_COLUMN_EQ(*Multiply(*MakeInt64Column({kMax}), Scalar::Int64(2)), *MakeInt64Column({-2}));
  auto int8 = MakeColumn<int8_t>(types::Int8(), {127, -128});
  EXPECT_COLUMN_EQ(*Add(*int8, Scalar::Int64(1)), *MakeColumn<int8_t>(types::Int8(), {-128, -127}));
  auto uint16 = MakeColumn<uint16_t>(types::UInt16(), {65535});
  EXPECT_COLUMN_EQ(*Multiply(*uint16, *uint16), *MakeColumn<uint16_t>(types::UInt16(), {1}));
  EXPECT_COLUMN_EQ(*Negate(*MakeInt64Column({kMin, 5})), *MakeInt64Column({kMin, -5}));
  EXPECT_COLUMN_EQ(*Abs(*MakeInt64Column({kMin, -5})), *MakeInt64Column({kMin, 5}));
}

TEST(ArithmeticTest, FloatsKeepNaNAndInf) {
  auto a = MakeFloat64Column({kInf, 1.5, kNaN, std::nullopt});
  auto b = MakeFloat64Column({-kInf, 2.0, 1.0, 1.0});
  auto sum = Add(*a, *b);
  EXPECT_TRUE(std::isnan(sum->values<double>()[0]));
  EXPECT_EQ(sum->values<double>()[1], 3.5);
  EXPECT_TRUE(std::isnan(sum->values<double>()[2]));
  EXPECT_TRUE(sum->IsValid(2));  // NaN that is not null stays a value
  EXPECT_TRUE(sum->IsNull(3));
  // A null float row holds NaN even when the operation would give a number (NaN ** 0 == 1).
  auto power = Power(*MakeFloat64Column({std::nullopt, 2.0}), Scalar::Float64(0.0));
  EXPECT_TRUE(power->IsNull(0));
  EXPECT_TRUE(std::isnan(power->values<double>()[0]));
  EXPECT_EQ(power->values<double>()[1], 1.0);
}

TEST(ArithmeticTest, TrueDivision) {
  auto quotient = Divide(*MakeInt64Column({1, -1, 0, 7}), *MakeInt64Column({0, 0, 0, 2}));
  ASSERT_EQ(quotient->type(), types::Float64());
  EXPECT_COLUMN_EQ(*quotient, *MakeFloat64Column({kInf, -kInf, kNaN, 3.5}));
  auto f32 = MakeColumn<float>(types::Float32(), {1.0f, 3.0f});
  auto f32_quotient = Divide(*f32, *f32);
  EXPECT_EQ(f32_quotient->type(), types::Float32());
  EXPECT_EQ(Divide(*MakeColumn<int8_t>(types::Int8(), {1}), Scalar::Int64(4))->values<double>()[0],
            0.25);
  EXPECT_EQ(Divide(Scalar::Int64(1), *MakeInt64Column({4}))->values<double>()[0], 0.25);
}

TEST(ArithmeticTest, FloorDivideAndModuloUsePythonSigns) {
  auto a = MakeInt64Column({-7, 7, -7, 7, kMin, kMin});
  auto b = MakeInt64Column({2, -2, -2, 2, -1, kMax});
  EXPECT_COLUMN_EQ(*FloorDivide(*a, *b), *MakeInt64Column({-4, -4, 3, 3, kMin, -2}));
  EXPECT_COLUMN_EQ(*Modulo(*a, *b), *MakeInt64Column({1, -1, -1, 1, 0, kMax - 1}));
  auto x = MakeFloat64Column({-7.5, 7.5, 1.0, -1.0, 0.0});
  auto y = MakeFloat64Column({2.0, -2.0, 0.0, 0.0, 0.0});
  EXPECT_COLUMN_EQ(*FloorDivide(*x, *y), *MakeFloat64Column({-4.0, -4.0, kInf, -kInf, kNaN}));
  EXPECT_COLUMN_EQ(*Modulo(*x, *y), *MakeFloat64Column({0.5, -0.5, kNaN, kNaN, kNaN}));
  // The remainder of an exact division carries the divisor's sign.
  EXPECT_TRUE(std::signbit(Modulo(*MakeFloat64Column({4.0}), Scalar::Float64(-2.0))->values<double>()[0]));
}

TEST(ArithmeticTest, IntegerDivisionByZeroBecomesFloatLikePandas) {
  auto a = MakeInt64Column({1, -1, 0, 7, std::nullopt});
  auto b = MakeInt64Column({0, 0, 0, 2, 5});
  EXPECT_COLUMN_EQ(*FloorDivide(*a, *b), *MakeFloat64Column({kInf, -kInf, kNaN, 3.0, std::nullopt}));
  EXPECT_COLUMN_EQ(*Modulo(*a, *b), *MakeFloat64Column({kNaN, kNaN, kNaN, 1.0, std::nullopt}));
  EXPECT_COLUMN_EQ(*FloorDivide(*a, Scalar::Int64(0)),
                   *MakeFloat64Column({kInf, -kInf, kNaN, kInf, std::nullopt}));
  // Exact integer results survive the fallback (no rounding through a float division).
  auto big = FloorDivide(*MakeInt64Column({kMax, 1}), *MakeInt64Column({1, 0}));
  EXPECT_EQ(big->values<double>()[0], double(kMax));
  // A zero divisor in a null row does not count.
  auto no_zero = FloorDivide(*MakeInt64Column({7, std::nullopt}), *MakeInt64Column({2, 0}));
  EXPECT_COLUMN_EQ(*no_zero, *MakeInt64Column({3, std::nullopt}));
  auto masked = FloorDivide(*MakeInt64Column({7, 1}), *MakeInt64Column({2, std::nullopt}));
  EXPECT_COLUMN_EQ(*masked, *MakeInt64Column({3, std::nullopt}));
}

TEST(ArithmeticTest, Power) {
  EXPECT_COLUMN_EQ(*Power(*MakeInt64Column({2, -3, 0, 7}), *MakeInt64Column({10, 3, 0, 1})),
                   *MakeInt64Column({1024, -27, 1, 7}));
  EXPECT_COLUMN_EQ(*Power(*MakeInt64Column({2}), Scalar::Int64(64)), *MakeInt64Column({0}));
  EXPECT_COLUMN_EQ(*Power(Scalar::Int64(3), *MakeInt64Column({2, std::nullopt})),
                   *MakeInt64Column({9, std::nullopt}));
  EXPECT_THROW(Power(*MakeInt64Column({2}), Scalar::Int64(-1)), InvalidArgument);
  EXPECT_THROW(Power(*MakeInt64Column({2, 2}), *MakeInt64Column({1, -2})), InvalidArgument);
  // A negative exponent in a null row is fine.
  EXPECT_NO_THROW(Power(*MakeInt64Column({2, std::nullopt}), *MakeInt64Column({1, -2})));
  EXPECT_COLUMN_EQ(*Power(*MakeInt64Column({2}), Scalar::Float64(-1.0)), *MakeFloat64Column({0.5}));
  EXPECT_COLUMN_EQ(*Power(*MakeFloat64Column({4.0, -8.0}), Scalar::Float64(0.5)),
                   *MakeFloat64Column({2.0, kNaN}));
}

TEST(ArithmeticTest, ScalarForms) {
  auto x = MakeInt64Column({1, 2, std::nullopt});
  EXPECT_COLUMN_EQ(*Subtract(Scalar::Int64(5), *x), *MakeInt64Column({4, 3, std::nullopt}));
  EXPECT_COLUMN_EQ(*Subtract(*x, Scalar::Int64(5)), *MakeInt64Column({-4, -3, std::nullopt}));
  EXPECT_COLUMN_EQ(*Add(*x, Scalar::Float64(0.5)), *MakeFloat64Column({1.5, 2.5, std::nullopt}));
  auto all_null = Add(*x, Scalar::Null(types::Int64()));
  EXPECT_EQ(all_null->type(), types::Int64());
  EXPECT_EQ(all_null->null_count(), 3);
  auto int8 = MakeColumn<int8_t>(types::Int8(), {100});
  auto widened = Add(*int8, Scalar::Int64(300));
  EXPECT_COLUMN_EQ(*widened, *MakeColumn<int16_t>(types::Int16(), {400}));
}

TEST(ArithmeticTest, MixedTypes) {
  auto u8 = MakeColumn<uint8_t>(types::UInt8(), {200, 0});
  auto i8 = MakeColumn<int8_t>(types::Int8(), {-100, -1});
  EXPECT_COLUMN_EQ(*Add(*u8, *i8), *MakeColumn<int16_t>(types::Int16(), {100, -1}));
  auto i32 = MakeColumn<int32_t>(types::Int32(), {3});
  EXPECT_COLUMN_EQ(*Multiply(*i32, *MakeFloat64Column({0.5})), *MakeFloat64Column({1.5}));
  auto f32 = MakeColumn<float>(types::Float32(), {0.5f, 1.0f});
  EXPECT_EQ(Add(*i32, *f32->Slice(0, 1))->type(), types::Float64());
  EXPECT_COLUMN_EQ(*Add(*i8, *f32), *MakeColumn<float>(types::Float32(), {-99.5f, 0.0f}));
  auto big = Add(*MakeInt64Column({-1}), *MakeColumn<uint64_t>(types::UInt64(), {1}));
  EXPECT_COLUMN_EQ(*big, *MakeFloat64Column({0.0}));
  auto bools = MakeBoolColumn({true, true, false});
  EXPECT_COLUMN_EQ(*Add(*bools, *bools), *MakeInt64Column({2, 2, 0}));
}

TEST(ArithmeticTest, Errors) {
  auto strings = MakeStringColumn({"a"});
  EXPECT_THROW(Add(*strings, *MakeInt64Column({1})), TypeError);
  EXPECT_THROW(Add(*MakeInt64Column({1, 2}), *MakeInt64Column({1})), InvalidArgument);
  EXPECT_THROW(Negate(*MakeBoolColumn({true})), TypeError);
  EXPECT_THROW(Add(*MakeTimestampColumn({"2015-01-01"}), *MakeInt64Column({1})), TypeError);
  try {
    Add(*MakeTimestampColumn({"2015-01-01"}), *MakeTimestampColumn({"2015-01-01"}));
    FAIL() << "timestamp + timestamp must throw";
  } catch (const TypeError& error) {
    EXPECT_NE(std::string(error.what()).find("datetime64[ns] and datetime64[ns]"), std::string::npos);
  }
}

TEST(ArithmeticTest, Temporal) {
  auto start = MakeTimestampColumn({"2015-01-01 00:00:00", "2015-03-01", std::nullopt});
  auto end = MakeTimestampColumn({"2015-01-02 01:00:00", "2015-02-28", "2015-01-01"});
  auto elapsed = Subtract(*end, *start);
  ASSERT_EQ(elapsed->type(), types::Duration());
  const int64_t hour = 3600'000'000'000;
  EXPECT_COLUMN_EQ(*elapsed, *ColumnOf<int64_t>(types::Duration(), {25 * hour, -24 * hour, std::nullopt}));
  auto moved = Add(*start, *elapsed);
  EXPECT_COLUMN_EQ(*moved, *MakeTimestampColumn({"2015-01-02 01:00:00", "2015-02-28", std::nullopt}));
  EXPECT_COLUMN_EQ(*Add(*elapsed, *start), *moved);
  EXPECT_COLUMN_EQ(*Subtract(*end, Scalar::Duration(hour)),
                   *MakeTimestampColumn({"2015-01-02 00:00:00", "2015-02-27 23:00:00", "2014-12-31 23:00:00"}));
  EXPECT_COLUMN_EQ(*Subtract(*end, Scalar::Timestamp(0))->Slice(2, 1),
                   *ColumnOf<int64_t>(types::Duration(), {16436 * 24 * hour}));
  EXPECT_COLUMN_EQ(*Multiply(*elapsed, Scalar::Int64(2)),
                   *ColumnOf<int64_t>(types::Duration(), {50 * hour, -48 * hour, std::nullopt}));
  EXPECT_COLUMN_EQ(*Divide(*elapsed, Scalar::Duration(hour)),
                   *MakeFloat64Column({25.0, -24.0, std::nullopt}));
  EXPECT_COLUMN_EQ(*FloorDivide(*elapsed, Scalar::Duration(10 * hour)),
                   *MakeInt64Column({2, -3, std::nullopt}));
  EXPECT_COLUMN_EQ(*Abs(*elapsed), *ColumnOf<int64_t>(types::Duration(), {25 * hour, 24 * hour, std::nullopt}));
  EXPECT_COLUMN_EQ(*Negate(*elapsed), *ColumnOf<int64_t>(types::Duration(), {-25 * hour, 24 * hour, std::nullopt}));
}

TEST(ArithmeticTest, SlicedInputs) {
  auto a = SlicedColumnOf<int32_t>(types::Int32(), {5, std::nullopt, -3, 8, 9, 10, 11, 12, 13});
  auto b = SlicedColumnOf<int32_t>(types::Int32(), {1, 2, std::nullopt, 4, 5, 6, 7, 8, 9});
  EXPECT_COLUMN_EQ(*Add(*a, *b), *ColumnOf<int32_t>(types::Int32(),
                                                   {6, std::nullopt, std::nullopt, 12, 14, 16, 18, 20, 22}));
  EXPECT_COLUMN_EQ(*Subtract(Scalar::Int64(1), *a),
                   *ColumnOf<int32_t>(types::Int32(), {-4, std::nullopt, 4, -7, -8, -9, -10, -11, -12}));
  auto f = SlicedColumnOf<double>(types::Float64(), {1.0, std::nullopt});
  EXPECT_COLUMN_EQ(*Negate(*f), *MakeFloat64Column({-1.0, std::nullopt}));
}

// Reference: promote to int64 / double and compute row by row.
template <typename A, typename B, typename R, typename Fn>
void CheckRandomBinary(DataType type_a, DataType type_b, DataType result_type, A low_a, A high_a,
                       B low_b, B high_b, ArithmeticOp op, Fn reference) {
  std::mt19937_64 rng(uint64_t(op) * 7919 + uint64_t(type_a.id()) * 31 + uint64_t(type_b.id()));
  for (int64_t length : {1, 7, 64, 65, 1000}) {
    auto values_a = testing::RandomValues<A>(rng, length, low_a, high_a, 0.1);
    auto values_b = testing::RandomValues<B>(rng, length, low_b, high_b, 0.1);
    std::vector<std::optional<R>> expected;
    for (int64_t i = 0; i < length; ++i) {
      if (values_a[size_t(i)] && values_b[size_t(i)]) {
        expected.push_back(reference(*values_a[size_t(i)], *values_b[size_t(i)]));
      } else {
        expected.push_back(std::nullopt);
      }
    }
    auto result = Arithmetic(op, *SlicedColumnOf<A>(type_a, values_a), *SlicedColumnOf<B>(type_b, values_b));
    ASSERT_EQ(result->type(), result_type);
    EXPECT_COLUMN_EQ(*result, *ColumnOf<R>(result_type, expected)) << "length " << length;
  }
}

TEST(ArithmeticTest, RandomisedAgainstReference) {
  CheckRandomBinary<int32_t, int16_t, int32_t>(
      types::Int32(), types::Int16(), types::Int32(), INT32_MIN, INT32_MAX, INT16_MIN, INT16_MAX,
      ArithmeticOp::kAdd, [](int32_t a, int16_t b) { return int32_t(uint32_t(a) + uint32_t(int32_t(b))); });
  CheckRandomBinary<int64_t, int64_t, int64_t>(
      types::Int64(), types::Int64(), types::Int64(), -1000, 1000, 1, 50, ArithmeticOp::kFloorDivide,
      [](int64_t a, int64_t b) { return int64_t(std::floor(double(a) / double(b))); });
  CheckRandomBinary<int64_t, int64_t, int64_t>(
      types::Int64(), types::Int64(), types::Int64(), -1000, 1000, -50, -1, ArithmeticOp::kModulo,
      [](int64_t a, int64_t b) { return a - b * int64_t(std::floor(double(a) / double(b))); });
  CheckRandomBinary<uint8_t, int8_t, int16_t>(
      types::UInt8(), types::Int8(), types::Int16(), 0, 255, -128, 127, ArithmeticOp::kMultiply,
      [](uint8_t a, int8_t b) { return int16_t(int(a) * int(b)); });
  CheckRandomBinary<double, int32_t, double>(
      types::Float64(), types::Int32(), types::Float64(), -1e6, 1e6, -5, 5, ArithmeticOp::kDivide,
      [](double a, int32_t b) { return a / double(b); });
  CheckRandomBinary<float, float, float>(
      types::Float32(), types::Float32(), types::Float32(), -100.0f, 100.0f, -100.0f, 100.0f,
      ArithmeticOp::kSubtract, [](float a, float b) { return a - b; });
  CheckRandomBinary<double, double, double>(
      types::Float64(), types::Float64(), types::Float64(), -100.0, 100.0, 0.5, 3.0,
      ArithmeticOp::kFloorDivide, [](double a, double b) { return std::floor(a / b); });
}

TEST(ArithmeticTest, RandomisedUnaryAgainstReference) {
  std::mt19937_64 rng(17);
  for (int64_t length : {1, 64, 257}) {
    auto values = testing::RandomValues<int64_t>(rng, length, kMin, kMax, 0.1);
    values[0] = kMin;
    std::vector<std::optional<int64_t>> negated, absolute;
    for (const auto& v : values) {
      negated.push_back(v ? std::optional<int64_t>(int64_t(0ull - uint64_t(*v))) : std::nullopt);
      absolute.push_back(v ? std::optional<int64_t>(*v < 0 ? int64_t(0ull - uint64_t(*v)) : *v)
                           : std::nullopt);
    }
    auto column = SlicedColumnOf<int64_t>(types::Int64(), values);
    EXPECT_COLUMN_EQ(*Negate(*column), *MakeInt64Column(negated));
    EXPECT_COLUMN_EQ(*Abs(*column), *MakeInt64Column(absolute));
  }
}

}  // namespace
}  // namespace tessera::compute
