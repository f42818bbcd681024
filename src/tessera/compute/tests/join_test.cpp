// Tests of Join and JoinRows: every join type with one and two keys, many-to-many matches, empty
// inputs, null and NaN keys, mixed key types, index joins, suffixes and errors, plus a randomised
// comparison with a nested-loop reference join. Expected results are written out by hand from
// pandas.merge's documented behaviour.
#include "tessera/compute/join.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/tests/column_values.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {
namespace {

using testing::Doubles;
using testing::Ints;
using testing::OptDoubles;
using testing::OptInts;
using testing::OptStrings;
using testing::Strings;

using Names = std::vector<std::string>;
using Rows = std::vector<int64_t>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr auto kNull = std::nullopt;

using Cols = std::vector<OptInts>;

// The named int64 columns of a table, to compare several columns in one EXPECT_EQ.
Cols IntsOf(const Table& table, const Names& names) {
  Cols columns;
  for (const std::string& name : names) columns.push_back(Ints(*table.column(name)));
  return columns;
}

JoinOptions On(const Names& keys, JoinType how, bool sort = false) {
  JoinOptions options;
  options.how = how;
  options.left_on = options.right_on = keys;
  options.sort = sort;
  return options;
}

TablePtr OneKeyLeft() {
  return Table::Make({"k", "a"},
                     {MakeInt64Column({3, 1, 2, 1}), MakeInt64Column({10, 11, 12, 13})});
}

TablePtr OneKeyRight() {
  return Table::Make({"k", "b"},
                     {MakeInt64Column({1, 3, 1, 4}), MakeInt64Column({100, 101, 102, 103})});
}

// Columns k, a and b of the one-key join.
Cols OneKey(JoinType how, bool sort = false) {
  return IntsOf(*Join(*OneKeyLeft(), *OneKeyRight(), On({"k"}, how, sort)), {"k", "a", "b"});
}

TEST(JoinTest, OneKeyEveryJoinType) {
  auto result = Join(*OneKeyLeft(), *OneKeyRight(), On({"k"}, JoinType::kInner));
  EXPECT_EQ(result->column_names(), (Names{"k", "a", "b"}));
  EXPECT_FALSE(result->has_index());
  // Inner and left: left rows in order, each with its matches in right order.
  EXPECT_EQ(OneKey(JoinType::kInner),
            (Cols{{3, 1, 1, 1, 1}, {10, 11, 11, 13, 13}, {101, 100, 102, 100, 102}}));
  EXPECT_EQ(OneKey(JoinType::kLeft), (Cols{{3, 1, 1, 2, 1, 1},
                                           {10, 11, 11, 12, 13, 13},
                                           {101, 100, 102, kNull, 100, 102}}));
  auto left = Join(*OneKeyLeft(), *OneKeyRight(), On({"k"}, JoinType::kLeft));
  EXPECT_EQ(left->column("b")->type(), types::Int64());  // nulls, no float64 upcast
  // Right: right rows in order, each with its left matches in left order.
  EXPECT_EQ(OneKey(JoinType::kRight), (Cols{{1, 1, 3, 1, 1, 4},
                                            {11, 13, 10, 11, 13, kNull},
                                            {100, 100, 101, 102, 102, 103}}));
  // Outer: the left join, then the right rows that matched nothing.
  EXPECT_EQ(OneKey(JoinType::kOuter), (Cols{{3, 1, 1, 2, 1, 1, 4},
                                            {10, 11, 11, 12, 13, 13, kNull},
                                            {101, 100, 102, kNull, 100, 102, 103}}));
}

TEST(JoinTest, SortOrdersEveryJoinTypeByKey) {
  // pandas' order: by key; within a key the unsorted order (left rows with their matches).
  EXPECT_EQ(OneKey(JoinType::kOuter, true), (Cols{{1, 1, 1, 1, 2, 3, 4},
                                                  {11, 11, 13, 13, 12, 10, kNull},
                                                  {100, 102, 100, 102, kNull, 101, 103}}));
  EXPECT_EQ(OneKey(JoinType::kInner, true),
            (Cols{{1, 1, 1, 1, 3}, {11, 11, 13, 13, 10}, {100, 102, 100, 102, 101}}));
  EXPECT_EQ(OneKey(JoinType::kLeft, true),
            (Cols{{1, 1, 1, 1, 2, 3}, {11, 11, 13, 13, 12, 10}, {100, 102, 100, 102, kNull, 101}}));
  EXPECT_EQ(OneKey(JoinType::kRight, true), (Cols{{1, 1, 1, 1, 3, 4},
                                                  {11, 13, 11, 13, 10, kNull},
                                                  {100, 100, 102, 102, 101, 103}}));
}

TablePtr TwoKeyLeft() {
  return Table::Make({"k1", "k2", "v"}, {MakeInt64Column({1, 1, 2, 2}),
                                         MakeStringColumn({"a", "b", "a", kNull}),
                                         MakeInt64Column({1, 2, 3, 4})});
}

TablePtr TwoKeyRight() {
  return Table::Make({"k1", "k2", "w"}, {MakeInt64Column({2, 1, 1, 2}),
                                         MakeStringColumn({kNull, "b", "c", "a"}),
                                         MakeInt64Column({10, 20, 30, 40})});
}

TEST(JoinTest, TwoKeysEveryJoinType) {
  auto inner = Join(*TwoKeyLeft(), *TwoKeyRight(), On({"k1", "k2"}, JoinType::kInner));
  EXPECT_EQ(inner->column_names(), (Names{"k1", "k2", "v", "w"}));
  EXPECT_EQ(Strings(*inner->column("k2")), (OptStrings{"b", "a", kNull}));
  EXPECT_EQ(IntsOf(*inner, {"k1", "v", "w"}), (Cols{{1, 2, 2}, {2, 3, 4}, {20, 40, 10}}));

  auto left = Join(*TwoKeyLeft(), *TwoKeyRight(), On({"k1", "k2"}, JoinType::kLeft));
  EXPECT_EQ(Strings(*left->column("k2")), (OptStrings{"a", "b", "a", kNull}));
  EXPECT_EQ(IntsOf(*left, {"k1", "w"}), (Cols{{1, 1, 2, 2}, {kNull, 20, 40, 10}}));

  auto right = Join(*TwoKeyLeft(), *TwoKeyRight(), On({"k1", "k2"}, JoinType::kRight));
  EXPECT_EQ(Strings(*right->column("k2")), (OptStrings{kNull, "b", "c", "a"}));
  EXPECT_EQ(IntsOf(*right, {"k1", "v", "w"}),
            (Cols{{2, 1, 1, 2}, {4, 2, kNull, 3}, {10, 20, 30, 40}}));

  auto outer = Join(*TwoKeyLeft(), *TwoKeyRight(), On({"k1", "k2"}, JoinType::kOuter));
  EXPECT_EQ(Strings(*outer->column("k2")), (OptStrings{"a", "b", "a", kNull, "c"}));
  EXPECT_EQ(IntsOf(*outer, {"k1", "v", "w"}),
            (Cols{{1, 1, 2, 2, 1}, {1, 2, 3, 4, kNull}, {kNull, 20, 40, 10, 30}}));

  // Sorted lexicographically over (k1, k2), the null k2 last within k1 == 2.
  auto sorted = Join(*TwoKeyLeft(), *TwoKeyRight(), On({"k1", "k2"}, JoinType::kOuter, true));
  EXPECT_EQ(Strings(*sorted->column("k2")), (OptStrings{"a", "b", "c", "a", kNull}));
  EXPECT_EQ(IntsOf(*sorted, {"k1", "v", "w"}),
            (Cols{{1, 1, 1, 2, 2}, {1, 2, kNull, 3, 4}, {kNull, 20, 30, 40, 10}}));
}

TEST(JoinTest, ManyToManyGivesTheCrossProductPerKey) {
  auto left = MakeInt64Column({1, 1, 2});
  auto right = MakeInt64Column({1, 1, 1, 2, 2});
  auto inner = JoinRows({left}, {right}, JoinType::kInner);
  EXPECT_EQ(inner.left, (Rows{0, 0, 0, 1, 1, 1, 2, 2}));
  EXPECT_EQ(inner.right, (Rows{0, 1, 2, 0, 1, 2, 3, 4}));
  auto right_join = JoinRows({left}, {right}, JoinType::kRight);
  EXPECT_EQ(right_join.left, (Rows{0, 1, 0, 1, 0, 1, 2, 2}));
  EXPECT_EQ(right_join.right, (Rows{0, 0, 1, 1, 2, 2, 3, 4}));
  auto outer = JoinRows({left}, {right}, JoinType::kOuter);
  EXPECT_EQ(outer.left, inner.left);
  EXPECT_EQ(outer.right, inner.right);
}

TEST(JoinTest, NoMatches) {
  auto left = Table::Make({"k", "a"}, {MakeInt64Column({1, 2}), MakeStringColumn({"p", "q"})});
  auto right = Table::Make({"k", "b"}, {MakeInt64Column({3}), MakeFloat64Column({0.5})});
  auto inner = Join(*left, *right, On({"k"}, JoinType::kInner));
  EXPECT_EQ(inner->num_rows(), 0);
  EXPECT_EQ(inner->column_names(), (Names{"k", "a", "b"}));
  EXPECT_EQ(inner->column("a")->type(), types::String());
  EXPECT_EQ(inner->column("b")->type(), types::Float64());
  auto left_join = Join(*left, *right, On({"k"}, JoinType::kLeft));
  EXPECT_EQ(Ints(*left_join->column("k")), (OptInts{1, 2}));
  EXPECT_EQ(Doubles(*left_join->column("b")), (OptDoubles{kNull, kNull}));
  auto right_join = Join(*left, *right, On({"k"}, JoinType::kRight));
  EXPECT_EQ(Ints(*right_join->column("k")), (OptInts{3}));
  EXPECT_EQ(Strings(*right_join->column("a")), (OptStrings{kNull}));
  auto outer = Join(*left, *right, On({"k"}, JoinType::kOuter));
  EXPECT_EQ(Ints(*outer->column("k")), (OptInts{1, 2, 3}));
  EXPECT_EQ(outer->column("k")->type(), types::Int64());
  EXPECT_EQ(Strings(*outer->column("a")), (OptStrings{"p", "q", kNull}));
  EXPECT_EQ(Doubles(*outer->column("b")), (OptDoubles{kNull, kNull, 0.5}));
}

TEST(JoinTest, EmptyTables) {
  auto empty = Table::Make({"k", "a"}, {MakeInt64Column({}), MakeInt64Column({})});
  auto right = Table::Make({"k", "b"}, {MakeInt64Column({1, 2}), MakeInt64Column({5, 6})});
  for (JoinType how : {JoinType::kInner, JoinType::kLeft}) {
    auto result = Join(*empty, *right, On({"k"}, how));
    EXPECT_EQ(result->num_rows(), 0) << JoinTypeName(how);
    EXPECT_EQ(result->column_names(), (Names{"k", "a", "b"}));
  }
  for (JoinType how : {JoinType::kRight, JoinType::kOuter}) {
    auto result = Join(*empty, *right, On({"k"}, how));
    EXPECT_EQ(Ints(*result->column("k")), (OptInts{1, 2})) << JoinTypeName(how);
    EXPECT_EQ(IntsOf(*result, {"a", "b"}), (Cols{{kNull, kNull}, {5, 6}}));
  }
  auto left_of_empty = Join(*right, *empty, On({"k"}, JoinType::kLeft));
  EXPECT_EQ(IntsOf(*left_of_empty, {"k", "a"}), (Cols{{1, 2}, {kNull, kNull}}));
  auto both = Join(*empty, *empty, On({"k"}, JoinType::kOuter));
  EXPECT_EQ(both->num_rows(), 0);
  EXPECT_EQ(both->column_names(), (Names{"k", "a_x", "a_y"}));
}

TEST(JoinTest, NullAndNaNKeysMatchEachOther) {
  // NaN and null are one missing key; -0.0 matches 0.0.
  auto left = Table::Make({"k", "a"}, {MakeFloat64Column({kNaN, 1.0, kNull, -0.0}),
                                       MakeInt64Column({0, 1, 2, 3})});
  auto right = Table::Make({"k", "b"}, {MakeFloat64Column({0.0, kNaN, 1.0}),
                                        MakeInt64Column({10, 11, 12})});
  auto inner = Join(*left, *right, On({"k"}, JoinType::kInner));
  EXPECT_EQ(IntsOf(*inner, {"a", "b"}), (Cols{{0, 1, 2, 3}, {11, 12, 11, 10}}));

  auto ints = Table::Make({"k", "a"}, {MakeInt64Column({1, kNull, 2}), MakeInt64Column({0, 1, 2})});
  auto more = Table::Make({"k", "b"},
                          {MakeInt64Column({kNull, kNull, 1}), MakeInt64Column({10, 11, 12})});
  auto result = Join(*ints, *more, On({"k"}, JoinType::kLeft));
  EXPECT_EQ(IntsOf(*result, {"k", "a", "b"}),
            (Cols{{1, kNull, kNull, 2}, {0, 1, 1, 2}, {12, 10, 11, kNull}}));
  // Sorting puts the null key last.
  auto sorted = Join(*ints, *more, On({"k"}, JoinType::kOuter, true));
  EXPECT_EQ(IntsOf(*sorted, {"k", "b"}), (Cols{{1, 2, kNull, kNull}, {12, kNull, 10, 11}}));
}

TEST(JoinTest, StringAndCategoricalKeysMatchByText) {
  auto left = Table::Make({"name", "a"}, {MakeStringColumn({"apple", "", "日本", "b", kNull}),
                                          MakeInt64Column({0, 1, 2, 3, 4})});
  auto right = Table::Make({"name", "b"}, {MakeStringColumn({"b", "apple", "日本", "x", "apple"}),
                                           MakeInt64Column({10, 11, 12, 13, 14})});
  auto inner = Join(*left, *right, On({"name"}, JoinType::kInner));
  EXPECT_EQ(Strings(*inner->column("name")), (OptStrings{"apple", "apple", "日本", "b"}));
  EXPECT_EQ(Ints(*inner->column("b")), (OptInts{11, 14, 12, 10}));

  // A categorical against strings, and two categoricals with different dictionaries.
  auto categorical = Table::Make({"name", "a"}, {MakeCategoricalColumn({"x", "b", "zz"}),
                                                 MakeInt64Column({0, 1, 2})});
  auto matched = Join(*categorical, *right, On({"name"}, JoinType::kLeft));
  EXPECT_EQ(matched->column("name")->type(), types::Categorical());
  EXPECT_EQ(Strings(*matched->column("name")), (OptStrings{"x", "b", "zz"}));
  EXPECT_EQ(Ints(*matched->column("b")), (OptInts{13, 10, kNull}));
  auto outer = Join(*categorical, *right, On({"name"}, JoinType::kOuter));
  EXPECT_EQ(outer->column("name")->type(), types::String());
  EXPECT_EQ(Strings(*outer->column("name")), (OptStrings{"x", "b", "zz", "apple", "日本", "apple"}));

  auto other = Table::Make({"name", "c"}, {MakeCategoricalColumn({"zz", "q", "x", "x"}),
                                           MakeInt64Column({20, 21, 22, 23})});
  auto categories = Join(*categorical, *other, On({"name"}, JoinType::kOuter));
  EXPECT_EQ(categories->column("name")->type(), types::Categorical());
  EXPECT_EQ(Strings(*categories->column("name")), (OptStrings{"x", "x", "b", "zz", "q"}));
  EXPECT_EQ(Ints(*categories->column("c")), (OptInts{22, 23, kNull, 20, 21}));
}

TEST(JoinTest, IntegersOfDifferentWidthsMatchByValue) {
  auto left = Table::Make({"k", "a"}, {MakeColumn<int32_t>(types::Int32(), {1, 2, 3}),
                                       MakeInt64Column({0, 1, 2})});
  auto right = Table::Make({"k", "b"}, {MakeInt64Column({3, 1, 5}), MakeInt64Column({10, 11, 12})});
  auto inner = Join(*left, *right, On({"k"}, JoinType::kInner));
  EXPECT_EQ(inner->column("k")->type(), types::Int32());  // only left values: left's type
  EXPECT_EQ(inner->column("k")->values<int32_t>()[0], 1);
  EXPECT_EQ(inner->column("k")->values<int32_t>()[1], 3);
  EXPECT_EQ(Ints(*inner->column("b")), (OptInts{11, 10}));
  auto outer = Join(*left, *right, On({"k"}, JoinType::kOuter));
  EXPECT_EQ(outer->column("k")->type(), types::Int64());  // mixed: the common type
  EXPECT_EQ(IntsOf(*outer, {"k", "a"}), (Cols{{1, 2, 3, 5}, {0, 1, 2, kNull}}));
  auto rows = JoinRows({MakeColumn<uint8_t>(types::UInt8(), {7, 200})},
                       {MakeColumn<int16_t>(types::Int16(), {200, -56, 7})}, JoinType::kInner);
  EXPECT_EQ(rows.left, (Rows{0, 1}));
  EXPECT_EQ(rows.right, (Rows{2, 0}));
}

TEST(JoinTest, IntegersAndFloatsMatchByValue) {
  auto left = Table::Make({"k", "a"}, {MakeInt64Column({1, 2, 3}), MakeInt64Column({0, 1, 2})});
  auto right = Table::Make({"k", "b"}, {MakeFloat64Column({1.0, 2.5, 3.0, kNaN}),
                                        MakeInt64Column({10, 11, 12, 13})});
  auto inner = Join(*left, *right, On({"k"}, JoinType::kInner));
  EXPECT_EQ(inner->column("k")->type(), types::Int64());
  EXPECT_EQ(IntsOf(*inner, {"k", "b"}), (Cols{{1, 3}, {10, 12}}));
  auto right_join = Join(*left, *right, On({"k"}, JoinType::kRight));
  EXPECT_EQ(right_join->column("k")->type(), types::Float64());
  const OptDoubles keys = Doubles(*right_join->column("k"));
  ASSERT_EQ(keys.size(), 4u);
  EXPECT_EQ(keys[0], 1.0);
  EXPECT_EQ(keys[1], 2.5);
  EXPECT_EQ(keys[2], 3.0);
  EXPECT_TRUE(!keys[3] || std::isnan(*keys[3]));
  EXPECT_EQ(Ints(*right_join->column("a")), (OptInts{0, kNull, 2, kNull}));
  // float32 against int32 compares in float64; bool against integers as 0 and 1.
  // (In float32, 16777217 would round to 16777216 and match.)
  auto floats = JoinRows({MakeColumn<float>(types::Float32(), {0.5f, 16777216.0f, 2.0f})},
                         {MakeColumn<int32_t>(types::Int32(), {2, 16777217})}, JoinType::kLeft);
  EXPECT_EQ(floats.left, (Rows{0, 1, 2}));
  EXPECT_EQ(floats.right, (Rows{-1, -1, 0}));
  auto bools = JoinRows({MakeBoolColumn({true, false})}, {MakeInt64Column({0, 2, 1})},
                        JoinType::kInner);
  EXPECT_EQ(bools.left, (Rows{0, 1}));
  EXPECT_EQ(bools.right, (Rows{2, 0}));
}

TEST(JoinTest, IncompatibleKeyTypesThrowTypeError) {
  auto left = Table::Make({"id"}, {MakeStringColumn({"1", "2"})});
  auto right = Table::Make({"key"}, {MakeInt64Column({1, 2})});
  JoinOptions options;
  options.left_on = {"id"};
  options.right_on = {"key"};
  try {
    Join(*left, *right, options);
    FAIL() << "expected TypeError";
  } catch (const TypeError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("left column 'id' (string)"), std::string::npos) << message;
    EXPECT_NE(message.find("right column 'key' (int64)"), std::string::npos) << message;
    EXPECT_NE(message.find("astype"), std::string::npos) << message;
  }
  auto stamps = Table::Make({"key"}, {MakeTimestampColumn({"2020-01-01 00:00:00"})});
  options.left_on = {"key"};
  EXPECT_THROW(Join(*stamps, *right, options), TypeError);
  EXPECT_THROW(JoinRows({MakeCategoricalColumn({"a"})}, {MakeFloat64Column({1.0})},
                        JoinType::kInner),
               TypeError);
}

