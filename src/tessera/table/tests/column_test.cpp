#include <gtest/gtest.h>

#include <cmath>

#include "tessera/table/column_builder.hpp"
#include "tessera/table/table.hpp"

namespace tessera {

TEST(ColumnTest, BuilderWithNullsFillsNaNForFloats) {
  auto column = MakeFloat64Column({1.5, std::nullopt, -2.0});
  EXPECT_EQ(column->length(), 3);
  EXPECT_EQ(column->null_count(), 1);
  EXPECT_TRUE(column->IsNull(1));
  EXPECT_TRUE(std::isnan(column->values<double>()[1]));
  EXPECT_EQ(column->values<double>()[2], -2.0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(column->values<double>()) % 64, 0u);
}

TEST(ColumnTest, NoBitmapWithoutNulls) {
  auto column = MakeInt64Column({1, 2, 3});
  EXPECT_EQ(column->validity_data(), nullptr);
  EXPECT_EQ(column->null_count(), 0);
}

TEST(ColumnTest, StringsIncludingEmptyAndNonAscii) {
  auto column = MakeStringColumn({"héllo", "", std::nullopt, "日本"});
  EXPECT_EQ(column->GetString(0), "héllo");
  EXPECT_EQ(column->GetString(1), "");
  EXPECT_TRUE(column->IsNull(2));
  EXPECT_EQ(column->GetString(3), "日本");
}

TEST(ColumnTest, SliceSharesBuffersAndRecountsNulls) {
  auto column = MakeInt64Column({1, std::nullopt, 3, 4, std::nullopt, 6, 7, 8, 9, 10});
  auto slice = column->Slice(2, 5);
  EXPECT_EQ(slice->values_buffer(), column->values_buffer());
  EXPECT_EQ(slice->length(), 5);
  EXPECT_EQ(slice->values<int64_t>()[0], 3);
  EXPECT_EQ(slice->null_count(), 1);
  EXPECT_TRUE(slice->IsNull(2));
  auto no_nulls = column->Slice(5, 5);
  EXPECT_EQ(no_nulls->null_count(), 0);
  EXPECT_THROW(column->Slice(8, 5), IndexError);
  auto strings = MakeStringColumn({"a", "bc", "def"})->Slice(1, 2);
  EXPECT_EQ(strings->GetString(0), "bc");
  EXPECT_EQ(strings->GetString(1), "def");
}

TEST(ColumnTest, ConcatenateMixedNullsAndSlices) {
  auto a = MakeInt64Column({1, std::nullopt, 3})->Slice(1, 2);
  auto b = MakeInt64Column({4, 5});
  auto joined = ConcatenateColumns({a, b});
  EXPECT_TRUE(ColumnsEqual(*joined, *MakeInt64Column({std::nullopt, 3, 4, 5})));
  auto s = ConcatenateColumns({MakeStringColumn({"x", std::nullopt})->Slice(1, 1),
                               MakeStringColumn({"yz", ""})});
  EXPECT_TRUE(ColumnsEqual(*s, *MakeStringColumn({std::nullopt, "yz", ""})));
  EXPECT_THROW(ConcatenateColumns({b, MakeFloat64Column({1.0})}), TypeError);
}

TEST(ColumnTest, ConcatenateCategoricalsMergesDictionaries) {
  auto a = MakeCategoricalColumn({"b", "a", std::nullopt});
  auto b = MakeCategoricalColumn({"c", "a"});
  auto joined = ConcatenateColumns({a, b});
  EXPECT_EQ(joined->dictionary()->length(), 3);
  std::vector<std::string> expected = {"b", "a", "", "c", "a"};
  for (int i = 0; i < 5; ++i) {
    if (i == 2) {
      EXPECT_TRUE(joined->IsNull(i));
      continue;
    }
    EXPECT_EQ(joined->dictionary()->GetString(joined->values<int32_t>()[i]), expected[size_t(i)]);
  }
}

TEST(DataTypeTest, ParsesPandasNames) {
  EXPECT_EQ(ParseDataType("int64"), types::Int64());
  EXPECT_EQ(ParseDataType("float"), types::Float64());
  EXPECT_EQ(ParseDataType("object"), types::String());
  EXPECT_EQ(ParseDataType("datetime64[ns]"), types::Timestamp());
  EXPECT_EQ(ParseDataType("category"), types::Categorical());
  EXPECT_THROW(ParseDataType("complex128"), TypeError);
  EXPECT_EQ(types::Timestamp().ToString(), "datetime64[ns]");
}

}  // namespace tessera
