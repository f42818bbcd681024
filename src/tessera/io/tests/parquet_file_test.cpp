// Reading Parquet files written by pyarrow (tests/data/parquet/make_golden.py says how each was
// written and which formulas give its values), and clear errors for bad files.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "tessera/base/error.hpp"
#include "tessera/io/parquet/parquet_file.hpp"

namespace tessera::io::parquet {
namespace {

std::string Golden(const std::string& name) { return std::string(TESSERA_TEST_DATA_DIR) + "/parquet/" + name; }

void ExpectGoldenValues(const ParquetFile& file) {
  ASSERT_EQ(file.num_rows(), 300);
  ASSERT_EQ(file.columns().size(), 4u);
  EXPECT_EQ(file.columns()[0].type, types::Int64());
  EXPECT_EQ(file.columns()[1].type, types::Int32());
  EXPECT_EQ(file.columns()[2].type, types::Float64());
  EXPECT_EQ(file.columns()[3].type, types::String());
  int64_t row = 0;
  for (int g = 0; g < file.num_row_groups(); ++g) {
    const TablePtr table = file.ReadRowGroup(g, {3, 0, 1, 2});
    ASSERT_EQ(table->num_rows(), file.row_group_num_rows(g));
    const auto& s = table->column("s");
    const auto& i64 = table->column("i64");
    const auto& i32 = table->column("i32");
    const auto& f64 = table->column("f64");
    for (int64_t r = 0; r < table->num_rows(); ++r, ++row) {
      ASSERT_EQ(i64->values<int64_t>()[r], row * 3 - 7) << file.path() << " row " << row;
      ASSERT_EQ(i32->values<int32_t>()[r], row - 50) << row;
      if (row % 5 == 0) {
        ASSERT_TRUE(f64->IsNull(r)) << row;
        ASSERT_TRUE(std::isnan(f64->values<double>()[r])) << row;
        ASSERT_TRUE(s->IsNull(r)) << row;
      } else {
        ASSERT_EQ(f64->values<double>()[r], double(row) / 4) << row;
        ASSERT_EQ(s->GetString(r), "s" + std::to_string(row % 7)) << row;
      }
    }
    EXPECT_EQ(f64->null_count(), s->null_count());
  }
  EXPECT_EQ(row, 300);
}

TEST(ParquetFile, ReadsPlainDictionaryDeltaAndByteStreamSplitFiles) {
  for (const char* name : {"plain_v1_none.parquet", "dict_v2_snappy.parquet", "delta_v2_zstd.parquet",
                           "delta_length_gzip.parquet"}) {
    SCOPED_TRACE(name);
    ExpectGoldenValues(*ParquetFile::Open(Golden(name)));
  }
}

TEST(ParquetFile, SmallRowGroupsGiveStatisticsOfEachChunk) {
  const auto file = ParquetFile::Open(Golden("plain_v1_none.parquet"));
  ASSERT_EQ(file->num_row_groups(), 3);  // 128 + 128 + 44 rows
  const ColumnChunkStatistics stats = file->Statistics(1, 0);
  ASSERT_NE(stats.min_max, nullptr);
  EXPECT_EQ(stats.min_max->values<int64_t>()[0], 128 * 3 - 7);
  EXPECT_EQ(stats.min_max->values<int64_t>()[1], 255 * 3 - 7);
  const ColumnChunkStatistics strings = file->Statistics(0, 3);
  ASSERT_NE(strings.min_max, nullptr);
  EXPECT_EQ(strings.min_max->GetString(0), "s0");  // row 7
  EXPECT_EQ(strings.min_max->GetString(1), "s6");
  EXPECT_EQ(strings.null_count, 26);  // rows 0, 5, ..., 125
}

TEST(ParquetFile, NestedColumnsAreNamedInTheError) {
  const auto file = ParquetFile::Open(Golden("nested_list.parquet"));
  ASSERT_EQ(file->columns().size(), 2u);
  const TablePtr ids = file->ReadRowGroup(0, {0});
  EXPECT_EQ(ids->column(0)->values<int64_t>()[1], 2);
  try {
    file->ReadRowGroup(0, {1});
    FAIL() << "reading a list column must fail";
  } catch (const NotImplemented& e) {
    EXPECT_NE(std::string(e.what()).find("column 'tags'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nested"), std::string::npos) << e.what();
  }
}

class ParquetBadFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& bytes) {
    const auto path = std::filesystem::temp_directory_path() / ("tessera_parquet_" + name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
  }
  static std::string Bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
};

TEST_F(ParquetBadFileTest, NonParquetAndTruncatedFilesNameTheFile) {
  const std::string csv = Write("text.parquet", "a,b\n1,2\n");
  try {
    ParquetFile::Open(csv);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find(csv), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a Parquet file"), std::string::npos) << e.what();
  }
  const std::string good = Bytes(Golden("dict_v2_snappy.parquet"));
  // Cut off the front: the footer's offsets then point outside the file or at garbage.
  const std::string cut = Write("cut.parquet", good.substr(good.size() / 2));
  try {
    const auto file = ParquetFile::Open(cut);
    file->ReadRowGroup(0, {0, 1, 2, 3});
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("row group 0 column 'i64'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ParquetFile::Open(Write("tail.parquet", good.substr(0, good.size() - 3))), ParseError);
}

TEST_F(ParquetBadFileTest, EveryFlippedByteGivesAnErrorOrValuesNeverACrash) {
  for (const char* name : {"dict_v2_snappy.parquet", "delta_v2_zstd.parquet", "plain_v1_none.parquet"}) {
    const std::string good = Bytes(Golden(name));
    for (size_t at = 0; at < good.size(); at += 11) {
      std::string bad = good;
      bad[at] = char(bad[at] ^ 0x5a);
      const std::string path = Write("flipped.parquet", bad);
      try {
        const auto file = ParquetFile::Open(path);
        for (int g = 0; g < file->num_row_groups(); ++g) {
          for (int c = 0; c < int(file->columns().size()); ++c) file->ReadColumnChunk(g, c);
        }
      } catch (const Error&) {
        // ParseError, IOError or NotImplemented, each naming the file: all acceptable.
      }
    }
  }
}

}  // namespace
}  // namespace tessera::io::parquet