TEST(JoinTest, BothIndexesJoinOnIndexValues) {
  auto left = Table::Make({"v"}, {MakeInt64Column({1, 2, 3})}, MakeStringColumn({"a", "b", "c"}),
                          "id");
  auto right = Table::Make({"w"}, {MakeInt64Column({30, 10, 40})},
                           MakeStringColumn({"c", "a", "d"}), "id");
  JoinOptions options;
  options.left_index = options.right_index = true;
  auto inner = Join(*left, *right, options);
  EXPECT_EQ(inner->column_names(), (Names{"v", "w"}));
  ASSERT_TRUE(inner->has_index());
  EXPECT_EQ(inner->index_name(), "id");
  EXPECT_EQ(Strings(*inner->index()), (OptStrings{"a", "c"}));
  EXPECT_EQ(IntsOf(*inner, {"v", "w"}), (Cols{{1, 3}, {10, 30}}));

  options.how = JoinType::kOuter;
  auto outer = Join(*left, *right, options);
  EXPECT_EQ(Strings(*outer->index()), (OptStrings{"a", "b", "c", "d"}));
  EXPECT_EQ(IntsOf(*outer, {"v", "w"}), (Cols{{1, 2, 3, kNull}, {10, kNull, 30, 40}}));

  options.how = JoinType::kRight;
  auto right_join = Join(*left, *right, options);
  EXPECT_EQ(Strings(*right_join->index()), (OptStrings{"c", "a", "d"}));
  EXPECT_EQ(Ints(*right_join->column("v")), (OptInts{3, 1, kNull}));

  // A table without an index joins on its row positions.
  auto positional = Table::Make({"w"}, {MakeInt64Column({7, 8})});
  auto numbered = Table::Make({"v"}, {MakeInt64Column({1, 2})}, MakeInt64Column({1, 5}));
  options.how = JoinType::kInner;
  auto by_position = Join(*numbered, *positional, options);
  EXPECT_EQ(Ints(*by_position->index()), (OptInts{1}));
  EXPECT_EQ(Ints(*by_position->column("w")), (OptInts{8}));
  EXPECT_EQ(by_position->index_name(), "");
}

