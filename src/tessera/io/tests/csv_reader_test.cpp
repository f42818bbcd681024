#include "tessera/io/csv/csv_reader.hpp"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <cmath>
#include <random>

#include "tessera/base/civil_time.hpp"
#include "tessera/base/timestamp_parse.hpp"
#include "tessera/io/csv/csv_writer.hpp"
#include "tessera/io/tests/temp_directory.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::io {

namespace {

const std::string kDataDir = TESSERA_TEST_DATA_DIR "/csv/";

int64_t Ts(const std::string& text) {
  int64_t nanos = 0;
  EXPECT_TRUE(ParseIsoTimestamp(text, &nanos)) << text;
  return nanos;
}

CsvReadOptions Options(int64_t blocksize = int64_t(64) << 20) {
  CsvReadOptions options;
  options.blocksize = blocksize;
  return options;
}

}  // namespace

TEST(CsvReaderTest, GoldenTaxiFileWithCrlfMatchesPandas) {
  CsvReadOptions options;
  options.parse_dates = {"tpep_pickup_datetime", "tpep_dropoff_datetime"};
  auto table = ReadCsvTable({kDataDir + "taxi_crlf.csv"}, options);
  ASSERT_EQ(table->num_rows(), 30);
  ASSERT_EQ(table->num_columns(), 19);
  // dtypes and values as pandas.read_csv gives them for the same file.
  EXPECT_EQ(table->column("VendorID")->type(), types::Int64());
  EXPECT_EQ(table->column("tpep_pickup_datetime")->type(), types::Timestamp(TimeUnit::kMicro));
  EXPECT_EQ(table->column("trip_distance")->type(), types::Float64());
  EXPECT_EQ(table->column("store_and_fwd_flag")->type(), types::String());
  double fare = 0, longitude = 0;
  int64_t passengers = 0;
  uint64_t pickup_sum = 0;  // wraps like numpy's int64 sum, which gave the expected value
  for (int64_t i = 0; i < 30; ++i) {
    fare += table->column("fare_amount")->values<double>()[i];
    longitude += table->column("pickup_longitude")->values<double>()[i];
    passengers += table->column("passenger_count")->values<int64_t>()[i];
    pickup_sum += uint64_t(table->column("tpep_pickup_datetime")->values<int64_t>()[i]) * 1000;  // as ns
    EXPECT_EQ(table->column("store_and_fwd_flag")->GetString(i), "N");
  }
  EXPECT_NEAR(fare, 594.5, 1e-9);
  EXPECT_NEAR(longitude, -2219.2991288839376, 1e-9);
  EXPECT_EQ(passengers, 46);
  EXPECT_EQ(pickup_sum, 5708625468580896768ULL);
  EXPECT_EQ(table->column("pickup_latitude")->values<double>()[7], 40.71328304249445);
  EXPECT_EQ(table->column("total_amount")->null_count(), 0);
}

TEST(CsvReaderTest, GoldenQuirksFileMatchesPandas) {
  CsvReadOptions options;
  options.parse_dates = {"when"};
  for (int64_t blocksize : {int64_t(1) << 20, int64_t(5), int64_t(17)}) {
    options.blocksize = blocksize;
    auto table = ReadCsvTable({kDataDir + "quirks.csv"}, options);
    ASSERT_EQ(table->num_rows(), 4) << blocksize;
    auto expected = Table::Make(
        {"id", "name", "score", "flag", "when", "note"},
        {MakeInt64Column({1, 2, 3, 4}), MakeStringColumn({"Smith, John", "Ana", std::nullopt, "Zoë"}),
         MakeFloat64Column({1.5, std::nullopt, std::nullopt, -2000.0}),
         MakeBoolColumn({true, false, true, false}),
         MakeTimestampColumn({"2015-01-01 10:00:00", "2015-01-02 00:00:00", std::nullopt, "2015-01-03 04:05:06"},
                             TimeUnit::kMicro),
         MakeStringColumn({"said \"hi\"", "two\nlines", "plain", std::nullopt})});
    EXPECT_TRUE(table->Equals(*expected)) << "blocksize " << blocksize << "\n" << table->ToString();
  }
}

