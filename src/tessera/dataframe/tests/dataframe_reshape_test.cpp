// concat, repartition, sort_values and to_csv over many partitionings, against the whole table.
#include <filesystem>

#include "tessera/base/error.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/dataframe/tests/frame_testing.hpp"
#include "tessera/expr/column_expr.hpp"
#include "tessera/io/csv/csv_reader.hpp"
#include "tessera/io/csv/csv_writer.hpp"

namespace tessera::dataframe {
namespace {

using testing::FrameTest;
using testing::Partitionings;
using testing::RandomTable;

class ReshapeTest : public FrameTest {};

TEST_F(ReshapeTest, ConcatStacksFramesInOrder) {
  const TablePtr a = RandomTable(80, 21, true), b = RandomTable(50, 22, true);
  for (const auto& parts : Partitionings(a)) {
    const DataFrame stacked = concat({from_tables(parts), from_tables(Partitionings(b)[1])});
    EXPECT_EQ(stacked.npartitions(), int64_t(parts.size()) + 7);
    EXPECT_TABLES_NEAR(stacked.compute(scheduler_), ConcatenateTables({a, b}));
  }
  EXPECT_THROW(concat({from_tables({a}), from_tables({a->DropColumn("x")})}), TypeError);
  // Known, ordered divisions stay known; overlapping ones become unknown.
  const DataFrame first = from_table(a, 3), second = from_table(b->Slice(0, 0)->num_rows() == 0 ? a : b, 2);
  EXPECT_FALSE(concat({first, second}).known_divisions());  // both start at index 0
}

// `table` with an int64 column `name` holding `value` on every row.
TablePtr WithConstant(const TablePtr& table, const std::string& name, int64_t value) {
  return table->SetColumn(name, expr::ColumnExpr::Literal(compute::Scalar::Int64(value))->Evaluate(*table));
}

TEST_F(ReshapeTest, ZipPartitionsPairsTheIthPartitionsAndBroadcastsOnePartitionInputs) {
  const TablePtr table = RandomTable(90, 31, true);
  const TablePtr small = RandomTable(7, 32, true);
  const TablePtr meta = WithConstant(WithConstant(table, "partition", 0), "broadcast_rows", 0)->Slice(0, 0);
  for (const auto& parts : Partitionings(table)) {
    const DataFrame df = from_tables(parts);
    // the frame's partition i, its number and the rows of the broadcast input
    const auto function = [](int64_t i, const std::vector<TablePtr>& inputs) {
      EXPECT_EQ(inputs.size(), 3u);
      EXPECT_EQ(inputs[0]->num_rows(), inputs[1]->num_rows());  // the same partition of the same frame
      return WithConstant(WithConstant(inputs[0], "partition", i), "broadcast_rows", inputs[2]->num_rows());
    };
    const DataFrame zipped = zip_partitions({df, df, from_tables({small})}, {false, false, true}, function, meta,
                                            "zip-test", true);
    ASSERT_EQ(zipped.npartitions(), df.npartitions());
    EXPECT_EQ(zipped.known_divisions(), df.known_divisions());
    std::vector<TablePtr> expected;
    for (size_t i = 0; i < parts.size(); ++i) {
      expected.push_back(WithConstant(WithConstant(parts[i], "partition", int64_t(i)), "broadcast_rows", 7));
    }
    EXPECT_TABLES_NEAR(zipped.compute(scheduler_), ConcatenateTables(expected));
  }
  const auto identity = [](int64_t, const std::vector<TablePtr>& inputs) { return inputs[0]; };
  // unequal partition counts, or a broadcast input of several partitions, are errors naming them
  EXPECT_THROW(zip_partitions({from_table(table, 3), from_table(table, 4)}, {}, identity, table->Slice(0, 0), "z", false),
               InvalidArgument);
  EXPECT_THROW(zip_partitions({from_table(table, 3), from_table(table, 2)}, {false, true}, identity, table->Slice(0, 0),
                              "z", false),
               InvalidArgument);
  // a result that does not match the meta
  const auto wrong = [](int64_t, const std::vector<TablePtr>& inputs) { return inputs[0]->DropColumn("x"); };
  EXPECT_THROW(zip_partitions({from_table(table, 3)}, {}, wrong, table->Slice(0, 0), "z", false).compute(scheduler_),
               TypeError);
}

TEST_F(ReshapeTest, RepartitionMergesAndSplitsWithoutChangingRows) {
  const TablePtr table = RandomTable(200, 23, true);
  for (const auto& parts : Partitionings(table)) {
    const DataFrame df = from_tables(parts);
    for (int64_t n : {1, 2, 5, 40}) {
      const DataFrame re = df.repartition(n);
      EXPECT_EQ(re.npartitions(), n < df.npartitions() ? n : std::max<int64_t>(n, df.npartitions()));
      EXPECT_TABLES_NEAR(re.compute(scheduler_), table);
    }
    const DataFrame sized = df.repartition_by_size(table->nbytes() / 4, scheduler_);
    EXPECT_GE(sized.npartitions(), 4);
    EXPECT_TABLES_NEAR(sized.compute(scheduler_), table);
  }
  // Fewer partitions keep known divisions.
  const DataFrame indexed = from_table(table, 8);
  const DataFrame merged = indexed.repartition(3);
  ASSERT_TRUE(merged.known_divisions());
  EXPECT_EQ(merged.divisions().front().as_int64(), 0);
  EXPECT_EQ(merged.divisions().back().as_int64(), 199);
  EXPECT_TABLES_NEAR(merged.compute(scheduler_), table);
}

TEST_F(ReshapeTest, RepartitionByDivisionsMovesRowsToTheNewBoundaries) {
  const TablePtr table = RandomTable(120, 24, true);
  const DataFrame df = from_table(table, 5);
  expr::Divisions divisions;
  for (int64_t boundary : {0, 10, 50, 51, 119}) divisions.push_back(compute::Scalar::Int64(boundary));
  const DataFrame re = df.repartition(divisions);
  EXPECT_EQ(re.npartitions(), 4);
  EXPECT_TABLES_NEAR(re.compute(scheduler_), table);
  // Partition 1 holds index 10..49.
  const TablePtr second = re.partitions({1}).compute(scheduler_);
  EXPECT_EQ(second->num_rows(), 40);
  EXPECT_EQ(second->index()->values<int64_t>()[0], 10);
  EXPECT_THROW(from_tables({table}).repartition(divisions), InvalidArgument);
}

TEST_F(ReshapeTest, SortValuesMatchesAStableSortOfTheWholeTable) {
  const TablePtr table = RandomTable(300, 25, true);
  const std::vector<std::pair<std::vector<std::string>, std::vector<bool>>> cases = {
      {{"n"}, {}}, {{"x"}, {false}}, {{"k", "x"}, {true, false}}, {{"t", "n"}, {false, true}}};
  for (const auto& [by, ascending] : cases) {
    std::vector<compute::SortKey> keys;
    for (size_t i = 0; i < by.size(); ++i) keys.push_back({by[i], ascending.empty() || ascending[i]});
    const TablePtr expected = compute::SortTable(*table, keys);
    for (const auto& parts : Partitionings(table)) {
      SCOPED_TRACE(by[0] + " over " + std::to_string(parts.size()) + " partitions");
      EXPECT_TABLES_NEAR(from_tables(parts).sort_values(by, ascending, scheduler_).compute(scheduler_), expected);
    }
  }
  EXPECT_THROW(from_tables({table}).sort_values({"nope"}), KeyError);
}

TEST_F(ReshapeTest, ToCsvWritesOneFilePerPartitionThatReadsBack) {
  const auto directory = std::filesystem::temp_directory_path() / ("tessera-to-csv-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  const TablePtr table = RandomTable(90, 26)->DropColumn("z");
  io::CsvWriteOptions options;
  options.index = false;
  const auto paths = from_tables(Partitionings(table)[1]).to_csv((directory / "part-*.csv").string(), options, scheduler_);
  EXPECT_EQ(paths.size(), 7u);
  io::CsvReadOptions read;
  read.parse_dates = {"t"};
  const auto single = from_tables(Partitionings(table)[1]).to_csv((directory / "all.csv").string(), options, scheduler_);
  const TablePtr whole = io::ReadCsvTable({single[0]}, read);
  EXPECT_EQ(whole->num_rows(), 90);
  // The partition files hold the same rows, in order.
  EXPECT_TABLES_NEAR(io::ReadCsvTable({(directory / "part-*.csv").string()}, read), whole);
  int64_t rows = 0;
  for (size_t p = 0; p < paths.size(); ++p) {
    EXPECT_EQ(paths[p], (directory / ("part-" + std::to_string(p) + ".csv")).string());
    rows += io::ReadCsvTable({paths[p]}, read)->num_rows();
  }
  EXPECT_EQ(rows, 90);
  std::filesystem::remove_all(directory);
}

TEST_F(ReshapeTest, RollingWindowsReachAcrossPartitions) {
  // Timestamps with gaps and repeats, sorted, as an index.
  const TablePtr base = RandomTable(150, 27);
  const TablePtr table = compute::SortTable(*base, {{"t", true}})->SetIndex("t");
  const Column& x = *table->column("x");
  using compute::RollingFunction;
  for (auto function : {RollingFunction::kMean, RollingFunction::kSum, RollingFunction::kCount, RollingFunction::kMin,
                        RollingFunction::kMax, RollingFunction::kStd}) {
    const compute::RollingWindow rows{5, 0, 5, 1};
    const compute::RollingWindow span{0, int64_t(30) * 60 * 1000000000, 1, 1};  // "30min"
    const auto expect = [&](const compute::RollingWindow& window) {
      return Table::Make({"x"}, {compute::Rolling(x, window.rows ? nullptr : table->index().get(), window, function)},
                         table->index(), "t");
    };
    for (const auto& parts : Partitionings(table)) {
      SCOPED_TRACE(std::to_string(parts.size()) + " partitions");
      const Series series = from_tables(parts)["x"];
      auto run = [&](const Rolling& rolling) {
        switch (function) {
          case RollingFunction::kMean: return rolling.mean();
          case RollingFunction::kSum: return rolling.sum();
          case RollingFunction::kCount: return rolling.count();
          case RollingFunction::kMin: return rolling.min();
          case RollingFunction::kMax: return rolling.max();
          default: return rolling.std();
        }
      };
      EXPECT_TABLES_NEAR(run(series.rolling(5)).compute(scheduler_), expect(rows));
      EXPECT_TABLES_NEAR(run(series.rolling("30min")).compute(scheduler_), expect(span));
    }
  }
  EXPECT_THROW(from_tables({base})["x"].rolling("1h"), TypeError);
  EXPECT_THROW(from_tables({base})["x"].rolling(0), InvalidArgument);
}

}  // namespace
}  // namespace tessera::dataframe
