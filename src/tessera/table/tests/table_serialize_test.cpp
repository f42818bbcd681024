// The binary table format round-trips every column type, nulls, slices and the index.
#include <gtest/gtest.h>

#include "tessera/base/error.hpp"
#include "tessera/table/column_builder.hpp"
#include "tessera/table/table_serialize.hpp"

namespace tessera {
namespace {

TablePtr Sample() {
  return Table::Make({"i", "f", "s", "b", "when", "cat"},
                     {MakeInt64Column({1, std::nullopt, -3, INT64_MAX, INT64_MIN}),
                      MakeFloat64Column({0.5, std::nullopt, 2.25, -0.0, 1e300}),
                      MakeStringColumn({"a", "", std::nullopt, "héllo wörld", "zz"}),
                      MakeBoolColumn({true, false, std::nullopt, true, true}),
                      MakeTimestampColumn({"2015-01-01 00:00:00", std::nullopt, "2015-01-02 12:30:00", "1970-01-01 00:00:00", "2038-01-19 03:14:07"}),
                      MakeCategoricalColumn({"x", "y", "x", std::nullopt, "z"})});
}

TablePtr RoundTrip(const Table& table) {
  std::string bytes;
  SerializeTable(table, &bytes);
  return DeserializeTable(bytes);
}

TEST(TableSerializeTest, RoundTripsEveryType) {
  auto table = Sample();
  auto back = RoundTrip(*table);
  EXPECT_TRUE(back->Equals(*table)) << back->ToString();
  EXPECT_EQ(back->column("s")->null_count(), 1);
}

TEST(TableSerializeTest, KeepsTimeUnits) {
  FixedWidthBuilder<int64_t> seconds(types::Timestamp(TimeUnit::kSecond), 2);
  seconds.Append(32503680000);  // 3000-01-01, beyond nanoseconds
  seconds.AppendNull();
  FixedWidthBuilder<int64_t> millis(types::Duration(TimeUnit::kMilli), 2);
  millis.Append(1500);
  millis.Append(-1);
  auto table = Table::Make({"t", "d"}, {seconds.Finish(), millis.Finish()},
                           MakeTimestampColumn({"2015-01-01 00:00:00.123456", std::nullopt}, TimeUnit::kMicro), "when");
  auto back = RoundTrip(*table);
  EXPECT_TRUE(back->Equals(*table)) << back->ToString();
  EXPECT_EQ(back->column("t")->type(), types::Timestamp(TimeUnit::kSecond));
  EXPECT_EQ(back->column("d")->type(), types::Duration(TimeUnit::kMilli));
  EXPECT_EQ(back->index()->type(), types::Timestamp(TimeUnit::kMicro));
}

TEST(TableSerializeTest, SlicesAreWrittenCompactly) {
  auto table = Sample();
  for (int64_t offset = 0; offset < 5; ++offset) {
    for (int64_t length = 0; offset + length <= 5; ++length) {
      auto slice = table->Slice(offset, length);
      auto back = RoundTrip(*slice);
      ASSERT_TRUE(back->Equals(*slice)) << offset << "+" << length;
    }
  }
  std::string whole, part;
  SerializeTable(*table, &whole);
  SerializeTable(*table->Slice(1, 1), &part);
  EXPECT_LT(part.size(), whole.size());
}

TEST(TableSerializeTest, KeepsTheIndex) {
  auto table = Sample()->SetIndex("when");
  auto back = RoundTrip(*table);
  ASSERT_TRUE(back->has_index());
  EXPECT_EQ(back->index_name(), "when");
  EXPECT_TRUE(back->Equals(*table));
}

TEST(TableSerializeTest, RejectsForeignAndTruncatedBytes) {
  EXPECT_THROW(DeserializeTable("nope"), IOError);
  std::string bytes;
  SerializeTable(*Sample(), &bytes);
  for (size_t cut : {size_t(5), bytes.size() / 2, bytes.size() - 1}) {
    EXPECT_THROW(DeserializeTable(std::string_view(bytes).substr(0, cut)), IOError) << cut;
  }
}

}  // namespace
}  // namespace tessera
