// Tests of whole-column reductions and their partial states: pandas result types, skipna,
// empty/all-null input, extremes, numerical accuracy, slices and randomised references.
#include "tessera/compute/aggregate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tessera/table/column_builder.hpp"

namespace tessera::compute {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kMinInt = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

void ExpectFloat(const Scalar& scalar, double expected) {
  ASSERT_EQ(scalar.type(), types::Float64());
  ASSERT_TRUE(scalar.is_valid());
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(scalar.as_double())) << scalar.ToString();
  } else {
    EXPECT_DOUBLE_EQ(scalar.as_double(), expected);
  }
}

TEST(SumTest, ResultTypesFollowPandas) {
  EXPECT_EQ(Sum(*MakeInt64Column({1, std::nullopt, 3})), Scalar::Int64(4));
  EXPECT_EQ(Sum(*MakeColumn<int8_t>(types::Int8(), {100, 100, 100})), Scalar::Int64(300));
  EXPECT_EQ(Sum(*MakeColumn<uint64_t>(types::UInt64(), {~uint64_t{0} - 1, 1})),
            Scalar::UInt64(~uint64_t{0}));
  EXPECT_EQ(Sum(*MakeColumn<uint8_t>(types::UInt8(), {200, 200})), Scalar::UInt64(400));
  EXPECT_EQ(Sum(*MakeBoolColumn({true, false, true, std::nullopt})), Scalar::Int64(2));
  EXPECT_EQ(Sum(*MakeFloat64Column({1.5, kNaN, std::nullopt, 2.25})), Scalar::Float64(3.75));
  EXPECT_EQ(Sum(*MakeColumn<float>(types::Float32(), {0.5f, 0.25f})), Scalar::Float64(0.75));
  EXPECT_EQ(Sum(*MakeColumn<int64_t>(types::Duration(), {5, 7})), Scalar::Duration(12));
  EXPECT_THROW(Sum(*MakeTimestampColumn({"2020-01-01"})), TypeError);
  EXPECT_THROW(Sum(*MakeStringColumn({"a"})), TypeError);
  EXPECT_THROW(Sum(*MakeCategoricalColumn({"a"})), TypeError);
}

TEST(SumTest, EmptyAllNullAndOverflow) {
  EXPECT_EQ(Sum(*MakeInt64Column({})), Scalar::Int64(0));
  EXPECT_EQ(Sum(*MakeInt64Column({std::nullopt, std::nullopt})), Scalar::Int64(0));
  const Scalar empty_float = Sum(*MakeFloat64Column({}));
  EXPECT_EQ(empty_float, Scalar::Float64(0.0));
  EXPECT_FALSE(std::signbit(empty_float.as_double()));
  EXPECT_EQ(Sum(*MakeFloat64Column({kNaN, std::nullopt})), Scalar::Float64(0.0));
  // int64 wraps as NumPy does.
  EXPECT_EQ(Sum(*MakeInt64Column({kMaxInt, 1})), Scalar::Int64(kMinInt));
  EXPECT_EQ(Sum(*MakeInt64Column({kMinInt, kMaxInt})), Scalar::Int64(-1));
  EXPECT_EQ(Sum(*MakeFloat64Column({kInf, 1.0})), Scalar::Float64(kInf));
  ExpectFloat(Sum(*MakeFloat64Column({kInf, -kInf})), kNaN);
}

TEST(SumTest, PairwiseLikeNumPy) {
  // Python's sequential sum gives 0.9999999999999999; NumPy/pandas give 1.0.
  std::vector<std::optional<double>> tenths(10, 0.1);
  EXPECT_EQ(Sum(*MakeFloat64Column(tenths)).as_double(), 1.0);
  // A million values: close to the exact sum (long double reference), where a naive running
  // sum drifts by about 1e-10 relative.
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<std::optional<double>> values;
  long double exact = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    const double v = uniform(rng) * 1000.0;
    values.push_back(v);
    exact += v;
  }
  const double sum = Sum(*MakeFloat64Column(values)).as_double();
  EXPECT_NEAR(sum, double(exact), double(exact) * 1e-14);
  // PairwiseSum on raw doubles agrees with the column kernel.
  std::vector<double> raw;
  for (const auto& v : values) raw.push_back(*v);
  EXPECT_EQ(PairwiseSum(raw.data(), int64_t(raw.size())), sum);
}

TEST(CountTest, SkipsNullsAndNaN) {
  EXPECT_EQ(Count(*MakeFloat64Column({1.0, kNaN, std::nullopt, -0.0})), Scalar::Int64(2));
  EXPECT_EQ(Count(*MakeStringColumn({"", std::nullopt, "x"})), Scalar::Int64(2));
  EXPECT_EQ(Count(*MakeInt64Column({})), Scalar::Int64(0));
  EXPECT_EQ(Count(*MakeCategoricalColumn({"a", std::nullopt})), Scalar::Int64(1));
}