TEST(CsvReaderTest, InfersTypesLikePandas) {
  TempDirectory dir;
  const auto path = dir.Write("t.csv",
                              "i,f,missing_int,b,s,empty,big\n"
                              "1,1.5,1,True,x,,9223372036854775807\n"
                              "-2,2,,false,y,,-9223372036854775808\n"
                              "3,1e3,3,TRUE,7,,0\n");
  auto table = ReadCsvTable({path});
  EXPECT_EQ(table->column("i")->type(), types::Int64());
  EXPECT_EQ(table->column("f")->type(), types::Float64());
  EXPECT_EQ(table->column("missing_int")->type(), types::Float64());
  EXPECT_TRUE(std::isnan(table->column("missing_int")->values<double>()[1]));
  EXPECT_EQ(table->column("b")->type(), types::Bool());
  EXPECT_EQ(table->column("s")->type(), types::String());
  EXPECT_EQ(table->column("s")->GetString(2), "7");
  EXPECT_EQ(table->column("empty")->type(), types::Float64());
  EXPECT_EQ(table->column("empty")->null_count(), 3);
  EXPECT_EQ(table->column("big")->values<int64_t>()[0], INT64_MAX);
  EXPECT_EQ(table->column("big")->values<int64_t>()[1], INT64_MIN);
  EXPECT_EQ(table->column("f")->values<double>()[2], 1000.0);
}

TEST(CsvReaderTest, LateValuesWidenEveryPartitionConsistently) {
  // The odd values sit where neither the start, middle nor end sample looks.
  TempDirectory dir;
  std::string text = "n,code\n";
  const int rows = 60000;
  for (int i = 0; i < rows; ++i) {
    if (i == rows / 4) {
      text += "2.5,007\n";
    } else if (i == rows * 3 / 4) {
      text += ",x1\n";
    } else {
      text += std::to_string(i) + "," + std::to_string(i % 100) + "\n";
    }
  }
  const auto path = dir.Write("late.csv", text);
  CsvReadOptions options = Options(16 << 10);
  options.sample_bytes = 4 << 10;
  auto partitions = ReadCsv({path}, options);
  ASSERT_GT(partitions.size(), 10u);
  for (const auto& partition : partitions) {
    EXPECT_EQ(partition->column("n")->type(), types::Float64());
    EXPECT_EQ(partition->column("code")->type(), types::String());
  }
  auto table = ConcatenateTables(partitions);
  ASSERT_EQ(table->num_rows(), rows);
  EXPECT_EQ(table->column("n")->values<double>()[rows / 4], 2.5);
  EXPECT_TRUE(table->column("n")->IsNull(rows * 3 / 4));
  EXPECT_EQ(table->column("n")->values<double>()[rows - 1], double(rows - 1));
  EXPECT_EQ(table->column("code")->GetString(rows / 4), "007");
  EXPECT_EQ(table->column("code")->GetString(rows * 3 / 4), "x1");
  EXPECT_EQ(table->column("code")->GetString(5), "5");
}

TEST(CsvReaderTest, QuotedNewlinesAcrossEveryBlockBoundary) {
  // Every row has a quoted field with line breaks and separators, so block starts guessed
  // from line breaks are wrong most of the time and must be repaired.
  TempDirectory dir;
  std::string text = "id,text,value\n";
  std::vector<std::optional<std::string>> expected_text;
  for (int i = 0; i < 400; ++i) {
    const std::string body = "line " + std::to_string(i) + "\nnext,\"" + std::string(size_t(i % 7), 'q') + "\"\n";
    std::string quoted;
    for (char c : body) {
      quoted += c;
      if (c == '"') quoted += '"';
    }
    text += std::to_string(i) + ",\"" + quoted + "\"," + std::to_string(i * 0.5) + "\n";
    expected_text.push_back(body);
  }
  const auto path = dir.Write("quoted.csv", text);
  for (int64_t blocksize : {7, 64, 1000, 1 << 20}) {
    auto table = ReadCsvTable({path}, Options(blocksize));
    ASSERT_EQ(table->num_rows(), 400) << blocksize;
    EXPECT_TRUE(ColumnsEqual(*table->column("text"), *MakeStringColumn(expected_text))) << blocksize;
    EXPECT_EQ(table->column("id")->values<int64_t>()[399], 399);
    EXPECT_EQ(table->column("value")->values<double>()[399], 199.5);
  }
}

