#include "tessera/io/csv/csv_writer.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tessera/io/csv/csv_reader.hpp"
#include "tessera/io/tests/temp_directory.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::io {

namespace {
std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}
}  // namespace

TEST(CsvWriterTest, WritesLikePandasToCsv) {
  TempDirectory dir;
  auto table = Table::Make({"i", "f", "s", "t", "b"},
                           {MakeInt64Column({1, std::nullopt}), MakeFloat64Column({1.0, 0.1}),
                            MakeStringColumn({"a,b", "say \"x\""}),
                            MakeTimestampColumn({"2015-01-01 00:00:00", "2015-01-01 00:00:00.5"}),
                            MakeBoolColumn({true, false})});
  const auto path = dir.Path("out.csv");
  WriteCsvTable(*table, path);
  EXPECT_EQ(Slurp(path),
            ",i,f,s,t,b\n"
            "0,1,1.0,\"a,b\",2015-01-01 00:00:00,True\n"
            "1,,0.1,\"say \"\"x\"\"\",2015-01-01 00:00:00.5,False\n");
  CsvWriteOptions options;
  options.index = false;
  options.na_rep = "NA";
  options.float_format = "%.2f";
  WriteCsvTable(*table->SelectColumns({"i", "f"}), path, options);
  EXPECT_EQ(Slurp(path), "i,f\n1,1.00\nNA,0.10\n");
}

TEST(CsvWriterTest, OneFilePerPartitionWithNameFunction) {
  TempDirectory dir;
  auto a = Table::Make({"x"}, {MakeInt64Column({1, 2})});
  auto b = Table::Make({"x"}, {MakeInt64Column({3})});
  CsvWriteOptions options;
  options.index = false;
  auto paths = WriteCsv({a, b}, dir.Path("out/part-*.csv"), options,
                        [](size_t i) { return "2015-0" + std::to_string(i + 1); });
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[1], dir.Path("out/part-2015-02.csv"));
  EXPECT_EQ(Slurp(paths[1]), "x\n3\n");
  auto back = ReadCsvTable({dir.Path("out/*.csv")});
  EXPECT_TRUE(back->Equals(*ConcatenateTables({a, b})));
  auto single = WriteCsv({a, b}, dir.Path("all.csv"), options);
  EXPECT_EQ(Slurp(single[0]), "x\n1\n2\n3\n");
  EXPECT_THROW(WriteCsv({a}, dir.Path("a*b*.csv")), InvalidArgument);
}

TEST(CsvWriterTest, IndexColumnIsWrittenWithItsName) {
  TempDirectory dir;
  auto table = Table::Make({"k", "v"}, {MakeStringColumn({"p", "q"}), MakeFloat64Column({0.5, std::nullopt})})
                   ->SetIndex("k");
  const auto path = dir.Path("i.csv");
  WriteCsvTable(*table, path);
  EXPECT_EQ(Slurp(path), "k,v\np,0.5\nq,\n");
}

}  // namespace tessera::io