TEST(JoinTest, RightIndexWithLeftOnKeepsTheLeftIndex) {
  auto left =
      Table::Make({"k", "v"}, {MakeInt64Column({2, 0, 2, 5}), MakeInt64Column({1, 2, 3, 4})});
  auto right = Table::Make({"w"}, {MakeInt64Column({100, 101, 102})});
  JoinOptions options;
  options.left_on = {"k"};
  options.right_index = true;
  options.how = JoinType::kLeft;
  auto left_join = Join(*left, *right, options);
  EXPECT_EQ(left_join->column_names(), (Names{"k", "v", "w"}));
  EXPECT_EQ(Ints(*left_join->index()), (OptInts{0, 1, 2, 3}));  // the left's row positions
  EXPECT_EQ(IntsOf(*left_join, {"k", "w"}), (Cols{{2, 0, 2, 5}, {102, 100, 102, kNull}}));

  // The key column takes the right index value where the left has no row.
  options.how = JoinType::kRight;
  auto right_join = Join(*left, *right, options);
  EXPECT_EQ(Ints(*right_join->index()), (OptInts{1, kNull, 0, 2}));
  EXPECT_EQ(IntsOf(*right_join, {"k", "v", "w"}),
            (Cols{{0, 1, 2, 2}, {2, kNull, 1, 3}, {100, 101, 102, 102}}));
}