TEST(MeanTest, NumbersTimestampsAndEmpty) {
  ExpectFloat(Mean(*MakeInt64Column({1, 2, std::nullopt, 4})), 7.0 / 3.0);
  ExpectFloat(Mean(*MakeBoolColumn({true, false, false, true})), 0.5);
  ExpectFloat(Mean(*MakeFloat64Column({1.0, kNaN, 2.0})), 1.5);
  ExpectFloat(Mean(*MakeFloat64Column({})), kNaN);
  ExpectFloat(Mean(*MakeInt64Column({std::nullopt})), kNaN);
  ExpectFloat(Mean(*MakeInt64Column({kMaxInt, kMaxInt})), double(kMaxInt));  // no wrapping
  auto times = MakeTimestampColumn({"2020-01-01 00:00:00", "2020-01-02 00:00:00", std::nullopt});
  const Scalar mean_time = Mean(*times);
  EXPECT_EQ(mean_time.type(), types::Timestamp());
  EXPECT_EQ(mean_time.ToString(), "2020-01-01 12:00:00");
  EXPECT_TRUE(Mean(*MakeTimestampColumn({std::nullopt})).is_null());
  EXPECT_THROW(Mean(*MakeStringColumn({"a"})), TypeError);
}

TEST(MinMaxTest, KeepTypesAndSkipNaN) {
  auto ints = MakeInt64Column({3, kMinInt, std::nullopt, kMaxInt, 0});
  EXPECT_EQ(Min(*ints), Scalar::Int64(kMinInt));
  EXPECT_EQ(Max(*ints), Scalar::Int64(kMaxInt));
  auto floats = MakeFloat64Column({kNaN, 2.5, -kInf, std::nullopt, 7.0});
  EXPECT_EQ(Min(*floats), Scalar::Float64(-kInf));
  EXPECT_EQ(Max(*floats), Scalar::Float64(7.0));
  EXPECT_EQ(Max(*MakeFloat64Column({kInf, kInf})), Scalar::Float64(kInf));
  EXPECT_TRUE(Min(*MakeFloat64Column({kNaN, std::nullopt})).is_null());
  EXPECT_EQ(Min(*MakeFloat64Column({kNaN})).type(), types::Float64());
  EXPECT_TRUE(Max(*MakeInt64Column({})).is_null());
  auto strings = MakeStringColumn({"pear", "", std::nullopt, "日本", "Zebra"});
  EXPECT_EQ(Min(*strings), Scalar::String(""));
  EXPECT_EQ(Max(*strings), Scalar::String("日本"));
  EXPECT_EQ(Max(*MakeBoolColumn({false, true, std::nullopt})), Scalar::Bool(true));
  EXPECT_EQ(Min(*MakeBoolColumn({false, true})), Scalar::Bool(false));
  auto times = MakeTimestampColumn({"2015-03-01", "1969-07-20 20:17:00", std::nullopt});
  EXPECT_EQ(Min(*times).type(), types::Timestamp());
  EXPECT_EQ(Min(*times).ToString(), "1969-07-20 20:17:00");
  EXPECT_EQ(Max(*MakeColumn<int32_t>(types::Date(), {3, -1})), Scalar::OfInt(types::Date(), 3));
  EXPECT_EQ(Max(*MakeColumn<uint64_t>(types::UInt64(), {1, ~uint64_t{0}})),
            Scalar::UInt64(~uint64_t{0}));
  EXPECT_EQ(Min(*MakeColumn<uint16_t>(types::UInt16(), {65535, 7})),
            Scalar::OfInt(types::UInt16(), 7));
  EXPECT_EQ(Min(*MakeColumn<float>(types::Float32(), {1.5f, -2.5f})), Scalar::Float64(-2.5));
  EXPECT_THROW(Min(*MakeCategoricalColumn({"a"})), TypeError);
}

TEST(VarStdTest, KnownValuesAndSmallCounts) {
  auto values = MakeFloat64Column({1.0, 2.0, kNaN, 3.0, std::nullopt, 4.0});
  ExpectFloat(Var(*values), 5.0 / 3.0);
  ExpectFloat(Std(*values), std::sqrt(5.0 / 3.0));
  ExpectFloat(Var(*values, 0), 1.25);
  ExpectFloat(Var(*MakeInt64Column({7})), kNaN);
  ExpectFloat(Var(*MakeInt64Column({7}), 0), 0.0);
  ExpectFloat(Var(*MakeInt64Column({})), kNaN);
  ExpectFloat(Std(*MakeFloat64Column({kNaN, kNaN})), kNaN);
  ExpectFloat(Var(*MakeBoolColumn({true, false})), 0.5);
  // Large offset: a one-pass sum of squares would lose every digit here.
  auto shifted = MakeFloat64Column({1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16});
  ExpectFloat(Var(*shifted), 30.0);
  EXPECT_THROW(Var(*MakeStringColumn({"a"})), TypeError);
  EXPECT_THROW(Std(*MakeTimestampColumn({"2020-01-01"})), TypeError);
}

