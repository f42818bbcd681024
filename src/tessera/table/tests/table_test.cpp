#include <gtest/gtest.h>

#include "tessera/table/column_builder.hpp"
#include "tessera/table/table.hpp"

namespace tessera {

namespace {
TablePtr Sample() {
  return Table::Make({"a", "b", "when"},
                     {MakeInt64Column({1, 2, 3}), MakeFloat64Column({0.5, std::nullopt, 2.25}),
                      MakeTimestampColumn({"2015-01-01 00:00:00", std::nullopt, "2015-01-02 12:30:00"})});
}
}  // namespace

TEST(TableTest, MakeValidates) {
  EXPECT_THROW(Table::Make({"a", "a"}, {MakeInt64Column({1}), MakeInt64Column({2})}), InvalidArgument);
  EXPECT_THROW(Table::Make({"a", "b"}, {MakeInt64Column({1}), MakeInt64Column({2, 3})}), InvalidArgument);
  auto table = Sample();
  EXPECT_EQ(table->num_rows(), 3);
  EXPECT_EQ(table->schema().field(2).type, types::Timestamp());
  EXPECT_THROW(table->column("missing"), KeyError);
}

TEST(TableTest, PrintsLikePandas) {
  const std::string expected =
      "   a     b                 when\n"
      "0  1   0.5  2015-01-01 00:00:00\n"
      "1  2   NaN                  NaT\n"
      "2  3  2.25  2015-01-02 12:30:00\n";
  EXPECT_EQ(Sample()->ToString(), expected);
}

TEST(TableTest, PrintsHeadAndTailWhenLong) {
  std::vector<int64_t> values(100);
  for (int i = 0; i < 100; ++i) values[size_t(i)] = i * 10;
  auto table = Table::Make({"x"}, {MakeColumn<int64_t>(types::Int64(), values)});
  const std::string text = table->ToString(4);
  EXPECT_EQ(text, "      x\n0     0\n1    10\n..  ...\n98  980\n99  990\n\n[100 rows x 1 columns]\n");
}

TEST(TableTest, SliceSelectSetDropAndIndex) {
  auto table = Sample();
  auto slice = table->Slice(1, 5);
  EXPECT_EQ(slice->num_rows(), 2);
  EXPECT_TRUE(slice->column("b")->IsNull(0));
  auto selected = table->SelectColumns({"when", "a"});
  EXPECT_EQ(selected->column_names(), (std::vector<std::string>{"when", "a"}));
  auto replaced = table->SetColumn("a", MakeInt64Column({7, 8, 9}));
  EXPECT_EQ(replaced->column_names(), table->column_names());
  EXPECT_EQ(replaced->column("a")->values<int64_t>()[2], 9);
  auto indexed = table->SetIndex("when");
  EXPECT_TRUE(indexed->has_index());
  EXPECT_EQ(indexed->num_columns(), 2);
  EXPECT_TRUE(indexed->ResetIndex()->Equals(*table->SelectColumns({"when", "a", "b"})));
  EXPECT_THROW(table->DropColumn("zzz"), KeyError);
}

TEST(TableTest, ConcatenateTables) {
  auto table = Sample();
  auto twice = ConcatenateTables({table, table->Slice(0, 1)});
  EXPECT_EQ(twice->num_rows(), 4);
  EXPECT_TRUE(twice->Slice(3, 1)->Equals(*table->Slice(0, 1)));
  auto other = Table::Make({"a"}, {MakeInt64Column({1})});
  EXPECT_THROW(ConcatenateTables({table, other}), TypeError);
}

TEST(TableTest, EmptyTableFromSchema) {
  auto empty = Table::MakeEmpty(Sample()->schema());
  EXPECT_EQ(empty->num_rows(), 0);
  EXPECT_EQ(empty->num_columns(), 3);
  EXPECT_NE(empty->ToString().find("[0 rows x 3 columns]"), std::string::npos);
}

TEST(TableTest, NbytesCountsRows) {
  auto table = Table::Make({"a", "s"}, {MakeInt64Column({1, 2}), MakeStringColumn({"ab", "c"})});
  EXPECT_EQ(table->nbytes(), 2 * 8 + 3 * 8 + 3);
}

}  // namespace tessera