TEST(JoinTest, LeftIndexWithRightOnKeepsTheRightIndex) {
  auto left =
      Table::Make({"v"}, {MakeInt64Column({1, 2, 3})}, MakeInt64Column({10, 20, 30}), "key");
  auto right = Table::Make({"k", "w"}, {MakeInt64Column({20, 40, 10, 20}),
                                        MakeInt64Column({5, 6, 7, 8})},
                           MakeStringColumn({"r0", "r1", "r2", "r3"}), "rid");
  JoinOptions options;
  options.left_index = true;
  options.right_on = {"k"};
  auto inner = Join(*left, *right, options);
  EXPECT_EQ(inner->column_names(), (Names{"v", "k", "w"}));
  EXPECT_EQ(inner->index_name(), "rid");
  EXPECT_EQ(Strings(*inner->index()), (OptStrings{"r2", "r0", "r3"}));
  EXPECT_EQ(IntsOf(*inner, {"v", "k", "w"}), (Cols{{1, 2, 2}, {10, 20, 20}, {7, 5, 8}}));

  options.how = JoinType::kLeft;
  auto left_join = Join(*left, *right, options);
  EXPECT_EQ(Strings(*left_join->index()), (OptStrings{"r2", "r0", "r3", kNull}));
  EXPECT_EQ(Ints(*left_join->column("k")), (OptInts{10, 20, 20, 30}));  // filled from the index
  EXPECT_EQ(Ints(*left_join->column("w")), (OptInts{7, 5, 8, kNull}));

  // With an empty right table pandas takes the left index instead.
  auto empty_right = Table::Make({"k", "w"}, {MakeInt64Column({}), MakeInt64Column({})});
  auto from_left = Join(*left, *empty_right, options);
  EXPECT_EQ(Ints(*from_left->index()), (OptInts{10, 20, 30}));
  EXPECT_EQ(from_left->index_name(), "key");
  EXPECT_EQ(Ints(*from_left->column("k")), (OptInts{10, 20, 30}));
}

