// Tests of SortIndices / SortTable: every key type, both directions, null placement, stability,
// extremes, slices, multi-key ordering, and randomised comparison with std::stable_sort.
#include "tessera/compute/sort.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "tessera/table/column_builder.hpp"

namespace tessera::compute {
namespace {

std::vector<int64_t> Permutation(const ColumnPtr& indices) {
  EXPECT_EQ(indices->type(), types::Int64());
  EXPECT_FALSE(indices->has_nulls());
  const int64_t* v = indices->values<int64_t>();
  return std::vector<int64_t>(v, v + indices->length());
}

// Reference: std::stable_sort of row positions with nulls (nullopt) set apart.
template <typename T>
std::vector<int64_t> ReferenceSort(const std::vector<std::optional<T>>& values, bool ascending,
                                   NullPlacement nulls) {
  std::vector<int64_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    const auto& x = values[size_t(a)];
    const auto& y = values[size_t(b)];
    if (!x || !y) {
      if (!x && !y) return false;
      return nulls == NullPlacement::kFirst ? !x : !y;
    }
    return ascending ? *x < *y : *y < *x;
  });
  return order;
}

std::vector<std::optional<double>> WithoutNaN(const std::vector<std::optional<double>>& values) {
  std::vector<std::optional<double>> out;
  for (const auto& v : values) out.push_back(v && std::isnan(*v) ? std::nullopt : v);
  return out;
}

TEST(SortTest, Int64BothDirectionsWithNulls) {
  const int64_t lo = std::numeric_limits<int64_t>::min();
  const int64_t hi = std::numeric_limits<int64_t>::max();
  std::vector<std::optional<int64_t>> values = {3, std::nullopt, lo, hi, -1, 0, 3, std::nullopt};
  auto column = MakeInt64Column(values);
  EXPECT_EQ(Permutation(SortIndices(*column)), (std::vector<int64_t>{2, 4, 5, 0, 6, 3, 1, 7}));
  EXPECT_EQ(Permutation(SortIndices(*column, false)),
            (std::vector<int64_t>{3, 0, 6, 5, 4, 2, 1, 7}));
  EXPECT_EQ(Permutation(SortIndices(*column, true, NullPlacement::kFirst)),
            (std::vector<int64_t>{1, 7, 2, 4, 5, 0, 6, 3}));
  EXPECT_EQ(Permutation(SortIndices(*column, false, NullPlacement::kFirst)),
            ReferenceSort(values, false, NullPlacement::kFirst));
}

TEST(SortTest, EmptyAndOneRow) {
  EXPECT_TRUE(Permutation(SortIndices(*MakeInt64Column({}))).empty());
  EXPECT_TRUE(Permutation(SortIndices(*MakeStringColumn({}))).empty());
  EXPECT_EQ(Permutation(SortIndices(*MakeFloat64Column({std::nullopt}))), std::vector<int64_t>{0});
  EXPECT_EQ(Permutation(SortIndices(*MakeStringColumn({"x"}), false)), std::vector<int64_t>{0});
}

TEST(SortTest, FloatsNaNInfAndSignedZero) {
  const double nan = std::nan("");
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::optional<double>> values = {1.5,  nan, -inf,  0.0, std::nullopt,
                                               -0.0, inf, -2.25, 0.0, nan};
  auto column = MakeFloat64Column(values);
  // -0.0 and 0.0 tie, so rows 3, 5, 8 keep their order; NaN and null go last in input order.
  EXPECT_EQ(Permutation(SortIndices(*column)),
            (std::vector<int64_t>{2, 7, 3, 5, 8, 0, 6, 1, 4, 9}));
  EXPECT_EQ(Permutation(SortIndices(*column, false)),
            (std::vector<int64_t>{6, 0, 3, 5, 8, 7, 2, 1, 4, 9}));
  EXPECT_EQ(Permutation(SortIndices(*column, false, NullPlacement::kFirst)),
            ReferenceSort(WithoutNaN(values), false, NullPlacement::kFirst));
  auto float32 = MakeColumn<float>(types::Float32(), {2.0f, -1.0f, std::nanf(""), -0.0f, 0.0f});
  EXPECT_EQ(Permutation(SortIndices(*float32)), (std::vector<int64_t>{1, 3, 4, 0, 2}));
}

TEST(SortTest, StringsByCodePoint) {
  std::vector<std::optional<std::string>> values = {"b", "",   "ä",    std::nullopt, "a",
                                                    "B", "aa", "日本", "a"};
  auto column = MakeStringColumn(values);
  EXPECT_EQ(Permutation(SortIndices(*column)), (std::vector<int64_t>{1, 5, 4, 8, 6, 0, 2, 7, 3}));
  EXPECT_EQ(Permutation(SortIndices(*column, false)),
            ReferenceSort(values, false, NullPlacement::kLast));
  EXPECT_EQ(Permutation(SortIndices(*column, true, NullPlacement::kFirst)),
            ReferenceSort(values, true, NullPlacement::kFirst));
}