TEST(CsvReaderTest, RandomTablesRoundTripThroughWriterAtAnyBlockSize) {
  std::mt19937_64 rng(42);
  TempDirectory dir;
  for (int trial = 0; trial < 20; ++trial) {
    const int64_t rows = int64_t(rng() % 3000) + 1;
    std::vector<std::optional<int64_t>> ints;
    std::vector<std::optional<double>> floats;
    std::vector<std::optional<std::string>> strings, stamps;
    const std::vector<std::string> alphabet = {"a", "b", ",", "\"", "\n", "\r", " ", "é", ";", "日"};
    for (int64_t i = 0; i < rows; ++i) {
      ints.push_back(int64_t(rng()) >> (rng() % 64));
      floats.push_back(rng() % 10 == 0 ? std::nullopt
                                       : std::optional<double>(std::ldexp(double(int64_t(rng())), -int(rng() % 80))));
      std::string s = "s";
      for (uint64_t k = rng() % 12; k > 0; --k) s += alphabet[size_t(rng() % alphabet.size())];
      strings.push_back(rng() % 10 == 0 ? std::nullopt : std::optional<std::string>(s));
      stamps.push_back(rng() % 10 == 0 ? std::nullopt
                                       : std::optional<std::string>(civil::FormatTimestamp(
                                             int64_t(rng() % (4000000000ULL)) * 1000000000LL + int64_t(rng() % 3) * 250000000)));
    }
    auto original = Table::Make({"i", "f", "s", "t"}, {MakeInt64Column(ints), MakeFloat64Column(floats),
                                                       MakeStringColumn(strings), MakeTimestampColumn(stamps)});
    CsvWriteOptions write_options;
    write_options.index = false;
    const auto path = dir.Path("round" + std::to_string(trial) + ".csv");
    WriteCsvTable(*original, path, write_options);
    CsvReadOptions options = Options(int64_t(rng() % 5000) + 1);
    options.parse_dates = {"t"};
    options.date_unit = TimeUnit::kNano;  // the written values have nanosecond digits
    options.dtype = {{"s", "string"}};
    options.sample_bytes = int64_t(rng() % 4000) + 100;
    auto partitions = ReadCsv({path}, options);
    auto table = ConcatenateTables(partitions);
    ASSERT_TRUE(table->Equals(*original)) << "trial " << trial << " blocksize " << options.blocksize << "\n"
                                          << table->ToString() << "\nexpected\n" << original->ToString();
  }
}