TEST(JoinTest, SuffixesRenameOverlappingColumns) {
  auto left = Table::Make({"k", "v", "l"}, {MakeInt64Column({1, 2}), MakeInt64Column({3, 4}),
                                            MakeInt64Column({5, 6})});
  auto right = Table::Make({"k", "v", "r"}, {MakeInt64Column({2, 1}), MakeInt64Column({7, 8}),
                                             MakeInt64Column({9, 0})});
  auto result = Join(*left, *right, On({"k"}, JoinType::kInner));
  EXPECT_EQ(result->column_names(), (Names{"k", "v_x", "l", "v_y", "r"}));
  EXPECT_EQ(IntsOf(*result, {"v_x", "v_y"}), (Cols{{3, 4}, {8, 7}}));

  JoinOptions options = On({"k"}, JoinType::kInner);
  options.suffixes = {"", "_right"};
  EXPECT_EQ(Join(*left, *right, options)->column_names(), (Names{"k", "v", "l", "v_right", "r"}));
  options.suffixes = {"", ""};
  EXPECT_THROW(Join(*left, *right, options), InvalidArgument);
  // Suffixing "v" to "v_x" would clash with the left's own "v_x" (pandas raises too).
  auto clash = Table::Make({"k", "v", "v_x"}, {MakeInt64Column({1}), MakeInt64Column({1}),
                                               MakeInt64Column({1})});
  EXPECT_THROW(Join(*clash, *right, On({"k"}, JoinType::kInner)), InvalidArgument);
}

