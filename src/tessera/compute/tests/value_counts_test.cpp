// Tests of ValueCounts and Unique: ordering (count, ties by first appearance), normalisation,
// nulls, types, slices, and a randomised std::map reference.
#include "tessera/compute/value_counts.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tessera/compute/tests/column_values.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {
namespace {

using testing::OptInts;
using testing::OptStrings;
using testing::Ints;
using testing::Strings;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(ValueCountsTest, SortedByCountTiesByFirstAppearance) {
  auto column =
      MakeStringColumn({"b", "a", "c", "a", std::nullopt, "c", "d", "a", std::nullopt, "日本"});
  auto result = ValueCounts(*column, "fruit");
  EXPECT_EQ(result->column_names(), (std::vector<std::string>{"fruit", "count"}));
  EXPECT_EQ(Strings(*result->column("fruit")), (OptStrings{"a", "c", "b", "d", "日本"}));
  EXPECT_EQ(Ints(*result->column("count")), (OptInts{3, 2, 1, 1, 1}));

  ValueCountsOptions options;
  options.ascending = true;
  EXPECT_EQ(Strings(*ValueCounts(*column, "fruit", options)->column("fruit")),
            (OptStrings{"b", "d", "日本", "c", "a"}));
  options = {};
  options.dropna = false;
  auto with_nulls = ValueCounts(*column, "fruit", options);
  EXPECT_EQ(Strings(*with_nulls->column("fruit")),
            (OptStrings{"a", "c", std::nullopt, "b", "d", "日本"}));
  EXPECT_EQ(Ints(*with_nulls->column("count")), (OptInts{3, 2, 2, 1, 1, 1}));
  options = {};
  options.sort = false;
  EXPECT_EQ(Strings(*ValueCounts(*column, "fruit", options)->column("fruit")),
            (OptStrings{"b", "a", "c", "d", "日本"}));
}

TEST(ValueCountsTest, Normalize) {
  auto column = MakeFloat64Column({1.0, kNaN, 2.0, 1.0, std::nullopt, -0.0, 0.0});
  ValueCountsOptions options;
  options.normalize = true;
  auto result = ValueCounts(*column, "x", options);
  EXPECT_EQ(result->column_names(), (std::vector<std::string>{"x", "proportion"}));
  const double* proportions = result->column("proportion")->values<double>();
  const double* values = result->column("x")->values<double>();
  ASSERT_EQ(result->num_rows(), 3);
  EXPECT_EQ(values[0], 1.0);
  EXPECT_EQ(values[1], 0.0);  // -0.0 and 0.0 are one value (first seen: -0.0)
  EXPECT_EQ(values[2], 2.0);
  EXPECT_DOUBLE_EQ(proportions[0], 0.4);
  EXPECT_DOUBLE_EQ(proportions[1], 0.4);
  EXPECT_DOUBLE_EQ(proportions[2], 0.2);
  options.dropna = false;
  auto with_nulls = ValueCounts(*column, "x", options);
  ASSERT_EQ(with_nulls->num_rows(), 4);
  EXPECT_DOUBLE_EQ(with_nulls->column("proportion")->values<double>()[0], 2.0 / 7.0);
  EXPECT_TRUE(with_nulls->column("x")->IsNull(1) ||
              std::isnan(with_nulls->column("x")->values<double>()[1]));
}

TEST(ValueCountsTest, EmptyOneRowCategoricalAndSliced) {
  auto empty = ValueCounts(*MakeInt64Column({}), "v");
  EXPECT_EQ(empty->num_rows(), 0);
  EXPECT_EQ(empty->column("v")->type(), types::Int64());
  EXPECT_EQ(empty->column("count")->type(), types::Int64());
  auto all_null = ValueCounts(*MakeInt64Column({std::nullopt}), "v");
  EXPECT_EQ(all_null->num_rows(), 0);
  auto one = ValueCounts(*MakeInt64Column({std::numeric_limits<int64_t>::min()}), "v");
  EXPECT_EQ(Ints(*one->column("v")), (OptInts{std::numeric_limits<int64_t>::min()}));
  EXPECT_EQ(Ints(*one->column("count")), (OptInts{1}));
  auto categories = ValueCounts(*MakeCategoricalColumn({"x", "y", "y", std::nullopt}), "c");
  EXPECT_EQ(categories->column("c")->type(), types::Categorical());
  EXPECT_EQ(Strings(*categories->column("c")), (OptStrings{"y", "x"}));
  auto sliced = ValueCounts(*MakeInt64Column({9, 9, 9, 1, 2, 2, 9})->Slice(3, 3), "v");
  EXPECT_EQ(Ints(*sliced->column("v")), (OptInts{2, 1}));
  EXPECT_EQ(Ints(*sliced->column("count")), (OptInts{2, 1}));
}

TEST(UniqueTest, FirstAppearanceWithNullOnce) {
  EXPECT_EQ(Ints(*Unique(*MakeInt64Column({5, std::nullopt, 3, 5, std::nullopt, -1}))),
            (OptInts{5, std::nullopt, 3, -1}));
  EXPECT_EQ(Strings(*Unique(*MakeStringColumn({"", "é", "", "e"}))), (OptStrings{"", "é", "e"}));
  EXPECT_EQ(Unique(*MakeFloat64Column({})).get()->length(), 0);
  auto floats = Unique(*MakeFloat64Column({kNaN, 1.0, std::nullopt, kNaN}));
  ASSERT_EQ(floats->length(), 2);
  EXPECT_TRUE(std::isnan(floats->values<double>()[0]));
  EXPECT_EQ(floats->values<double>()[1], 1.0);
  EXPECT_EQ(Ints(*Unique(*MakeInt64Column({4, 4, 7, 4})->Slice(1, 3))), (OptInts{4, 7}));
}

TEST(ValueCountsTest, RandomisedAgainstStdMap) {
  std::mt19937_64 rng(41);
  for (int round = 0; round < 10; ++round) {
    std::vector<std::optional<int64_t>> values;
    const int n = int(rng() % 3000);
    const uint64_t range = round % 2 == 0 ? 50 : uint64_t(1) << 60;
    for (int i = 0; i < n; ++i) {
      values.push_back(rng() % 10 == 0 ? std::nullopt
                                       : std::optional<int64_t>(int64_t(rng() % range) - 20));
    }
    std::map<int64_t, std::pair<int64_t, int>> counts;  // value -> (count, first position)
    for (int i = 0; i < n; ++i) {
      if (!values[size_t(i)]) continue;
      auto [it, inserted] = counts.emplace(*values[size_t(i)], std::pair<int64_t, int>{0, i});
      ++it->second.first;
    }
    std::vector<std::pair<int64_t, std::pair<int64_t, int>>> expected(counts.begin(), counts.end());
    std::sort(expected.begin(), expected.end(), [](const auto& x, const auto& y) {
      if (x.second.first != y.second.first) return x.second.first > y.second.first;
      return x.second.second < y.second.second;
    });
    auto result = ValueCounts(*MakeInt64Column(values), "v");
    ASSERT_EQ(result->num_rows(), int64_t(expected.size()));
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(result->column("v")->values<int64_t>()[i], expected[i].first);
      EXPECT_EQ(result->column("count")->values<int64_t>()[i], expected[i].second.first);
    }
  }
}

}  // namespace
}  // namespace tessera::compute