TEST(NUniqueTest, CanonicalValues) {
  auto floats = MakeFloat64Column({0.0, -0.0, kNaN, std::nullopt, 1.0, kNaN});
  EXPECT_EQ(NUnique(*floats), Scalar::Int64(2));
  EXPECT_EQ(NUnique(*floats, false), Scalar::Int64(3));
  EXPECT_EQ(NUnique(*MakeStringColumn({"a", "", "a", std::nullopt, "日本"})), Scalar::Int64(3));
  EXPECT_EQ(NUnique(*MakeCategoricalColumn({"b", "a", "b"})), Scalar::Int64(2));
  EXPECT_EQ(NUnique(*MakeInt64Column({})), Scalar::Int64(0));
  EXPECT_EQ(NUnique(*MakeInt64Column({kMinInt, kMaxInt, kMinInt})), Scalar::Int64(2));
}

TEST(AnyAllTest, SkipNullsAndNaN) {
  EXPECT_EQ(Any(*MakeBoolColumn({false, std::nullopt})), Scalar::Bool(false));
  EXPECT_EQ(All(*MakeBoolColumn({true, std::nullopt})), Scalar::Bool(true));
  EXPECT_EQ(Any(*MakeBoolColumn({})), Scalar::Bool(false));
  EXPECT_EQ(All(*MakeBoolColumn({})), Scalar::Bool(true));
  EXPECT_EQ(Any(*MakeFloat64Column({kNaN, 0.0})), Scalar::Bool(false));
  EXPECT_EQ(All(*MakeFloat64Column({kNaN, 2.0})), Scalar::Bool(true));
  EXPECT_EQ(All(*MakeInt64Column({1, 0})), Scalar::Bool(false));
  EXPECT_EQ(Any(*MakeStringColumn({"", std::nullopt, "x"})), Scalar::Bool(true));
  EXPECT_EQ(All(*MakeStringColumn({"", "x"})), Scalar::Bool(false));
  EXPECT_THROW(Any(*MakeTimestampColumn({"2020-01-01"})), TypeError);
}

TEST(ReductionTest, SlicedInputs) {
  auto ints = MakeInt64Column({1000, 1, std::nullopt, 3, 5, -1000})->Slice(1, 4);  // 1 null 3 5
  EXPECT_EQ(Sum(*ints), Scalar::Int64(9));
  EXPECT_EQ(Count(*ints), Scalar::Int64(3));
  ExpectFloat(Mean(*ints), 3.0);
  EXPECT_EQ(Min(*ints), Scalar::Int64(1));
  EXPECT_EQ(Max(*ints), Scalar::Int64(5));
  ExpectFloat(Var(*ints), 4.0);
  EXPECT_EQ(NUnique(*ints), Scalar::Int64(3));
  auto strings = MakeStringColumn({"zz", "b", "a", "c", "aa"})->Slice(1, 3);
  EXPECT_EQ(Max(*strings), Scalar::String("c"));
  EXPECT_EQ(Min(*strings), Scalar::String("a"));
  auto floats = MakeFloat64Column({kNaN, 2.0, 4.0, std::nullopt})->Slice(1, 3);
  EXPECT_EQ(Sum(*floats), Scalar::Float64(6.0));
  EXPECT_EQ(All(*MakeBoolColumn({false, true, true})->Slice(1, 2)), Scalar::Bool(true));
}