TEST(JoinTest, DifferentKeyNamesKeepBothKeyColumns) {
  auto left = Table::Make({"lk", "a"}, {MakeInt64Column({1, 2}), MakeInt64Column({10, 20})});
  auto right = Table::Make({"rk", "a"}, {MakeInt64Column({2, 3}), MakeInt64Column({30, 40})});
  JoinOptions options;
  options.left_on = {"lk"};
  options.right_on = {"rk"};
  options.how = JoinType::kOuter;
  auto result = Join(*left, *right, options);
  EXPECT_EQ(result->column_names(), (Names{"lk", "a_x", "rk", "a_y"}));
  EXPECT_EQ(IntsOf(*result, {"lk", "rk", "a_x", "a_y"}),
            (Cols{{1, 2, kNull}, {kNull, 2, 3}, {10, 20, kNull}, {kNull, 30, 40}}));

  // A left key that has a right namesake which is not its partner: both kept and suffixed.
  auto crossed = Table::Make({"lk", "rk"}, {MakeInt64Column({2, 3}), MakeInt64Column({1, 1})});
  options.how = JoinType::kInner;
  options.right_on = {"rk"};
  options.left_on = {"lk"};
  auto keyed = Join(*crossed, *Table::Make({"lk", "rk"}, {MakeInt64Column({9}),
                                                          MakeInt64Column({3})}),
                    options);
  EXPECT_EQ(keyed->column_names(), (Names{"lk_x", "rk_x", "lk_y", "rk_y"}));
  EXPECT_EQ(IntsOf(*keyed, {"lk_x", "rk_y"}), (Cols{{3}, {3}}));
}

TEST(JoinTest, DefaultKeysAreTheSharedColumns) {
  auto result = Join(*TwoKeyLeft(), *TwoKeyRight(), JoinOptions{});
  EXPECT_EQ(result->column_names(), (Names{"k1", "k2", "v", "w"}));
  EXPECT_EQ(Ints(*result->column("w")), (OptInts{20, 40, 10}));
  auto unrelated = Table::Make({"z"}, {MakeInt64Column({1})});
  EXPECT_THROW(Join(*TwoKeyLeft(), *unrelated, JoinOptions{}), InvalidArgument);
}

TEST(JoinTest, InvalidOptions) {
  JoinOptions missing = On({"nope"}, JoinType::kInner);
  try {
    Join(*OneKeyLeft(), *OneKeyRight(), missing);
    FAIL() << "expected KeyError";
  } catch (const KeyError& error) {
    EXPECT_NE(std::string(error.what()).find("'nope'"), std::string::npos) << error.what();
  }
  JoinOptions both = On({"k"}, JoinType::kInner);
  both.left_index = true;
  EXPECT_THROW(Join(*OneKeyLeft(), *OneKeyRight(), both), InvalidArgument);
  JoinOptions uneven;
  uneven.left_on = {"k", "a"};
  uneven.right_on = {"k"};
  EXPECT_THROW(Join(*OneKeyLeft(), *OneKeyRight(), uneven), InvalidArgument);
  JoinOptions one_sided;
  one_sided.left_index = true;
  EXPECT_THROW(Join(*OneKeyLeft(), *OneKeyRight(), one_sided), InvalidArgument);
  EXPECT_THROW(JoinRows({}, {}, JoinType::kInner), InvalidArgument);
  EXPECT_THROW(JoinRows({MakeInt64Column({1}), MakeInt64Column({1, 2})},
                        {MakeInt64Column({1}), MakeInt64Column({1})}, JoinType::kInner),
               InvalidArgument);
}

