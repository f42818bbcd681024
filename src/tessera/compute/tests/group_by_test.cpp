// Tests of GroupIds and GroupByAggregate: key types, null keys, sorting, every aggregation's
// values and types, slices, partial-aggregate combination, and a randomised std::map reference.
#include "tessera/compute/group_by.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "tessera/compute/selection.hpp"
#include "tessera/compute/tests/column_values.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {
namespace {

using testing::OptInts;
using testing::OptStrings;
using testing::Ints;
using testing::Strings;
using testing::OptDoubles;
using testing::Doubles;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TablePtr Sample() {
  return Table::Make({"k", "name", "x", "n"},
                     {MakeInt64Column({3, 1, 3, std::nullopt, 1, 2, 3}),
                      MakeStringColumn({"b", "a", "b", "z", std::nullopt, "c", "bb"}),
                      MakeFloat64Column({1.0, 2.0, kNaN, 4.0, 5.0, std::nullopt, 7.0}),
                      MakeInt64Column({10, 20, 30, 40, std::nullopt, 60, 70})});
}

TEST(GroupIdsTest, FirstAppearanceOrderAndNullKeys) {
  auto grouping = GroupIds(*Sample(), {"k"});
  EXPECT_EQ(grouping.num_groups, 3);
  EXPECT_EQ(Ints(*grouping.group_ids), (OptInts{0, 1, 0, -1, 1, 2, 0}));
  EXPECT_EQ(Ints(*grouping.keys->column("k")), (OptInts{3, 1, 2}));
  auto with_nulls = GroupIds(*Sample(), {"k"}, false);
  EXPECT_EQ(Ints(*with_nulls.group_ids), (OptInts{0, 1, 0, 2, 1, 3, 0}));
  EXPECT_EQ(Ints(*with_nulls.keys->column("k")), (OptInts{3, 1, std::nullopt, 2}));
  // Taking the keys by the ids reproduces the key column (dropped rows become null).
  EXPECT_EQ(Ints(*Take(*grouping.keys->column("k"), *grouping.group_ids)),
            (OptInts{3, 1, 3, std::nullopt, 1, 2, 3}));
}

TEST(GroupIdsTest, FloatKeysFoldSignedZeroAndNaN) {
  auto keys = MakeFloat64Column({0.0, -0.0, kNaN, 1.5, std::nullopt, kNaN, 1.5});
  auto dropped = GroupIds(*keys);
  EXPECT_EQ(Ints(*dropped.group_ids), (OptInts{0, 0, -1, 1, -1, -1, 1}));
  auto kept = GroupIds(*keys, false);
  EXPECT_EQ(Ints(*kept.group_ids), (OptInts{0, 0, 1, 2, 1, 1, 2}));
  EXPECT_EQ(kept.num_groups, 3);
}

TEST(GroupIdsTest, StringsCategoricalsBoolsAndMultipleKeys) {
  auto strings = GroupIds(*MakeStringColumn({"", "日本", "", std::nullopt, "x", "日本"}), false);
  EXPECT_EQ(Ints(*strings.group_ids), (OptInts{0, 1, 0, 2, 3, 1}));
  EXPECT_EQ(Strings(*strings.keys->column("key")), (OptStrings{"", "日本", std::nullopt, "x"}));
  auto categories = GroupIds(*MakeCategoricalColumn({"q", "p", "q", std::nullopt}));
  EXPECT_EQ(Ints(*categories.group_ids), (OptInts{0, 1, 0, -1}));
  EXPECT_EQ(categories.keys->column("key")->type(), types::Categorical());
  EXPECT_EQ(Strings(*categories.keys->column("key")), (OptStrings{"q", "p"}));
  auto bools = GroupIds(*MakeBoolColumn({true, true, false}));
  EXPECT_EQ(Ints(*bools.group_ids), (OptInts{0, 0, 1}));

  auto table = Table::Make({"a", "b"}, {MakeInt64Column({1, 1, 2, 1, std::nullopt, 2}),
                                        MakeStringColumn({"x", "y", "x", "x", "x", std::nullopt})});
  auto pairs = GroupIds(*table, {"a", "b"});
  EXPECT_EQ(Ints(*pairs.group_ids), (OptInts{0, 1, 2, 0, -1, -1}));
  EXPECT_EQ(Ints(*pairs.keys->column("a")), (OptInts{1, 1, 2}));
  EXPECT_EQ(Strings(*pairs.keys->column("b")), (OptStrings{"x", "y", "x"}));
  auto pairs_with_nulls = GroupIds(*table, {"a", "b"}, false);
  EXPECT_EQ(Ints(*pairs_with_nulls.group_ids), (OptInts{0, 1, 2, 0, 3, 4}));
}

TEST(GroupIdsTest, EmptyOneRowAndExtremeIntegers) {
  auto empty = GroupIds(*MakeInt64Column({}));
  EXPECT_EQ(empty.num_groups, 0);
  EXPECT_EQ(empty.keys->num_rows(), 0);
  auto one = GroupIds(*MakeStringColumn({"solo"}));
  EXPECT_EQ(one.num_groups, 1);
  // A range far too wide for a lookup array takes the hash table.
  const int64_t lo = std::numeric_limits<int64_t>::min();
  const int64_t hi = std::numeric_limits<int64_t>::max();
  auto extremes = GroupIds(*MakeInt64Column({lo, hi, 0, lo, hi}));
  EXPECT_EQ(Ints(*extremes.group_ids), (OptInts{0, 1, 2, 0, 1}));
  auto uints = GroupIds(*MakeColumn<uint64_t>(types::UInt64(), {~uint64_t{0}, 0, ~uint64_t{0}}));
  EXPECT_EQ(Ints(*uints.group_ids), (OptInts{0, 1, 0}));
  EXPECT_THROW(GroupIds(*Sample(), {}), InvalidArgument);
  EXPECT_THROW(GroupIds(*Sample(), {"missing"}), KeyError);
}

TEST(GroupByAggregateTest, EveryFunctionOnOneKey) {
  auto result = GroupByAggregate(*Sample(), {"k"},
                                 {{"x", "sum", "x_sum"},
                                  {"x", "mean", "x_mean"},
                                  {"x", "count", "x_count"},
                                  {"x", "size", "x_size"},
                                  {"x", "min", "x_min"},
                                  {"x", "max", "x_max"},
                                  {"x", "var", "x_var"},
                                  {"x", "std", "x_std"},
                                  {"name", "first", "name_first"},
                                  {"name", "last", "name_last"},
                                  {"name", "nunique", "name_nunique"},
                                  {"n", AggregateFunction::kSum, "n_sum"},
                                  {"", AggregateFunction::kSize}});
  // Groups sorted by key: 1 (rows 1, 4), 2 (row 5), 3 (rows 0, 2, 6); row 3 has a null key.
  EXPECT_EQ(Ints(*result->column("k")), (OptInts{1, 2, 3}));
  EXPECT_EQ(Doubles(*result->column("x_sum")), (OptDoubles{7.0, 0.0, 8.0}));
  EXPECT_EQ(Doubles(*result->column("x_mean")), (OptDoubles{3.5, std::nullopt, 4.0}));
  EXPECT_EQ(Ints(*result->column("x_count")), (OptInts{2, 0, 2}));
  EXPECT_EQ(Ints(*result->column("x_size")), (OptInts{2, 1, 3}));
  EXPECT_EQ(Doubles(*result->column("x_min")), (OptDoubles{2.0, std::nullopt, 1.0}));
  EXPECT_EQ(Doubles(*result->column("x_max")), (OptDoubles{5.0, std::nullopt, 7.0}));
  EXPECT_EQ(Doubles(*result->column("x_var")), (OptDoubles{4.5, std::nullopt, 18.0}));
  EXPECT_EQ(Doubles(*result->column("x_std")),
            (OptDoubles{std::sqrt(4.5), std::nullopt, std::sqrt(18.0)}));
  EXPECT_EQ(Strings(*result->column("name_first")), (OptStrings{"a", "c", "b"}));
  EXPECT_EQ(Strings(*result->column("name_last")), (OptStrings{"a", "c", "bb"}));
  EXPECT_EQ(Ints(*result->column("name_nunique")), (OptInts{1, 1, 2}));
  EXPECT_EQ(Ints(*result->column("n_sum")), (OptInts{20, 60, 110}));
  EXPECT_EQ(Ints(*result->column("size")), (OptInts{2, 1, 3}));
  for (const char* name : {"x_count", "x_size", "name_nunique", "n_sum", "size"}) {
    EXPECT_EQ(result->column(name)->type(), types::Int64()) << name;
  }
  EXPECT_EQ(result->column("name_first")->type(), types::String());
}

TEST(GroupByAggregateTest, UnsortedDropnaFalseAndResultTypes) {
  auto table = Table::Make(
      {"k", "flag", "small", "u", "when", "cat"},
      {MakeStringColumn({"b", "a", std::nullopt, "b"}), MakeBoolColumn({true, false, true, true}),
       MakeColumn<int8_t>(types::Int8(), {100, 1, 2, 100}),
       MakeColumn<uint32_t>(types::UInt32(), {4000000000u, 1, 2, 4000000000u}),
       MakeTimestampColumn({"2020-01-02", "2020-01-01", std::nullopt, "2020-01-05"}),
       MakeCategoricalColumn({"p", std::nullopt, "q", "r"})});
  GroupByOptions options;
  options.sort = false;
  options.dropna = false;
  auto result = GroupByAggregate(*table, {"k"},
                                 {{"flag", "sum"},
                                  {"small", "sum"},
                                  {"u", "sum"},
                                  {"when", "max", "when_max"},
                                  {"when", "first", "when_first"},
                                  {"cat", "last"},
                                  {"flag", "mean", "flag_mean"}},
                                 options);
  EXPECT_EQ(Strings(*result->column("k")), (OptStrings{"b", "a", std::nullopt}));
  EXPECT_EQ(Ints(*result->column("flag")), (OptInts{2, 0, 1}));
  EXPECT_EQ(Ints(*result->column("small")), (OptInts{200, 1, 2}));
  EXPECT_EQ(result->column("u")->type(), types::UInt64());
  EXPECT_EQ(result->column("u")->values<uint64_t>()[0], 8000000000u);
  EXPECT_EQ(result->column("when_max")->type(), types::Timestamp());
  EXPECT_EQ(FormatValue(*result->column("when_max"), 0).substr(0, 10), "2020-01-05");
  EXPECT_TRUE(result->column("when_max")->IsNull(2));
  EXPECT_EQ(FormatValue(*result->column("when_first"), 1).substr(0, 10), "2020-01-01");
  EXPECT_EQ(result->column("cat")->type(), types::Categorical());
  EXPECT_EQ(Strings(*result->column("cat")), (OptStrings{"r", std::nullopt, "q"}));
  EXPECT_EQ(Doubles(*result->column("flag_mean")), (OptDoubles{1.0, 0.0, 1.0}));

  options.sort = true;  // nulls sort last
  auto sorted = GroupByAggregate(*table, {"k"}, {{"small", "max"}}, options);
  EXPECT_EQ(Strings(*sorted->column("k")), (OptStrings{"a", "b", std::nullopt}));
  EXPECT_EQ(sorted->column("small")->type(), types::Int8());
  EXPECT_EQ(sorted->column("small")->values<int8_t>()[1], 100);
}

TEST(GroupByAggregateTest, MultipleKeysSortedLexicographically) {
  auto table = Table::Make({"a", "b", "v"}, {MakeInt64Column({2, 1, 2, 1, 2}),
                                             MakeStringColumn({"y", "z", "x", "z", "y"}),
                                             MakeFloat64Column({1, 2, 3, 4, 5})});
  auto result = GroupByAggregate(*table, {"a", "b"}, {{"v", "sum"}});
  EXPECT_EQ(Ints(*result->column("a")), (OptInts{1, 2, 2}));
  EXPECT_EQ(Strings(*result->column("b")), (OptStrings{"z", "x", "y"}));
  EXPECT_EQ(Doubles(*result->column("v")), (OptDoubles{6, 3, 6}));
}

TEST(GroupByAggregateTest, EmptySlicedAndErrors) {
  auto empty = GroupByAggregate(*Sample()->Slice(0, 0), {"k"}, {{"x", "mean"}, {"name", "min"}});
  EXPECT_EQ(empty->num_rows(), 0);
  EXPECT_EQ(empty->column_names(), (std::vector<std::string>{"k", "x", "name"}));
  EXPECT_EQ(empty->column("x")->type(), types::Float64());
  // Rows 2..6 of the sample: keys 3, null, 1, 2, 3.
  auto sliced = GroupByAggregate(*Sample()->Slice(2, 5), {"k"}, {{"n", "sum"}, {"name", "max"}});
  EXPECT_EQ(Ints(*sliced->column("k")), (OptInts{1, 2, 3}));
  EXPECT_EQ(Ints(*sliced->column("n")), (OptInts{0, 60, 100}));
  EXPECT_EQ(Strings(*sliced->column("name")), (OptStrings{std::nullopt, "c", "bb"}));
  EXPECT_THROW(GroupByAggregate(*Sample(), {"k"}, {{"name", "sum"}}), TypeError);
  EXPECT_THROW(GroupByAggregate(*Sample(), {"k"}, {{"x", "median"}}), InvalidArgument);
  EXPECT_THROW(GroupByAggregate(*Sample(), {"k"}, {{"x", "sum"}, {"x", "mean"}}), InvalidArgument);
  EXPECT_THROW(GroupByAggregate(*Sample(), {"k"}, {{"nope", "sum"}}), KeyError);
  EXPECT_THROW(GroupByAggregate(*Table::Make({"c"}, {MakeCategoricalColumn({"a"})}), {"c"},
                                {{"c", "min", "m"}}),
               TypeError);
  EXPECT_EQ(ParseAggregateFunction("nunique"), AggregateFunction::kNUnique);
  EXPECT_STREQ(AggregateFunctionName(AggregateFunction::kStd), "std");
}

TEST(GroupByAggregateTest, FloatSumsAreCompensatedAndKeepInfinity) {
  auto table = Table::Make(
      {"k", "v"},
      {MakeInt64Column({1, 1, 1, 2, 2}),
       MakeFloat64Column({1e16, 1.0, 1.0, std::numeric_limits<double>::infinity(), 1.0})});
  auto result = GroupByAggregate(*table, {"k"}, {{"v", "sum"}});
  EXPECT_EQ(Doubles(*result->column("v")),
            (OptDoubles{1e16 + 2.0, std::numeric_limits<double>::infinity()}));
}

TEST(GroupByAggregateTest, PartialAggregatesCombine) {
  std::mt19937_64 rng(31);
  std::vector<std::optional<int64_t>> keys;
  std::vector<std::optional<double>> values;
  for (int i = 0; i < 3000; ++i) {
    keys.push_back(int64_t(rng() % 17));
    values.push_back(rng() % 8 == 0 ? std::nullopt
                                    : std::optional<double>(double(rng() % 1000) / 10));
  }
  auto table = Table::Make({"k", "v"}, {MakeInt64Column(keys), MakeFloat64Column(values)});
  auto whole = GroupByAggregate(*table, {"k"}, {{"v", "mean", "mean"}, {"v", "var", "var"}});
  // Three partitions aggregated separately, then combined.
  std::vector<TablePtr> partials;
  std::vector<std::vector<MomentsState>> moments;
  std::vector<Grouping> groupings;
  for (const auto& [start, length] :
       {std::pair{0, 1000}, std::pair{1000, 1500}, std::pair{2500, 500}}) {
    auto part = table->Slice(start, length);
    partials.push_back(
        GroupByAggregate(*part, {"k"}, {{"v", "sum", "s"}, {"v", "count", "c"}}, {false, true}));
    groupings.push_back(GroupIds(*part, {"k"}));
    moments.push_back(GroupMoments(*part->column("v"), groupings.back()));
  }
  auto combined =
      GroupByAggregate(*ConcatenateTables(partials), {"k"}, {{"s", "sum"}, {"c", "sum"}});
  std::map<int64_t, MomentsState> merged;
  for (size_t p = 0; p < groupings.size(); ++p) {
    for (int64_t g = 0; g < groupings[p].num_groups; ++g) {
      merged[groupings[p].keys->column("k")->values<int64_t>()[g]].Combine(moments[p][size_t(g)]);
    }
  }
  ASSERT_EQ(combined->num_rows(), whole->num_rows());
  for (int64_t g = 0; g < whole->num_rows(); ++g) {
    const int64_t key = whole->column("k")->values<int64_t>()[g];
    EXPECT_EQ(combined->column("k")->values<int64_t>()[g], key);
    const double mean = combined->column("s")->values<double>()[g] /
                        double(combined->column("c")->values<int64_t>()[g]);
    EXPECT_NEAR(mean, whole->column("mean")->values<double>()[g], 1e-12);
    EXPECT_NEAR(merged[key].Variance(), whole->column("var")->values<double>()[g], 1e-9);
  }
}

TEST(GroupByAggregateTest, RandomisedAgainstStdMap) {
  std::mt19937_64 rng(37);
  for (int round = 0; round < 12; ++round) {
    const int n = int(rng() % 2000);
    const uint64_t key_range = round % 3 == 0 ? 5 : round % 3 == 1 ? 300 : uint64_t(1) << 62;
    std::vector<std::optional<int64_t>> a;
    std::vector<std::optional<std::string>> b;
    std::vector<std::optional<int64_t>> v;
    for (int i = 0; i < n; ++i) {
      a.push_back(rng() % 15 == 0 ? std::nullopt
                                  : std::optional<int64_t>(int64_t(rng() % key_range)));
      b.push_back(rng() % 15 == 0 ? std::nullopt
                                  : std::optional<std::string>(std::string(rng() % 3, 'q')));
      v.push_back(rng() % 5 == 0 ? std::nullopt
                                 : std::optional<int64_t>(int64_t(rng() % 100) - 50));
    }
    auto table =
        Table::Make({"a", "b", "v"}, {MakeInt64Column(a), MakeStringColumn(b), MakeInt64Column(v)});
    for (const bool dropna : {true, false}) {
      // Reference: std::map keyed by the (optional) pair; nullopt sorts first in std::map, so
      // compare as sets of rows rather than relying on order for null keys.
      struct Acc {
        int64_t sum = 0, count = 0, size = 0;
        std::optional<int64_t> min, first;
        std::set<int64_t> distinct;
      };
      std::map<std::tuple<bool, int64_t, bool, std::string>, Acc> reference;
      for (int i = 0; i < n; ++i) {
        if (dropna && (!a[size_t(i)] || !b[size_t(i)])) continue;
        // Null sorts last: (true, ...) after every (false, value).
        auto key = std::make_tuple(!a[size_t(i)], a[size_t(i)].value_or(0), !b[size_t(i)],
                                   b[size_t(i)].value_or(""));
        Acc& acc = reference[key];
        ++acc.size;
        if (v[size_t(i)]) {
          acc.sum += *v[size_t(i)];
          ++acc.count;
          acc.min = acc.min ? std::min(*acc.min, *v[size_t(i)]) : *v[size_t(i)];
          if (!acc.first) acc.first = v[size_t(i)];
          acc.distinct.insert(*v[size_t(i)]);
        }
      }
      GroupByOptions options;
      options.dropna = dropna;
      auto result = GroupByAggregate(*table, {"a", "b"},
                                     {{"v", "sum", "sum"},
                                      {"v", "count", "count"},
                                      {"", "size"},
                                      {"v", "min", "min"},
                                      {"v", "first", "first"},
                                      {"v", "nunique", "nunique"}},
                                     options);
      ASSERT_EQ(result->num_rows(), int64_t(reference.size()));
      int64_t g = 0;
      for (const auto& [key, acc] : reference) {
        EXPECT_EQ(result->column("a")->IsNull(g), std::get<0>(key));
        if (!std::get<0>(key)) {
          EXPECT_EQ(result->column("a")->values<int64_t>()[g], std::get<1>(key));
        }
        EXPECT_EQ(result->column("b")->IsNull(g), std::get<2>(key));
        if (!std::get<2>(key)) {
          EXPECT_EQ(result->column("b")->GetString(g), std::get<3>(key));
        }
        EXPECT_EQ(result->column("sum")->values<int64_t>()[g], acc.sum);
        EXPECT_EQ(result->column("count")->values<int64_t>()[g], acc.count);
        EXPECT_EQ(result->column("size")->values<int64_t>()[g], acc.size);
        EXPECT_EQ(Ints(*result->column("min"))[size_t(g)], acc.min);
        EXPECT_EQ(Ints(*result->column("first"))[size_t(g)], acc.first);
        EXPECT_EQ(result->column("nunique")->values<int64_t>()[g], int64_t(acc.distinct.size()));
        ++g;
      }
    }
  }
}

}  // namespace
}  // namespace tessera::compute
