// Tests of Filter and Take: every type, nulls, -1 indices, slices, and a randomised comparison
// against a row-by-row reference.
#include "tessera/compute/selection.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tessera/table/column_builder.hpp"

namespace tessera::compute {
namespace {

std::vector<std::optional<int64_t>> Int64Values(const Column& column) {
  std::vector<std::optional<int64_t>> out;
  for (int64_t i = 0; i < column.length(); ++i) {
    out.push_back(column.IsValid(i) ? std::optional<int64_t>(column.values<int64_t>()[i])
                                    : std::nullopt);
  }
  return out;
}

std::vector<std::optional<std::string>> StringValues(const Column& column) {
  std::vector<std::optional<std::string>> out;
  for (int64_t i = 0; i < column.length(); ++i) {
    if (column.IsNull(i)) {
      out.push_back(std::nullopt);
    } else if (column.type().id() == TypeId::kCategorical) {
      out.push_back(std::string(column.dictionary()->GetString(column.values<int32_t>()[i])));
    } else {
      out.push_back(std::string(column.GetString(i)));
    }
  }
  return out;
}

using OptInts = std::vector<std::optional<int64_t>>;
using OptStrings = std::vector<std::optional<std::string>>;

TEST(FilterTest, KeepsTrueRowsAndDropsNullMask) {
  auto values = MakeInt64Column({1, 2, std::nullopt, 4, 5});
  auto mask = MakeBoolColumn({true, false, true, std::nullopt, true});
  auto result = Filter(*values, *mask);
  EXPECT_EQ(Int64Values(*result), (OptInts{1, std::nullopt, 5}));
  EXPECT_EQ(result->null_count(), 1);
}

TEST(FilterTest, AllTrueSharesBuffersAllFalseIsEmpty) {
  auto values = MakeInt64Column({7, 8, 9});
  auto kept = Filter(*values, *MakeBoolColumn({true, true, true}));
  EXPECT_EQ(kept->values_buffer(), values->values_buffer());
  EXPECT_EQ(Int64Values(*kept), (OptInts{7, 8, 9}));
  auto none = Filter(*values, *MakeBoolColumn({false, std::nullopt, false}));
  EXPECT_EQ(none->length(), 0);
  EXPECT_EQ(none->type(), types::Int64());
}

TEST(FilterTest, EmptyInput) {
  auto empty = Filter(*MakeInt64Column({}), *MakeBoolColumn({}));
  EXPECT_EQ(empty->length(), 0);
  auto strings = Filter(*MakeStringColumn({}), *MakeBoolColumn({}));
  EXPECT_EQ(strings->length(), 0);
  EXPECT_EQ(strings->type(), types::String());
}

TEST(FilterTest, RejectsBadMasks) {
  auto values = MakeInt64Column({1, 2});
  EXPECT_THROW(Filter(*values, *MakeInt64Column({1, 0})), TypeError);
  EXPECT_THROW(Filter(*values, *MakeBoolColumn({true})), InvalidArgument);
}

TEST(FilterTest, SlicedDataAndMask) {
  auto values = MakeInt64Column({0, 1, 2, 3, 4, 5, 6, 7, 8, 9})->Slice(3, 5);  // 3..7
  auto mask = MakeBoolColumn({true, true, false, std::nullopt, true, false, true})->Slice(2, 5);
  // mask slice: false, null, true, false, true
  auto result = Filter(*values, *mask);
  EXPECT_EQ(Int64Values(*result), (OptInts{5, 7}));
}

TEST(FilterTest, StringsCategoricalsAndTables) {
  auto names = MakeStringColumn({"a", "", std::nullopt, "żółw", "e"});
  auto categories = MakeCategoricalColumn({"x", "y", "x", std::nullopt, "z"});
  auto mask = MakeBoolColumn({false, true, true, true, true});
  EXPECT_EQ(StringValues(*Filter(*names, *mask)), (OptStrings{"", std::nullopt, "żółw", "e"}));
  auto filtered_categories = Filter(*categories, *mask);
  EXPECT_EQ(filtered_categories->dictionary(), categories->dictionary());
  EXPECT_EQ(StringValues(*filtered_categories), (OptStrings{"y", "x", std::nullopt, "z"}));

  auto table = Table::Make({"name", "cat"}, {names, categories},
                           MakeInt64Column({10, 11, 12, 13, 14}), "id");
  auto result = Filter(*table, *mask);
  EXPECT_EQ(result->num_rows(), 4);
  EXPECT_EQ(result->index_name(), "id");
  EXPECT_EQ(Int64Values(*result->index()), (OptInts{11, 12, 13, 14}));
  EXPECT_EQ(StringValues(*result->column("name")), (OptStrings{"", std::nullopt, "żółw", "e"}));
}

TEST(TakeTest, GathersAndMinusOneGivesNull) {
  auto values = MakeInt64Column(
      {std::numeric_limits<int64_t>::min(), 2, std::nullopt, std::numeric_limits<int64_t>::max()});
  const std::vector<int64_t> indices = {3, -1, 0, 2, 3, 1};
  auto result = Take(*values, indices);
  EXPECT_EQ(Int64Values(*result), (OptInts{std::numeric_limits<int64_t>::max(), std::nullopt,
                                           std::numeric_limits<int64_t>::min(), std::nullopt,
                                           std::numeric_limits<int64_t>::max(), 2}));
  EXPECT_EQ(result->null_count(), 2);
}

TEST(TakeTest, RejectsOutOfBoundsIndices) {
  auto values = MakeInt64Column({1, 2, 3});
  EXPECT_THROW(Take(*values, std::vector<int64_t>{0, 3}), IndexError);
  EXPECT_THROW(Take(*values, std::vector<int64_t>{-2}), IndexError);
  EXPECT_THROW(Take(*values, *MakeFloat64Column({0.0})), TypeError);
  // Taking from an empty column: only -1 is allowed.
  auto nothing = Take(*MakeInt64Column({}), std::vector<int64_t>{-1, -1});
  EXPECT_EQ(Int64Values(*nothing), (OptInts{std::nullopt, std::nullopt}));
  EXPECT_THROW(Take(*MakeInt64Column({}), std::vector<int64_t>{0}), IndexError);
}

TEST(TakeTest, IndicesColumnWithNulls) {
  auto values = MakeStringColumn({"a", "b", "c"});
  auto indices = MakeInt64Column({2, std::nullopt, 0});
  EXPECT_EQ(StringValues(*Take(*values, *indices)), (OptStrings{"c", std::nullopt, "a"}));
}

TEST(TakeTest, FloatsBoolsTimestampsAndEmptyIndices) {
  const double nan = std::nan("");
  const double inf = std::numeric_limits<double>::infinity();
  auto floats = MakeFloat64Column({nan, -0.0, inf, std::nullopt});
  auto taken = Take(*floats, std::vector<int64_t>{2, 1, 0, 3, -1});
  const double* v = taken->values<double>();
  EXPECT_EQ(v[0], inf);
  EXPECT_TRUE(std::signbit(v[1]));
  EXPECT_TRUE(std::isnan(v[2]) && taken->IsValid(2));
  EXPECT_TRUE(taken->IsNull(3) && std::isnan(v[3]));  // null floats hold NaN
  EXPECT_TRUE(taken->IsNull(4) && std::isnan(v[4]));

  auto flags = MakeBoolColumn({true, false, std::nullopt});
  auto taken_flags = Take(*flags, std::vector<int64_t>{1, 0, 2});
  EXPECT_EQ(taken_flags->type(), types::Bool());
  EXPECT_EQ(taken_flags->values<uint8_t>()[0], 0);
  EXPECT_EQ(taken_flags->values<uint8_t>()[1], 1);
  EXPECT_TRUE(taken_flags->IsNull(2));

  auto times = MakeTimestampColumn({"2015-01-01 00:00:00", "1969-12-31 23:59:59"});
  auto taken_times = Take(*times, std::vector<int64_t>{1});
  EXPECT_EQ(taken_times->type(), types::Timestamp());
  EXPECT_EQ(taken_times->values<int64_t>()[0], -1'000'000'000);

  auto empty = Take(*floats, std::vector<int64_t>{});
  EXPECT_EQ(empty->length(), 0);
  EXPECT_EQ(empty->type(), types::Float64());
}

TEST(TakeTest, StringsKeepBytesIncludingEmptyAndNonAscii) {
  auto values = MakeStringColumn({"", "héllo", std::nullopt, "日本語", "z"});
  auto result = Take(*values, std::vector<int64_t>{3, 0, 2, -1, 1, 1});
  EXPECT_EQ(StringValues(*result),
            (OptStrings{"日本語", "", std::nullopt, std::nullopt, "héllo", "héllo"}));
}

TEST(TakeTest, CategoricalKeepsDictionary) {
  auto values = MakeCategoricalColumn({"b", "a", std::nullopt, "c"});
  auto result = Take(*values, std::vector<int64_t>{3, 2, 0, -1});
  EXPECT_EQ(result->type(), types::Categorical());
  EXPECT_EQ(result->dictionary(), values->dictionary());
  EXPECT_EQ(StringValues(*result), (OptStrings{"c", std::nullopt, "b", std::nullopt}));
}

TEST(TakeTest, SlicedInputsUseTheirOffset) {
  auto values = MakeInt64Column({0, 1, std::nullopt, 3, 4, 5})->Slice(2, 4);  // null, 3, 4, 5
  EXPECT_EQ(Int64Values(*Take(*values, std::vector<int64_t>{3, 0, 1})),
            (OptInts{5, std::nullopt, 3}));
  auto strings = MakeStringColumn({"aa", "b", "ccc", std::nullopt, "dddd"})->Slice(1, 4);
  EXPECT_EQ(StringValues(*Take(*strings, std::vector<int64_t>{3, 2, 1, 0})),
            (OptStrings{"dddd", std::nullopt, "ccc", "b"}));
  auto indices = MakeInt64Column({9, 9, 2, 0})->Slice(2, 2);
  EXPECT_EQ(StringValues(*Take(*strings, *indices)), (OptStrings{std::nullopt, "b"}));
}

TEST(TakeTest, TableGathersIndexToo) {
  auto table =
      Table::Make({"x", "s"}, {MakeInt64Column({1, 2, 3}), MakeStringColumn({"p", "q", "r"})},
                  MakeTimestampColumn({"2020-01-01", "2020-01-02", "2020-01-03"}), "when");
  auto result = Take(*table, std::vector<int64_t>{2, -1, 0});
  EXPECT_EQ(result->num_rows(), 3);
  EXPECT_EQ(result->index_name(), "when");
  EXPECT_EQ(result->index()->type(), types::Timestamp());
  EXPECT_TRUE(result->index()->IsNull(1));
  EXPECT_EQ(Int64Values(*result->column("x")), (OptInts{3, std::nullopt, 1}));
  EXPECT_EQ(StringValues(*result->column("s")), (OptStrings{"r", std::nullopt, "p"}));
  auto sliced = Take(*table->Slice(1, 2), std::vector<int64_t>{1, 0});
  EXPECT_EQ(Int64Values(*sliced->column("x")), (OptInts{3, 2}));
}

TEST(TakeTest, RandomisedAgainstReference) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 20; ++round) {
    const int64_t n = int64_t(rng() % 300);
    std::vector<std::optional<int64_t>> ints;
    std::vector<std::optional<std::string>> strings;
    for (int64_t i = 0; i < n; ++i) {
      const bool valid = rng() % 5 != 0;
      ints.push_back(valid ? std::optional<int64_t>(int64_t(rng())) : std::nullopt);
      strings.push_back(
          valid ? std::optional<std::string>(std::string(rng() % 6, char('a' + rng() % 26)))
                : std::nullopt);
    }
    const int64_t offset = n > 0 ? int64_t(rng() % uint64_t(n)) : 0;
    auto int_column = MakeInt64Column(ints)->Slice(offset, n - offset);
    auto string_column = MakeStringColumn(strings)->Slice(offset, n - offset);
    const int64_t length = n - offset;
    std::vector<int64_t> indices;
    std::vector<bool> mask;
    for (int i = 0; i < 200; ++i) {
      indices.push_back(length == 0 || rng() % 7 == 0 ? -1 : int64_t(rng() % uint64_t(length)));
    }
    for (int64_t i = 0; i < length; ++i) mask.push_back(rng() % 2 == 0);
    OptInts expected_ints;
    OptStrings expected_strings;
    for (const int64_t j : indices) {
      expected_ints.push_back(j < 0 ? std::nullopt : ints[size_t(offset + j)]);
      expected_strings.push_back(j < 0 ? std::nullopt : strings[size_t(offset + j)]);
    }
    EXPECT_EQ(Int64Values(*Take(*int_column, indices)), expected_ints);
    EXPECT_EQ(StringValues(*Take(*string_column, indices)), expected_strings);

    std::vector<std::optional<bool>> mask_values(mask.begin(), mask.end());
    OptInts filtered_ints;
    OptStrings filtered_strings;
    for (int64_t i = 0; i < length; ++i) {
      if (mask[size_t(i)]) {
        filtered_ints.push_back(ints[size_t(offset + i)]);
        filtered_strings.push_back(strings[size_t(offset + i)]);
      }
    }
    auto mask_column = MakeBoolColumn(mask_values);
    EXPECT_EQ(Int64Values(*Filter(*int_column, *mask_column)), filtered_ints);
    EXPECT_EQ(StringValues(*Filter(*string_column, *mask_column)), filtered_strings);
  }
}

TEST(TakeFromTablesTest, MatchesTakeOfTheConcatenation) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 10; ++round) {
    std::vector<TablePtr> sources;
    for (int t = 0; t < 3; ++t) {
      const int64_t n = int64_t(rng() % 40);
      std::vector<std::optional<int64_t>> ints;
      std::vector<std::optional<std::string>> strings;
      for (int64_t i = 0; i < n; ++i) {
        const bool valid = rng() % 4 != 0;
        ints.push_back(valid ? std::optional<int64_t>(int64_t(rng() % 100)) : std::nullopt);
        strings.push_back(valid ? std::optional<std::string>(std::string(rng() % 4, char('a' + t))) : std::nullopt);
      }
      auto table = Table::Make({"i", "s"}, {MakeInt64Column(ints), MakeStringColumn(strings)},
                               MakeInt64Column(ints), "ix");
      sources.push_back(n > 2 ? table->Slice(1, n - 1) : table);  // slices carry offsets
    }
    const TablePtr whole = ConcatenateTables(sources);
    std::vector<int32_t> source_of;
    std::vector<int64_t> rows, global;
    for (int k = 0; k < 50; ++k) {
      const int32_t t = int32_t(rng() % 3);
      if (sources[size_t(t)]->num_rows() == 0) continue;
      const int64_t r = int64_t(rng() % uint64_t(sources[size_t(t)]->num_rows()));
      source_of.push_back(t);
      rows.push_back(r);
      int64_t before = 0;
      for (int32_t u = 0; u < t; ++u) before += sources[size_t(u)]->num_rows();
      global.push_back(before + r);
    }
    EXPECT_TRUE(TakeFromTables(sources, source_of, rows)->Equals(*Take(*whole, global)));
  }
  EXPECT_THROW(TakeFromTables({Table::Make({"i"}, {MakeInt64Column({1})})}, std::vector<int32_t>{0},
                              std::vector<int64_t>{1}),
               IndexError);
}

}  // namespace
}  // namespace tessera::compute