TEST(JoinTest, SlicedKeysUseTheirOffsets) {
  auto left = MakeInt64Column({9, 9, 1, 2, 3})->Slice(2, 3);
  auto strings = MakeStringColumn({"q", "b", "a", "c"})->Slice(1, 3);
  auto rows = JoinRows({left}, {MakeInt64Column({3, 1})}, JoinType::kLeft);
  EXPECT_EQ(rows.left, (Rows{0, 1, 2}));
  EXPECT_EQ(rows.right, (Rows{1, -1, 0}));
  auto text = JoinRows({strings}, {MakeStringColumn({"a", "q"})}, JoinType::kOuter);
  EXPECT_EQ(text.left, (Rows{0, 1, 2, -1}));
  EXPECT_EQ(text.right, (Rows{-1, 0, -1, 1}));
}

// Nested-loop reference. A key cell is null (std::monostate), a number or a string.
using Cell = std::variant<std::monostate, double, std::string>;
using KeyRow = std::vector<Cell>;

std::vector<Cell> CellsOf(const Column& column) {
  std::vector<Cell> cells;
  if (column.type().id() == TypeId::kString || column.type().id() == TypeId::kCategorical) {
    for (const auto& text : Strings(column)) {
      text ? cells.emplace_back(*text) : cells.emplace_back();
    }
    return cells;
  }
  for (const auto& value : Doubles(*Cast(column, types::Float64()))) {
    value && !std::isnan(*value) ? cells.emplace_back(*value) : cells.emplace_back();
  }
  return cells;
}

std::vector<KeyRow> KeyRows(const std::vector<ColumnPtr>& keys) {
  std::vector<KeyRow> rows(size_t(keys[0]->length()));
  for (const ColumnPtr& key : keys) {
    const std::vector<Cell> cells = CellsOf(*key);
    for (size_t i = 0; i < rows.size(); ++i) rows[i].push_back(cells[i]);
  }
  return rows;
}

// Nulls last; numbers by value (-0.0 == 0.0), strings by bytes.
bool CellLess(const Cell& a, const Cell& b) {
  if (a.index() == 0 || b.index() == 0) return a.index() != 0 && b.index() == 0;
  if (a.index() == 1) return std::get<double>(a) < std::get<double>(b);
  return std::get<std::string>(a) < std::get<std::string>(b);
}

JoinIndices ReferenceJoin(const std::vector<KeyRow>& left, const std::vector<KeyRow>& right,
                          JoinType how, bool sort) {
  JoinIndices out;
  if (how == JoinType::kRight) {
    // A right join is the left join with the sides swapped.
    JoinIndices swapped = ReferenceJoin(right, left, JoinType::kLeft, false);
    out = {std::move(swapped.right), std::move(swapped.left)};
  } else {
    std::vector<bool> right_matched(right.size(), false);
    for (size_t i = 0; i < left.size(); ++i) {
      bool matched = false;
      for (size_t j = 0; j < right.size(); ++j) {
        if (left[i] != right[j]) continue;
        out.left.push_back(int64_t(i));
        out.right.push_back(int64_t(j));
        matched = right_matched[j] = true;
      }
      if (!matched && how != JoinType::kInner) {
        out.left.push_back(int64_t(i));
        out.right.push_back(-1);
      }
    }
    for (size_t j = 0; j < right.size() && how == JoinType::kOuter; ++j) {
      if (right_matched[j]) continue;
      out.left.push_back(-1);
      out.right.push_back(int64_t(j));
    }
  }
  if (!sort) return out;
  std::vector<size_t> order(out.left.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  auto key_of = [&](size_t k) -> const KeyRow& {
    return out.left[k] >= 0 ? left[size_t(out.left[k])] : right[size_t(out.right[k])];
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::lexicographical_compare(key_of(a).begin(), key_of(a).end(), key_of(b).begin(),
                                        key_of(b).end(), CellLess);
  });
  JoinIndices sorted;
  for (size_t k : order) {
    sorted.left.push_back(out.left[k]);
    sorted.right.push_back(out.right[k]);
  }
  return sorted;
}

enum class KeyKind { kInt64, kWideInt64, kInt32, kFloat64, kString, kCategorical };