TEST(PartialStateTest, CombiningPartitionsMatchesWholeColumn) {
  std::mt19937_64 rng(17);
  std::normal_distribution<double> normal(50.0, 10.0);
  std::vector<std::optional<double>> values;
  for (int i = 0; i < 10000; ++i) {
    values.push_back(rng() % 10 == 0 ? std::nullopt : std::optional<double>(normal(rng)));
  }
  auto column = MakeFloat64Column(values);
  SumState sum = SumPartial(*column->Slice(0, 0));
  MomentsState moments;
  MinMaxState extremes = MinMaxPartial(*column->Slice(0, 0));
  EXPECT_TRUE(extremes.min.is_null());
  const int64_t cuts[] = {0, 1, 1000, 1001, 4567, 10000};
  for (int p = 0; p + 1 < 6; ++p) {
    auto part = column->Slice(cuts[p], cuts[p + 1] - cuts[p]);
    sum.Combine(SumPartial(*part));
    moments.Combine(MomentsPartial(*part));
    extremes.Combine(MinMaxPartial(*part));
  }
  const double whole_sum = Sum(*column).as_double();
  EXPECT_NEAR(sum.Sum().as_double(), whole_sum, std::abs(whole_sum) * 1e-13);
  EXPECT_EQ(sum.count, Count(*column).as_int64());
  EXPECT_NEAR(sum.Mean().as_double(), Mean(*column).as_double(), 1e-12);
  EXPECT_EQ(moments.count, sum.count);
  const double whole_var = Var(*column).as_double();
  EXPECT_NEAR(moments.Variance(), whole_var, whole_var * 1e-12);
  EXPECT_NEAR(moments.mean, Mean(*column).as_double(), 1e-12);
  EXPECT_EQ(extremes.min, Min(*column));
  EXPECT_EQ(extremes.max, Max(*column));

  // Integer partials stay exact and keep their type.
  SumState ints = SumPartial(*MakeInt64Column({kMaxInt}));
  ints.Combine(SumPartial(*MakeInt64Column({1, 2})));
  EXPECT_EQ(ints.Sum(), Scalar::Int64(kMinInt + 2));
  EXPECT_EQ(ints.count, 3);
  EXPECT_THROW(ints.Combine(SumPartial(*MakeFloat64Column({1.0}))), TypeError);
  MinMaxState words = MinMaxPartial(*MakeStringColumn({"m", "q"}));
  words.Combine(MinMaxPartial(*MakeStringColumn({std::nullopt})));
  words.Combine(MinMaxPartial(*MakeStringColumn({"a", "n"})));
  EXPECT_EQ(words.min, Scalar::String("a"));
  EXPECT_EQ(words.max, Scalar::String("q"));
}

TEST(ReductionTest, RandomisedAgainstNaiveLoops) {
  std::mt19937_64 rng(23);
  for (int round = 0; round < 30; ++round) {
    const int n = int(rng() % 500);
    std::vector<std::optional<int64_t>> ints;
    std::vector<std::optional<double>> floats;
    for (int i = 0; i < n; ++i) {
      const bool valid = rng() % 4 != 0;
      const int64_t v = int64_t(rng() % 2001) - 1000;
      ints.push_back(valid ? std::optional<int64_t>(v) : std::nullopt);
      floats.push_back(valid ? std::optional<double>(rng() % 9 == 0 ? kNaN : double(v) / 8.0)
                             : std::nullopt);
    }
    int64_t int_sum = 0, int_count = 0;
    std::optional<int64_t> int_min, int_max;
    std::set<int64_t> distinct;
    long double float_sum = 0;
    int64_t float_count = 0;
    for (int i = 0; i < n; ++i) {
      if (ints[size_t(i)]) {
        const int64_t v = *ints[size_t(i)];
        int_sum += v;
        ++int_count;
        int_min = int_min ? std::min(*int_min, v) : v;
        int_max = int_max ? std::max(*int_max, v) : v;
        distinct.insert(v);
      }
      if (floats[size_t(i)] && !std::isnan(*floats[size_t(i)])) {
        float_sum += *floats[size_t(i)];
        ++float_count;
      }
    }
    long double squares = 0;
    const long double float_mean = float_count ? float_sum / float_count : 0;
    for (const auto& v : floats) {
      if (v && !std::isnan(*v)) squares += (*v - float_mean) * (*v - float_mean);
    }
    auto int_column = MakeInt64Column(ints);
    auto float_column = MakeFloat64Column(floats);
    EXPECT_EQ(Sum(*int_column), Scalar::Int64(int_sum));
    EXPECT_EQ(Count(*int_column), Scalar::Int64(int_count));
    EXPECT_EQ(NUnique(*int_column), Scalar::Int64(int64_t(distinct.size())));
    EXPECT_EQ(Min(*int_column), int_min ? Scalar::Int64(*int_min) : Scalar::Null(types::Int64()));
    EXPECT_EQ(Max(*int_column), int_max ? Scalar::Int64(*int_max) : Scalar::Null(types::Int64()));
    // Values are multiples of 1/8 with small magnitude, so the float sum is exact.
    EXPECT_EQ(Sum(*float_column).as_double(), double(float_sum));
    EXPECT_EQ(Count(*float_column), Scalar::Int64(float_count));
    if (float_count > 1) {
      EXPECT_NEAR(Var(*float_column).as_double(), double(squares / (float_count - 1)), 1e-9);
    } else {
      EXPECT_TRUE(std::isnan(Var(*float_column).as_double()));
    }
  }
}

}  // namespace
}  // namespace tessera::compute