TEST(SortTest, CategoricalsSortByCategoryOrder) {
  auto column = MakeCategoricalColumn({"pear", std::nullopt, "apple", "fig", "apple"});
  EXPECT_EQ(Permutation(SortIndices(*column)), (std::vector<int64_t>{2, 4, 3, 0, 1}));
  // A dictionary that is not alphabetical: order follows the codes.
  StringBuilder dictionary;
  dictionary.Append("zebra");
  dictionary.Append("ant");
  auto codes = MakeColumn<int32_t>(types::Int32(), {1, 0, 1, 0});
  auto unsorted = Column::Make(types::Categorical(), 4, codes->values_buffer(), nullptr, 0, nullptr,
                               dictionary.Finish());
  EXPECT_EQ(Permutation(SortIndices(*unsorted)), (std::vector<int64_t>{1, 3, 0, 2}));
}

TEST(SortTest, OtherFixedWidthTypes) {
  auto bools = MakeBoolColumn({true, false, std::nullopt, false, true});
  EXPECT_EQ(Permutation(SortIndices(*bools)), (std::vector<int64_t>{1, 3, 0, 4, 2}));
  auto int8 = MakeColumn<int8_t>(types::Int8(), {int8_t{-128}, int8_t{127}, int8_t{0}, int8_t{-1}});
  EXPECT_EQ(Permutation(SortIndices(*int8)), (std::vector<int64_t>{0, 3, 2, 1}));
  auto uint64 = MakeColumn<uint64_t>(types::UInt64(), {~uint64_t{0}, 0, uint64_t{1} << 63, 5});
  EXPECT_EQ(Permutation(SortIndices(*uint64)), (std::vector<int64_t>{1, 3, 2, 0}));
  auto dates = MakeColumn<int32_t>(types::Date(), {-5, 20000, 0});
  EXPECT_EQ(Permutation(SortIndices(*dates, false)), (std::vector<int64_t>{1, 2, 0}));
  auto times = MakeTimestampColumn(
      {"2015-03-01 00:00:00", "1969-07-20 20:17:00", std::nullopt, "2015-01-01 00:00:00"});
  EXPECT_EQ(Permutation(SortIndices(*times)), (std::vector<int64_t>{1, 3, 0, 2}));
}

TEST(SortTest, SlicedColumn) {
  auto column = MakeInt64Column({100, 5, std::nullopt, 3, 4, -100})->Slice(1, 4);  // 5 null 3 4
  EXPECT_EQ(Permutation(SortIndices(*column)), (std::vector<int64_t>{2, 3, 0, 1}));
  auto strings = MakeStringColumn({"z", "c", "a", "b", "zz"})->Slice(1, 3);
  EXPECT_EQ(Permutation(SortIndices(*strings)), (std::vector<int64_t>{1, 2, 0}));
}

TEST(SortTest, LargeRandomInt64MatchesStableSort) {
  std::mt19937_64 rng(1);
  for (const uint64_t range : {uint64_t{0}, uint64_t{7}, uint64_t{1} << 20, uint64_t{1} << 40}) {
    std::vector<std::optional<int64_t>> values;
    for (int i = 0; i < 20000; ++i) {
      const int64_t v = range == 0 ? int64_t(rng()) : int64_t(rng() % range) - int64_t(range / 2);
      values.push_back(rng() % 50 == 0 ? std::nullopt : std::optional<int64_t>(v));
    }
    auto column = MakeInt64Column(values);
    for (const bool ascending : {true, false}) {
      for (const auto nulls : {NullPlacement::kLast, NullPlacement::kFirst}) {
        EXPECT_EQ(Permutation(SortIndices(*column, ascending, nulls)),
                  ReferenceSort(values, ascending, nulls))
            << "range " << range << " ascending " << ascending;
      }
    }
    // Timestamps take the same path.
    auto times = Column::Make(types::Timestamp(), column->length(), column->values_buffer(),
                              column->validity_buffer());
    EXPECT_EQ(Permutation(SortIndices(*times)), ReferenceSort(values, true, NullPlacement::kLast));
  }
}

TEST(SortTest, PartitionSizedInputsMatchStableSort) {
  // Above 64K rows the radix sort splits the top bits first; cover identity and permuted
  // orders, nulls, skew (one huge bucket) and both key widths.
  std::mt19937_64 rng(4);
  const int n = 300000;
  for (int shape = 0; shape < 4; ++shape) {
    std::vector<std::optional<int64_t>> values;
    for (int i = 0; i < n; ++i) {
      int64_t v = int64_t(rng());
      if (shape == 1) v = int64_t(rng() % (uint64_t{1} << 30));
      if (shape == 2 && rng() % 10 != 0) v = 42;        // skewed
      if (shape == 3) v = int64_t(rng() % 1000) << 40;  // few distinct, wide range
      values.push_back(shape == 1 && rng() % 100 == 0 ? std::nullopt : std::optional<int64_t>(v));
    }
    auto column = MakeInt64Column(values);
    EXPECT_EQ(Permutation(SortIndices(*column)), ReferenceSort(values, true, NullPlacement::kLast))
        << "shape " << shape;
    EXPECT_EQ(Permutation(SortIndices(*column, false)),
              ReferenceSort(values, false, NullPlacement::kLast))
        << "shape " << shape;
  }
  // Two keys: the second pass sorts an already permuted order.
  std::vector<std::optional<int64_t>> a, b;
  for (int i = 0; i < n; ++i) {
    a.push_back(int64_t(rng() % 3));
    b.push_back(int64_t(rng()));
  }
  std::vector<int64_t> expected(n);
  std::iota(expected.begin(), expected.end(), 0);
  std::stable_sort(expected.begin(), expected.end(), [&](int64_t i, int64_t j) {
    return std::tie(*a[size_t(i)], *b[size_t(i)]) < std::tie(*a[size_t(j)], *b[size_t(j)]);
  });
  EXPECT_EQ(Permutation(SortIndices({MakeInt64Column(a), MakeInt64Column(b)}, {})), expected);
}