// A column of n random codes in [0, high] (about 10% null) rendered as one key kind.
ColumnPtr RandomKeyColumn(std::mt19937_64& rng, int64_t n, int64_t high, KeyKind kind) {
  std::bernoulli_distribution is_null(0.1);
  std::uniform_int_distribution<int64_t> code(0, high);
  // Float codes become -0.0, 0.0, 1.0, 2.5 and NaN, so signed zeros and NaN keys meet.
  const double floats[] = {-0.0, 0.0, 1.0, 2.5, kNaN};
  OptInts ints;
  OptDoubles doubles;
  OptStrings strings;
  for (int64_t i = 0; i < n; ++i) {
    const std::optional<int64_t> c = is_null(rng) ? std::nullopt : std::optional(code(rng));
    // Codes spread over a range too wide for the direct lookup array: the hash path.
    ints.push_back(c && kind == KeyKind::kWideInt64 ? *c * ((int64_t{1} << 33) + 1) : c);
    doubles.push_back(c ? std::optional(floats[*c % 5]) : std::nullopt);
    strings.push_back(c ? std::optional(std::string("s").append(std::to_string(*c))) : kNull);
  }
  switch (kind) {
    case KeyKind::kInt32: return Cast(*MakeInt64Column(ints), types::Int32());
    case KeyKind::kFloat64: return MakeFloat64Column(doubles);
    case KeyKind::kString: return MakeStringColumn(strings);
    case KeyKind::kCategorical: return MakeCategoricalColumn(strings);
    default: return MakeInt64Column(ints);
  }
}

TEST(JoinRandomTest, MatchesNestedLoopReference) {
  // Left and right key kinds that must match by value.
  const std::pair<KeyKind, KeyKind> kinds[] = {
      {KeyKind::kInt64, KeyKind::kInt64},         {KeyKind::kWideInt64, KeyKind::kWideInt64},
      {KeyKind::kInt32, KeyKind::kInt64},         {KeyKind::kFloat64, KeyKind::kInt64},
      {KeyKind::kString, KeyKind::kCategorical},  {KeyKind::kCategorical, KeyKind::kCategorical}};
  std::mt19937_64 rng(20240611);
  for (int trial = 0; trial < 72; ++trial) {
    const int64_t nl = std::uniform_int_distribution<int64_t>(0, 40)(rng);
    const int64_t nr = std::uniform_int_distribution<int64_t>(0, 40)(rng);
    const int64_t high = 1 + trial % 7;  // small: many duplicates and many misses
    const int num_keys = 1 + trial % 2;
    std::vector<ColumnPtr> left_keys, right_keys;
    std::vector<std::string> names;
    for (int k = 0; k < num_keys; ++k) {
      const auto [left_kind, right_kind] = kinds[size_t(trial / 2 + k) % 6];
      left_keys.push_back(RandomKeyColumn(rng, nl, high, left_kind));
      right_keys.push_back(RandomKeyColumn(rng, nr, high, right_kind));
      names.push_back("key" + std::to_string(k));
    }
    const auto left_rows = KeyRows(left_keys);
    const auto right_rows = KeyRows(right_keys);
    for (JoinType how : {JoinType::kInner, JoinType::kLeft, JoinType::kRight, JoinType::kOuter}) {
      for (bool sort : {false, true}) {
        const JoinIndices expected = ReferenceJoin(left_rows, right_rows, how, sort);
        const JoinIndices actual = JoinRows(left_keys, right_keys, how, sort);
        ASSERT_EQ(actual.left, expected.left) << trial << JoinTypeName(how) << sort;
        ASSERT_EQ(actual.right, expected.right) << trial << JoinTypeName(how) << sort;
      }
    }

    // Join gathers a row-number column of each side by the same pairs, and the shared key
    // columns hold each row's key from whichever side has it.
    auto with_row_numbers = [&](std::vector<ColumnPtr> columns) {
      OptInts rows;
      for (int64_t i = 0; i < columns[0]->length(); ++i) rows.push_back(i);
      columns.push_back(MakeInt64Column(rows));
      auto numbered = names;
      numbered.push_back("row");
      return Table::Make(numbered, columns);
    };
    JoinOptions options;
    options.how = JoinType::kOuter;
    options.left_on = options.right_on = names;
    auto joined = Join(*with_row_numbers(left_keys), *with_row_numbers(right_keys), options);
    const JoinIndices expected = ReferenceJoin(left_rows, right_rows, JoinType::kOuter, false);
    OptInts left_expected, right_expected;
    for (size_t k = 0; k < expected.left.size(); ++k) {
      left_expected.push_back(expected.left[k] >= 0 ? std::optional(expected.left[k]) : kNull);
      right_expected.push_back(expected.right[k] >= 0 ? std::optional(expected.right[k]) : kNull);
    }
    ASSERT_EQ(Ints(*joined->column("row_x")), left_expected) << trial;
    ASSERT_EQ(Ints(*joined->column("row_y")), right_expected) << trial;
    for (int k = 0; k < num_keys; ++k) {
      const std::vector<Cell> cells = CellsOf(*joined->column(names[size_t(k)]));
      for (size_t row = 0; row < cells.size(); ++row) {
        const KeyRow& key = expected.left[row] >= 0 ? left_rows[size_t(expected.left[row])]
                                                    : right_rows[size_t(expected.right[row])];
        ASSERT_EQ(cells[row], key[size_t(k)]) << trial << " row " << row;
      }
    }
  }
}

}  // namespace
}  // namespace tessera::compute
