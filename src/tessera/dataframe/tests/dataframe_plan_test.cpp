// Sources, plans and execution of the lazy collections: read_csv against the eager reader,
// projection pushdown, fusion, common sub-expressions, persist, head/tail/len, timeseries,
// from_delayed, explain and printing.
#include <atomic>
#include <filesystem>
#include <fstream>

#include "tessera/base/error.hpp"
#include "tessera/base/timestamp_parse.hpp"
#include "tessera/compute/aggregate.hpp"
#include "tessera/compute/boolean.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/compare.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/dataframe/tests/frame_testing.hpp"
#include "tessera/io/csv/csv_reader.hpp"
#include "tessera/io/csv/csv_writer.hpp"

namespace tessera::dataframe {
namespace {

using testing::FrameTest;
using testing::Partitionings;
using testing::RandomTable;

// `frame` passed through a map_partitions that counts the partitions it sees.
DataFrame Counted(const DataFrame& frame, const std::shared_ptr<std::atomic<int>>& calls) {
  return frame.map_partitions(
      [calls](const TablePtr& t) {
        ++*calls;
        return t;
      },
      frame.meta(), "counted");
}

class DataFramePlanTest : public FrameTest {
 protected:
  DataFramePlanTest() {
    directory_ = std::filesystem::temp_directory_path() /
                 ("tessera-plan-test-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
  }
  ~DataFramePlanTest() override { std::filesystem::remove_all(directory_); }
  std::string Path(const std::string& name) const { return (directory_ / name).string(); }

  std::filesystem::path directory_;
};

TEST_F(DataFramePlanTest, ReadCsvMatchesTheEagerReaderAtAnyBlockSize) {
  const TablePtr table = RandomTable(2000, 3)->DropColumn("z");
  io::CsvWriteOptions write;
  write.index = false;
  io::WriteCsvTable(*table->Slice(0, 1200), Path("a.csv"), write);
  io::WriteCsvTable(*table->Slice(1200, 800), Path("b.csv"), write);
  for (int64_t blocksize : {int64_t(1) << 20, int64_t(4096), int64_t(300)}) {
    io::CsvReadOptions options;
    options.blocksize = blocksize;
    options.parse_dates = {"t"};
    const TablePtr expected = io::ReadCsvTable({Path("*.csv")}, options);
    const DataFrame df = read_csv(Path("*.csv"), options);
    EXPECT_GE(df.npartitions(), 2);
    EXPECT_TRUE(df.meta()->schema() == expected->schema());
    EXPECT_TABLES_NEAR(df.compute(scheduler_), expected);
  }
}

TEST_F(DataFramePlanTest, ReadCsvRereadsBlocksThatStartInsideQuotedLineBreaks) {
  std::ofstream out(Path("quoted.csv"));
  out << "id,text,value\n";
  for (int i = 0; i < 400; ++i) out << i << ",\"line one\nline two, still " << i << "\"," << i * 0.5 << "\n";
  out.close();
  io::CsvReadOptions options;
  options.blocksize = 97;  // many blocks start inside a quoted field
  const TablePtr expected = io::ReadCsvTable({Path("quoted.csv")}, options);
  ASSERT_EQ(expected->num_rows(), 400);
  EXPECT_TABLES_NEAR(read_csv(Path("quoted.csv"), options).compute(scheduler_), expected);
  EXPECT_TABLES_NEAR(read_csv(Path("quoted.csv"), options)["value"].to_frame().compute(scheduler_),
                     expected->SelectColumns({"value"}));
}

TEST_F(DataFramePlanTest, ReadCsvNamesTheFixWhenABlockNeedsAWiderType) {
  std::ofstream out(Path("wide.csv"));
  out << "a,b\n";
  for (int i = 0; i < 20000; ++i) out << i << "," << (i == 10000 ? "2.5" : std::to_string(i)) << "\n";
  out.close();
  io::CsvReadOptions options;
  options.sample_bytes = 1024;  // the float in the middle of the file is not sampled
  options.blocksize = 16 << 10;
  const DataFrame df = read_csv(Path("wide.csv"), options);
  EXPECT_EQ(df.dtypes().field(1).type, types::Int64());
  try {
    df.compute(scheduler_);
    FAIL() << "expected a TypeError";
  } catch (const TypeError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("wide.csv"), std::string::npos) << message;
    EXPECT_NE(message.find("dtype={'b': 'float64'}"), std::string::npos) << message;
  }
  options.dtype = {{"b", "float64"}};
  EXPECT_DOUBLE_EQ(read_csv(Path("wide.csv"), options)["b"].max().compute_double(scheduler_), 19999.0);
}

TEST_F(DataFramePlanTest, ProjectionPushdownParsesOnlyTheColumnsUsed) {
  const TablePtr table = RandomTable(500, 4)->DropColumn("z");
  io::CsvWriteOptions write;
  write.index = false;
  io::WriteCsvTable(*table, Path("t.csv"), write);
  const DataFrame df = read_csv(Path("t.csv"));
  const Scalar total = df[df["k"] > 1]["n"].sum();
  const std::string plan = total.explain();
  EXPECT_NE(plan.find("ReadCsv 1 file(s) [k, n] (2 of 7 columns)"), std::string::npos) << plan;
  const ColumnPtr mask = compute::Greater(*table->column("k"), compute::Scalar::Int64(1));
  EXPECT_EQ(total.compute(scheduler_).as_int64(), compute::Sum(*compute::Filter(*table->column("n"), *mask)).as_int64());
  // len reads one narrow column, not the row.
  EXPECT_NE(df.size().explain().find("(1 of 7 columns)"), std::string::npos) << df.size().explain();
  EXPECT_EQ(df.len(scheduler_), 500);
}

TEST_F(DataFramePlanTest, FiltersOnTheIndexReadOnlyMatchingPartitions) {
  datasets::TimeseriesOptions options;
  options.start = "2000-01-01";
  options.end = "2000-01-11";
  options.freq = "1h";
  const DataFrame df = timeseries(options);
  const TablePtr whole = df.compute(scheduler_);
  int64_t day3 = 0, day5 = 0;
  ParseIsoTimestamp("2000-01-03", &day3);
  ParseIsoTimestamp("2000-01-05", &day5);
  const compute::Scalar low = compute::Scalar::Timestamp(day3), high = compute::Scalar::Timestamp(day5);
  const DataFrame window = df[(df.index() >= low) & (df.index() < high)][std::vector<std::string>{"x"}];
  const std::string plan = window.explain();
  EXPECT_NE(plan.find("Partitions [2, 3]"), std::string::npos) << plan;
  const ColumnPtr mask = compute::And(*compute::GreaterEqual(*whole->index(), low), *compute::Less(*whole->index(), high));
  EXPECT_TABLES_NEAR(window.compute(scheduler_), compute::Filter(*whole->SelectColumns({"x"}), *mask));
  // A filter on a computed column is pushed below the projection, and two filters merge.
  const DataFrame chain = df.assign("y", df["x"] * 2)[df["id"] > 1000][df["x"] > 0];
  const std::string chained = chain.explain();
  EXPECT_LT(chained.find("Project"), chained.find("Filter")) << chained;
  EXPECT_NE(chained.find("Filter ((id > 1000) & (x > 0))"), std::string::npos) << chained;
  EXPECT_EQ(chain.len(scheduler_), compute::Sum(*compute::Cast(*compute::And(*compute::Greater(*whole->column("id"), compute::Scalar::Int64(1000)),
                                                                               *compute::Greater(*whole->column("x"), compute::Scalar::Float64(0))),
                                                         types::Int64())).as_int64());
}

TEST_F(DataFramePlanTest, ElementwiseChainsFuseIntoOneTaskPerPartition) {
  const auto parts = Partitionings(RandomTable(100, 5))[1];  // 7 partitions
  const DataFrame df = from_tables(parts);
  const DataFrame chain = df[df["x"] > 0].assign("y", df["x"] * 2)[std::vector<std::string>{"y", "k"}];
  const std::string plan = chain.explain();
  // 7 fused filter+assign+getitem tasks and one task concatenating them.
  EXPECT_NE(plan.find("tasks: 8"), std::string::npos) << plan;
}

TEST_F(DataFramePlanTest, SharedWorkRunsOnceWhenComputedTogether) {
  const auto parts = Partitionings(RandomTable(200, 6))[1];
  auto calls = std::make_shared<std::atomic<int>>(0);
  const DataFrame df = Counted(from_tables(parts), calls);
  const auto results = compute_all({df["x"].sum().node(), df["n"].max().node(), df["x"].sum().node()}, scheduler_);
  EXPECT_EQ(calls->load(), int(parts.size()));
  EXPECT_TABLES_NEAR(results[0], results[2]);
  EXPECT_EQ(results[1]->column(0)->values<int64_t>()[0], compute::Max(*RandomTable(200, 6)->column("n")).as_int64());
}

TEST_F(DataFramePlanTest, PersistKeepsPartitionsAndLaterWorkStartsFromThem) {
  const TablePtr table = RandomTable(300, 8, true);
  auto calls = std::make_shared<std::atomic<int>>(0);
  const DataFrame df = Counted(from_tables(Partitionings(table)[2]), calls);
  const DataFrame persisted = df.persist(scheduler_);
  const int after_persist = calls->load();
  EXPECT_EQ(after_persist, int(df.npartitions()));
  EXPECT_EQ(persisted.npartitions(), df.npartitions());
  EXPECT_NE(persisted.explain().find("FromPersisted"), std::string::npos);
  EXPECT_TABLES_NEAR(persisted.compute(scheduler_), table);
  EXPECT_EQ(persisted.len(scheduler_), 300);
  // The original plan's keys are held too, so computing it again reads them.
  EXPECT_TABLES_NEAR(df.compute(scheduler_), table);
  EXPECT_EQ(calls->load(), after_persist);
}

TEST_F(DataFramePlanTest, HeadAndTailComputeOnlyWhatTheyNeed) {
  const TablePtr table = RandomTable(100, 9, true);
  for (const auto& parts : Partitionings(table)) {
    const DataFrame df = from_tables(parts);
    EXPECT_TABLES_NEAR(df.head(5, scheduler_), table->Slice(0, 5));
    EXPECT_TABLES_NEAR(df.tail(7, scheduler_), table->Slice(93, 7));
    EXPECT_TABLES_NEAR(df.head(1000, scheduler_), table);
    EXPECT_EQ(df.len(scheduler_), 100);
  }
  auto calls = std::make_shared<std::atomic<int>>(0);
  const DataFrame counted = Counted(from_tables(Partitionings(table)[1]), calls);
  counted.head(3, scheduler_);
  EXPECT_EQ(calls->load(), 1);
}

TEST_F(DataFramePlanTest, TimeseriesHasKnownDailyDivisions) {
  datasets::TimeseriesOptions options;
  options.start = "2000-01-01";
  options.end = "2000-01-05";
  options.freq = "1h";
  const DataFrame df = timeseries(options);
  EXPECT_EQ(df.npartitions(), 4);
  ASSERT_TRUE(df.known_divisions());
  EXPECT_EQ(df.divisions()[0].ToString(), "2000-01-01 00:00:00");
  EXPECT_EQ(df.divisions()[4].ToString(), "2000-01-05 00:00:00");
  EXPECT_TABLES_NEAR(df.compute(scheduler_), ConcatenateTables(datasets::Timeseries(options).partitions));
  EXPECT_TRUE(df[df["x"] > 0].known_divisions());
  const std::string text = df.ToString();
  EXPECT_NE(text.find("npartitions=4"), std::string::npos) << text;
  EXPECT_NE(text.find("float64"), std::string::npos) << text;
  EXPECT_NE(text.find("2000-01-05 00:00:00"), std::string::npos) << text;
}

TEST_F(DataFramePlanTest, FromTableSplitsByIndexWithKnownDivisions) {
  const TablePtr table = RandomTable(100, 10, true);
  const DataFrame df = from_table(table, 4);
  EXPECT_EQ(df.npartitions(), 4);
  ASSERT_TRUE(df.known_divisions());
  EXPECT_EQ(df.divisions().front().as_int64(), 0);
  EXPECT_EQ(df.divisions().back().as_int64(), 99);
  EXPECT_TABLES_NEAR(df.compute(scheduler_), table);
}

TEST_F(DataFramePlanTest, FromDelayedTablesBecomePartitions) {
  const auto parts = Partitionings(RandomTable(60, 11))[1];
  std::vector<Delayed<TablePtr>> lazy;
  for (const auto& part : parts) {
    lazy.push_back(delayed([](TablePtr t) { return t; })(part));
  }
  const DataFrame df = from_delayed(lazy, nullptr, scheduler_);
  EXPECT_EQ(df.npartitions(), int64_t(parts.size()));
  EXPECT_TABLES_NEAR(df.compute(scheduler_), ConcatenateTables(parts));
  const auto mismatched = std::vector<Delayed<TablePtr>>{lazy[0], delayed([](TablePtr t) { return t->DropColumn("x"); })(parts[1])};
  EXPECT_THROW(from_delayed(mismatched, nullptr, scheduler_), TypeError);
}

TEST_F(DataFramePlanTest, PrintingShowsStructureNotData) {
  const DataFrame df = from_tables(Partitionings(RandomTable(50, 12))[1]);
  const std::string text = df.ToString();
  EXPECT_NE(text.find("tessera DataFrame Structure:"), std::string::npos);
  EXPECT_NE(text.find("npartitions=7"), std::string::npos);
  EXPECT_NE(text.find("datetime64[ns]"), std::string::npos);
  EXPECT_NE(text.find("..."), std::string::npos);
  EXPECT_EQ(text.find("apple"), std::string::npos) << text;  // no values
  EXPECT_NE(df["x"].ToString().find("tessera Series Structure:"), std::string::npos);
}

TEST_F(DataFramePlanTest, TaskErrorsNameTheTaskAndLeaveTheSchedulerUsable) {
  const DataFrame df = from_tables(Partitionings(RandomTable(50, 13))[1]);
  const DataFrame failing = df.map_partitions(
      [](const TablePtr& t) -> TablePtr {
        if (t->num_rows() > 0 && t->column("n")->values<int64_t>()[0] >= 0) throw InvalidArgument("bad partition");
        return t;
      },
      df.meta(), "explode");
  try {
    failing.compute(scheduler_);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& error) {
    EXPECT_NE(std::string(error.what()).find("explode"), std::string::npos) << error.what();
  }
  EXPECT_EQ(df.len(scheduler_), 50);
}

}  // namespace
}  // namespace tessera::dataframe