TEST(CsvReaderTest, OptionsUsecolsDtypeNaValuesSkiprowsNrowsComment) {
  TempDirectory dir;
  const auto path = dir.Write("o.csv",
                              "# generated\n"
                              "skip me\n"
                              "a;b;c\n"
                              "1;missing;x\n"
                              "# a comment line\n"
                              "2;3;y # trailing comment\n"
                              "\n"
                              "4;5;z\n");
  CsvReadOptions options;
  options.sep = ';';
  options.skiprows = 2;
  options.comment = '#';
  options.na_values = {"missing"};
  options.usecols = {"c", "a"};
  options.dtype = {{"a", "int32"}};
  auto table = ReadCsvTable({path}, options);
  ASSERT_EQ(table->column_names(), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(table->column("a")->type(), types::Int32());
  EXPECT_TRUE(ColumnsEqual(*table->column("c"), *MakeStringColumn({"x", "y ", "z"})));
  options.usecols = {};
  auto all = ReadCsvTable({path}, options);
  EXPECT_TRUE(ColumnsEqual(*all->column("b"), *MakeFloat64Column({std::nullopt, 3.0, 5.0})));
  options.nrows = 2;
  EXPECT_EQ(ReadCsvTable({path}, options)->num_rows(), 2);
  options.nrows = 0;
  EXPECT_EQ(ReadCsvTable({path}, options)->num_rows(), 0);
  options.keep_default_na = false;
  options.na_values = {};
  options.nrows.reset();
  auto raw = ReadCsvTable({path}, options);
  EXPECT_EQ(raw->column("b")->type(), types::String());
  EXPECT_EQ(raw->column("b")->GetString(0), "missing");
}

TEST(CsvReaderTest, NrowsAcrossBlocksAndFiles) {
  TempDirectory dir;
  std::string text = "x\n";
  for (int i = 0; i < 1000; ++i) text += std::to_string(i) + "\n";
  dir.Write("d/1.csv", text);
  dir.Write("d/2.csv", text);
  CsvReadOptions options = Options(100);
  options.nrows = 1500;
  auto table = ReadCsvTable({dir.Path("d/*.csv")}, options);
  ASSERT_EQ(table->num_rows(), 1500);
  EXPECT_EQ(table->column("x")->values<int64_t>()[1499], 499);
}

TEST(CsvReaderTest, HeaderNoneNamesAndMangledDuplicates) {
  TempDirectory dir;
  const auto no_header = dir.Write("h.csv", "1,2\n3,4\n");
  CsvReadOptions options;
  options.header = -1;
  auto table = ReadCsvTable({no_header}, options);
  EXPECT_EQ(table->column_names(), (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(table->num_rows(), 2);
  options.names = {"p", "q"};
  EXPECT_EQ(ReadCsvTable({no_header}, options)->column("q")->values<int64_t>()[1], 4);
  const auto dupes = dir.Write("dupes.csv", "a,a,,b\n1,2,3,4\n");
  EXPECT_EQ(ReadCsvTable({dupes})->column_names(),
            (std::vector<std::string>{"a", "a.1", "Unnamed: 2", "b"}));
}

TEST(CsvReaderTest, GlobsListsAndManyPartitionsPreserveOrder) {
  TempDirectory dir;
  std::vector<int64_t> expected;
  for (int f = 0; f < 5; ++f) {
    std::string text = "k,v\n";
    for (int i = 0; i < 2000; ++i) {
      const int64_t k = f * 10000 + i;
      text += std::to_string(k) + "," + std::to_string(k % 7) + "\n";
      expected.push_back(k);
    }
    dir.Write("g/part-" + std::to_string(f) + ".csv", text);
  }
  auto partitions = ReadCsv({dir.Path("g/part-*.csv")}, Options(4096));
  EXPECT_GE(partitions.size(), 5u * 4);
  auto table = ConcatenateTables(partitions);
  EXPECT_TRUE(ColumnsEqual(*table->column("k"), *MakeColumn<int64_t>(types::Int64(), expected)));
  auto listed = ReadCsvTable({dir.Path("g/part-3.csv"), dir.Path("g/part-0.csv")});
  EXPECT_EQ(listed->column("k")->values<int64_t>()[0], 30000);
}

TEST(CsvReaderTest, GzipAndZstdFilesByExtension) {
  TempDirectory dir;
  std::string text = "a,b\n";
  for (int i = 0; i < 5000; ++i) text += std::to_string(i) + ",v" + std::to_string(i) + "\n";
  {
    gzFile gz = gzopen(dir.Path("x.csv.gz").c_str(), "wb");
    gzwrite(gz, text.data(), unsigned(text.size()));
    gzclose(gz);
  }
  std::string compressed(ZSTD_compressBound(text.size()), '\0');
  compressed.resize(ZSTD_compress(compressed.data(), compressed.size(), text.data(), text.size(), 3));
  dir.Write("x.csv.zst", compressed);
  const auto plain = ReadCsvTable({dir.Write("x.csv", text)});
  for (const char* name : {"x.csv.gz", "x.csv.zst"}) {
    auto table = ReadCsvTable({dir.Path(name)}, Options(10000));
    EXPECT_TRUE(table->Equals(*plain)) << name;
  }
}

TEST(CsvReaderTest, ParsedDatesTakeTheRequestedUnit) {
  TempDirectory dir;
  const auto path = dir.Write("u.csv", "t,s\n2015-01-01 10:00:00.123456789,1970-01-01 00:00:01.5\n,1969-12-31 23:59:59.5\n");
  for (TimeUnit unit : {TimeUnit::kSecond, TimeUnit::kMilli, TimeUnit::kMicro, TimeUnit::kNano}) {
    CsvReadOptions options;
    options.parse_dates = {"t", "s"};
    options.date_unit = unit;
    auto table = ReadCsvTable({path}, options);
    ASSERT_EQ(table->column("t")->type(), types::Timestamp(unit));
    // Finer digits are dropped toward the past, as astype to the coarser unit does.
    EXPECT_EQ(table->column("t")->values<int64_t>()[0], civil::FloorDiv(Ts("2015-01-01 10:00:00.123456789"), NanosPerTick(unit)));
    EXPECT_TRUE(table->column("t")->IsNull(1));
    EXPECT_EQ(table->column("s")->values<int64_t>()[1], civil::FloorDiv(-500'000'000, NanosPerTick(unit)));
  }
  // Years beyond nanoseconds read in coarser units; in nanoseconds they are an error naming the value.
  const auto far = dir.Write("far.csv", "t\n3000-01-01 00:00:01\n1500-01-01\n");
  CsvReadOptions seconds;
  seconds.parse_dates = {"t"};
  seconds.date_unit = TimeUnit::kSecond;
  const auto far_table = ReadCsvTable({far}, seconds);
  EXPECT_EQ(far_table->column("t")->values<int64_t>()[0], civil::DaysFromCivil(3000, 1, 1) * 86400 + 1);
  EXPECT_EQ(far_table->column("t")->values<int64_t>()[1], civil::DaysFromCivil(1500, 1, 1) * 86400);
  seconds.date_unit = TimeUnit::kNano;
  try {
    ReadCsvTable({far}, seconds);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("3000-01-01 00:00:01"), std::string::npos) << error.what();
  }
  // A declared dtype keeps its own unit.
  CsvReadOptions declared;
  declared.dtype = {{"t", "M8[ms]"}};
  EXPECT_EQ(ReadCsvTable({path}, declared)->column("t")->type(), types::Timestamp(TimeUnit::kMilli));
}

TEST(CsvReaderTest, DeclaredTypesCategoryDateAndFormats) {
  TempDirectory dir;
  const auto path = dir.Write("d.csv", "c,d,u,f32\nb,05/01/2015,7,1.5\na,06/01/2015,8,\nb,,9,2\n");
  CsvReadOptions options;
  options.dtype = {{"c", "category"}, {"u", "uint8"}, {"f32", "float32"}};
  options.parse_dates = {"d"};
  options.date_format = "%d/%m/%Y";
  auto table = ReadCsvTable({path}, options);
  const auto& c = table->column("c");
  ASSERT_EQ(c->type(), types::Categorical());
  EXPECT_EQ(c->dictionary()->GetString(0), "a");
  EXPECT_EQ(c->values<int32_t>()[0], 1);
  EXPECT_EQ(table->column("d")->type(), types::Timestamp(TimeUnit::kMicro));  // pandas 3's unit
  EXPECT_EQ(table->column("d")->values<int64_t>()[0], Ts("2015-01-05") / 1000);
  EXPECT_TRUE(table->column("d")->IsNull(2));
  EXPECT_EQ(table->column("u")->values<uint8_t>()[2], 9);
  EXPECT_EQ(table->column("f32")->values<float>()[0], 1.5f);
  EXPECT_TRUE(table->column("f32")->IsNull(1));
}

TEST(CsvReaderTest, HeaderOnlyFilesGiveEmptyTablesWithColumns) {
  TempDirectory dir;
  auto table = ReadCsvTable({dir.Write("h.csv", "a,b\n")});
  EXPECT_EQ(table->num_rows(), 0);
  EXPECT_EQ(table->column_names(), (std::vector<std::string>{"a", "b"}));
  // A header-only file next to a file with data adds no rows.
  dir.Write("m/1.csv", "a,b\n");
  dir.Write("m/2.csv", "a,b\n1,2\n");
  EXPECT_EQ(ReadCsvTable({dir.Path("m/*.csv")})->num_rows(), 1);
}

}  // namespace tessera::io