TEST(SortTest, LargeRandomFloatsMatchStableSort) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> uniform(-1e6, 1e6);
  std::vector<std::optional<double>> values;
  const double specials[] = {std::nan(""),
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(),
                             0.0,
                             -0.0,
                             std::numeric_limits<double>::denorm_min(),
                             -std::numeric_limits<double>::max()};
  for (int i = 0; i < 5000; ++i) {
    const uint64_t pick = rng() % 20;
    if (pick == 0) {
      values.push_back(std::nullopt);
    } else if (pick < 4) {
      values.push_back(specials[rng() % 7]);
    } else if (pick < 8) {
      values.push_back(double(int(uniform(rng)) % 10));  // many ties
    } else {
      values.push_back(uniform(rng));
    }
  }
  auto column = MakeFloat64Column(values);
  const auto reference_values = WithoutNaN(values);
  for (const bool ascending : {true, false}) {
    EXPECT_EQ(Permutation(SortIndices(*column, ascending)),
              ReferenceSort(reference_values, ascending, NullPlacement::kLast));
  }
}

TEST(SortTest, MultiKeyMatchesLexicographicComparator) {
  std::mt19937_64 rng(3);
  const int n = 3000;
  std::vector<std::optional<int64_t>> a;
  std::vector<std::optional<std::string>> b;
  std::vector<std::optional<double>> c;
  for (int i = 0; i < n; ++i) {
    a.push_back(rng() % 10 == 0 ? std::nullopt : std::optional<int64_t>(int64_t(rng() % 5)));
    b.push_back(rng() % 10 == 0
                    ? std::nullopt
                    : std::optional<std::string>(std::string(1, char('a' + rng() % 4))));
    c.push_back(rng() % 10 == 0 ? std::nullopt : std::optional<double>(double(rng() % 3)));
  }
  auto table =
      Table::Make({"a", "b", "c"}, {MakeInt64Column(a), MakeStringColumn(b), MakeFloat64Column(c)});
  for (const bool a_ascending : {true, false}) {
    for (const bool b_ascending : {true, false}) {
      std::vector<int64_t> expected(n);
      std::iota(expected.begin(), expected.end(), 0);
      auto compare = [](const auto& x, const auto& y, bool ascending) {
        // -1: x first, 1: y first, 0: tie (nulls last per key).
        if (!x || !y) return !x && !y ? 0 : (!x ? 1 : -1);
        if (*x == *y) return 0;
        return (*x < *y) == ascending ? -1 : 1;
      };
      std::stable_sort(expected.begin(), expected.end(), [&](int64_t i, int64_t j) {
        int r = compare(a[size_t(i)], a[size_t(j)], a_ascending);
        if (r == 0) r = compare(b[size_t(i)], b[size_t(j)], b_ascending);
        if (r == 0) r = compare(c[size_t(i)], c[size_t(j)], true);
        return r < 0;
      });
      auto indices = SortIndices(*table, {{"a", a_ascending}, {"b", b_ascending}, {"c", true}});
      EXPECT_EQ(Permutation(indices), expected);
    }
  }
}

TEST(SortTest, SortTableReordersColumnsAndIndex) {
  auto table =
      Table::Make({"k", "v"}, {MakeStringColumn({"b", "a", "c"}), MakeFloat64Column({1, 2, 3})},
                  MakeInt64Column({10, 20, 30}), "id");
  auto sorted = SortTable(*table, {{"k", false}});
  EXPECT_EQ(sorted->index_name(), "id");
  EXPECT_EQ(sorted->index()->values<int64_t>()[0], 30);
  EXPECT_EQ(sorted->column("k")->GetString(1), "b");
  EXPECT_EQ(sorted->column("v")->values<double>()[2], 2.0);
  EXPECT_THROW(SortTable(*table, {{"zz", true}}), KeyError);
  EXPECT_THROW(SortIndices(*table, std::vector<SortKey>{}), InvalidArgument);
  EXPECT_THROW(SortIndices({MakeInt64Column({1}), MakeInt64Column({1, 2})}, {}), InvalidArgument);
  EXPECT_THROW(SortIndices({MakeInt64Column({1})}, {true, false}), InvalidArgument);
}

}  // namespace
}  // namespace tessera::compute
