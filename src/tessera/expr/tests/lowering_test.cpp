// Lowering and graphs as data, without threads: for every node kind a plan using it is
// optimized and lowered, its graph is written to bytes and read back, both graphs run on the
// sequential reference evaluator, and the results must be equal (and equal to an oracle computed
// on the whole table where the node has one).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "tessera/base/error.hpp"
#include "tessera/compute/group_by.hpp"
#include "tessera/compute/partition.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/expr/broadcast_node.hpp"
#include "tessera/expr/combine_node.hpp"
#include "tessera/expr/group_by_node.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/expr/merge_node.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/expr/optimizer.hpp"
#include "tessera/expr/read_parquet_node.hpp"
#include "tessera/expr/reduction.hpp"
#include "tessera/expr/rolling_node.hpp"
#include "tessera/expr/sort_node.hpp"
#include "tessera/graph/evaluate.hpp"
#include "tessera/graph/serialize.hpp"
#include "tessera/table/column_builder.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {
namespace {

// k: int64 keys 0..4 with nulls, g: strings, x: float64 with NaN, n: int64 0..99, t: timestamps.
TablePtr Sample(int64_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> small(0, 4), percent(0, 99);
  FixedWidthBuilder<int64_t> k(types::Int64(), rows), n(types::Int64(), rows), t(types::Timestamp(), rows);
  FixedWidthBuilder<double> x(types::Float64(), rows);
  StringBuilder g(rows, rows * 2);
  for (int64_t i = 0; i < rows; ++i) {
    if (percent(rng) < 10) k.AppendNull(); else k.Append(small(rng));
    g.Append(std::string(1, char('a' + small(rng) % 3)));
    x.Append(percent(rng) < 10 ? std::nan("") : double(percent(rng)) / 4);
    n.Append(percent(rng));
    t.Append(int64_t(1430784000) * 1000000000 + i * 60000000000LL);
  }
  return Table::Make({"k", "g", "x", "n", "t"}, {k.Finish(), g.Finish(), x.Finish(), n.Finish(), t.Finish()});
}

std::vector<TablePtr> Cut(const TablePtr& table, int64_t parts) {
  std::vector<TablePtr> out;
  const int64_t rows = table->num_rows();
  for (int64_t p = 0; p < parts; ++p) out.push_back(table->Slice(rows * p / parts, rows * (p + 1) / parts - rows * p / parts));
  return out;
}

NodePtr Frame(int64_t rows = 300, int64_t parts = 4, uint64_t seed = 3) { return FromTablesNode::Make(Cut(Sample(rows, seed), parts)); }

ColumnExprPtr Col(const std::string& name) { return ColumnExpr::Column(name); }

// Runs the lowered plan in process and from its bytes; both must agree. Returns the result.
TablePtr RoundTrip(const NodePtr& root) {
  LoweredGraph lowered = LowerForCompute(Optimize({root}), nullptr);
  const graph::Key key = lowered.outputs.at(0).at(0);
  graph::Graph copy = graph::DeserializeGraph(graph::SerializeGraph(lowered.graph));
  lowered.graph.Finalize();
  copy.Finalize();
  EXPECT_FALSE(copy.needs_same_process());
  EXPECT_EQ(copy.num_tasks(), lowered.graph.num_tasks());
  const TablePtr local = TableOf(graph::EvaluateSequential(lowered.graph, {key}).values.at(0));
  const TablePtr remote = TableOf(graph::EvaluateSequential(copy, {key}).values.at(0));
  EXPECT_TRUE(local->Equals(*remote)) << root->Describe() << "\nin process:\n"
                                      << local->ToString() << "\nfrom bytes:\n" << remote->ToString();
  return local;
}

TablePtr Whole(const NodePtr& source_frame) {
  std::vector<TablePtr> tables;
  for (const auto& table : static_cast<const FromTablesNode&>(*source_frame).tables()) tables.push_back(table);
  return ConcatenateTables(tables);
}

TEST(LoweringRoundTripTest, ReadCsvWithProjectionAndFilter) {
  const auto path = std::filesystem::temp_directory_path() / ("tessera_lowering_" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream out(path);
    out << "a,b,c\n";
    for (int i = 0; i < 2000; ++i) out << i << "," << (i % 7) << ",\"w" << i % 3 << "\"\n";
  }
  io::CsvReadOptions options;
  options.blocksize = 4096;
  auto plan = std::make_shared<const io::CsvPlan>(io::PlanCsv({path.string()}, options));
  ASSERT_GT(plan->blocks.size(), 3u);
  const NodePtr csv = ReadCsvNode::Make(plan);
  const NodePtr filtered = FilterNode::Make(csv, ColumnExpr::Call("gt", {Col("b"), ColumnExpr::Literal(compute::Scalar::Int64(4))}));
  const NodePtr projected = ProjectNode::Make(filtered, {{"a", Col("a")}, {"a2", ColumnExpr::Call("mul", {Col("a"), Col("b")})}});
  const TablePtr result = RoundTrip(projected);
  int64_t expected_rows = 0;
  for (int i = 0; i < 2000; ++i) expected_rows += i % 7 > 4;
  ASSERT_EQ(result->num_rows(), expected_rows);
  EXPECT_EQ(result->column("a2")->values<int64_t>()[0], 5 * 5);  // row a=5, b=5
  std::filesystem::remove(path);
}

TEST(LoweringRoundTripTest, ReadParquetTravelsAsPathsAndPieces) {
  const std::string file = std::string(TESSERA_TEST_DATA_DIR) + "/parquet/dict_v2_snappy.parquet";
  io::parquet::ParquetReadOptions options;
  options.split_row_groups = 1;
  auto plan = std::make_shared<const io::parquet::ParquetPlan>(io::parquet::PlanParquet({file}, options));
  const TablePtr result = RoundTrip(ReadParquetNode::Make(plan, false));
  EXPECT_TRUE(result->Equals(*io::parquet::ReadParquetTable({file}, options)));
}

TEST(LoweringRoundTripTest, ProjectFilterAndMapPartitionsFuseIntoOneStage) {
  const NodePtr frame = Frame();
  const NodePtr filtered = FilterNode::Make(frame, ColumnExpr::Call("lt", {Col("n"), ColumnExpr::Literal(compute::Scalar::Int64(50))}));
  const NodePtr projected = ProjectNode::Make(filtered, {{"k", Col("k")}, {"n", Col("n")}, {"y", ColumnExpr::Call("add", {Col("x"), Col("n")})}});
  const NodePtr indexed = IndexByColumn(projected, "n", {});
  const TablePtr result = RoundTrip(indexed);
  const TablePtr whole = Whole(frame);
  int64_t rows = 0;
  for (int64_t i = 0; i < whole->num_rows(); ++i) rows += whole->column("n")->values<int64_t>()[i] < 50;
  EXPECT_EQ(result->num_rows(), rows);
  EXPECT_EQ(result->index_name(), "n");
}

TEST(LoweringRoundTripTest, HeadPartitionsConcatAndRepartition) {
  const NodePtr frame = Frame(200, 5);
  EXPECT_EQ(RoundTrip(HeadNode::Make(frame, 70, 2))->num_rows(), 70);
  EXPECT_TRUE(RoundTrip(PartitionsNode::Make(frame, {3, 1}))->Equals(*ConcatenateTables(
      {static_cast<const FromTablesNode&>(*frame).tables()[3], static_cast<const FromTablesNode&>(*frame).tables()[1]})));
  EXPECT_TRUE(RoundTrip(ConcatNode::Make({frame, frame}))->Equals(*ConcatenateTables({Whole(frame), Whole(frame)})));
  std::vector<RepartitionNode::Part> parts{{{0, 1}, 0, 1}, {{2}, 0, 2}, {{2}, 1, 2}, {{3, 4}, 0, 1}};
  EXPECT_TRUE(RoundTrip(RepartitionNode::Make(frame, parts, {}))->Equals(*Whole(frame)));
}

TEST(LoweringRoundTripTest, ShuffleKeepsEveryRow) {
  const NodePtr frame = Frame();
  const TablePtr shuffled = RoundTrip(ShuffleNode::Make(frame, {"k"}, 3));
  EXPECT_EQ(shuffled->num_rows(), Whole(frame)->num_rows());
  const TablePtr sorted = compute::SortTable(*shuffled, {{"n", true}, {"x", true}, {"t", true}});
  const TablePtr expected = compute::SortTable(*Whole(frame), {{"n", true}, {"x", true}, {"t", true}});
  EXPECT_TRUE(sorted->Equals(*expected));
}

TEST(LoweringRoundTripTest, ReductionsAndGroupBys) {
  const NodePtr frame = Frame(500, 6);
  std::vector<ReduceSpec> specs{{"x", ReduceFunction::kSum},   {"n", ReduceFunction::kMean},
                                {"x", ReduceFunction::kStd},   {"g", ReduceFunction::kNUnique},
                                {"n", ReduceFunction::kQuantile}, {"t", ReduceFunction::kMean},
                                {"x", ReduceFunction::kIdxMax}};
  std::vector<std::string> labels{"sum", "mean", "std", "nunique", "q", "tmean", "idxmax"};
  for (auto& spec : specs) spec.q = 0.25;
  const auto reduce = ReduceNode::Make(frame, specs, ReduceShape::kSeriesByLabel, labels, 2);
  const TablePtr reduced = RoundTrip(reduce);
  EXPECT_TRUE(reduced->Equals(*static_cast<const ReduceNode&>(*reduce).ReduceTable(Whole(frame))));

  GroupBySpec mean;
  mean.keys = {"k"};
  mean.aggregations = {{"x", "mean"}, {"n", "max"}, {"g", "first"}, {"", "size"}};  // exact: x holds quarters
  mean.split_every = 2;
  const NodePtr grouped = GroupByNode::Make(frame, mean);
  EXPECT_TRUE(RoundTrip(grouped)->Equals(*static_cast<const GroupByNode&>(*grouped).AggregateTable(Whole(frame))));

  GroupBySpec split = mean;
  split.split_out = 3;
  split.sort = false;
  split.aggregations.push_back({"n", "var", "n_var"});
  EXPECT_EQ(RoundTrip(GroupByNode::Make(frame, split))->num_rows(), 5);  // keys 0..4; the null key is dropped

  GroupBySpec unique;
  unique.keys = {"g"};
  unique.aggregations = {{"n", "nunique"}};
  unique.split_out = 2;
  const NodePtr nunique = GroupByNode::Make(frame, unique);
  const TablePtr by_group = compute::SortTable(*RoundTrip(nunique)->ResetIndex(), {{"g", true}});
  EXPECT_TRUE(by_group->Equals(*static_cast<const GroupByNode&>(*nunique).AggregateTable(Whole(frame))->ResetIndex()));

  GroupBySpec counts;
  counts.keys = {"g"};
  counts.aggregations = {{"", "size", "count"}};
  counts.value_counts = true;
  const NodePtr value_counts = GroupByNode::Make(frame, counts);
  EXPECT_TRUE(RoundTrip(value_counts)->Equals(*static_cast<const GroupByNode&>(*value_counts).AggregateTable(Whole(frame))));
}

TEST(LoweringRoundTripTest, BroadcastScalarsOntoEveryRow) {
  // x - mean(x) over a frame with the mean broadcast onto its rows, against a reference loop.
  const NodePtr frame = Frame(300, 4);
  const NodePtr mean = ReduceNode::Make(frame, {{"x", ReduceFunction::kMean}}, ReduceShape::kScalar, {}, 2);
  const NodePtr broadcast = BroadcastScalarsNode::Make(frame, {mean}, {"__m"});
  const NodePtr centred = ProjectNode::Make(broadcast, {{"d", ColumnExpr::Call("sub", {Col("x"), Col("__m")})}});
  const TablePtr result = RoundTrip(centred);
  const TablePtr whole = Whole(frame);
  const auto* x = whole->column("x")->values<double>();
  double sum = 0;
  int64_t count = 0;
  for (int64_t i = 0; i < whole->num_rows(); ++i) {
    if (!std::isnan(x[i])) sum += x[i], ++count;
  }
  ASSERT_EQ(result->num_rows(), whole->num_rows());
  for (int64_t i = 0; i < whole->num_rows(); ++i) {
    const double got = result->column("d")->values<double>()[i];
    if (std::isnan(x[i])) EXPECT_TRUE(std::isnan(got));
    else EXPECT_DOUBLE_EQ(got, x[i] - sum / double(count));
  }
}

TEST(LoweringRoundTripTest, SetIndexByBoundariesBothMethods) {
  const NodePtr frame = Frame(400, 5);
  const std::vector<compute::Scalar> boundaries{compute::Scalar::Int64(0), compute::Scalar::Int64(30),
                                                compute::Scalar::Int64(60), compute::Scalar::Int64(99)};
  const TablePtr expected = SortIntoIndex(Whole(frame), "n");
  for (auto method : {SortByBoundariesNode::Method::kDirect, SortByBoundariesNode::Method::kPieces}) {
    const TablePtr sorted = RoundTrip(SortByBoundariesNode::Make(frame, "n", boundaries, method));
    EXPECT_EQ(sorted->num_rows(), expected->num_rows());
    EXPECT_TRUE(Table::Make({"n"}, {sorted->index()})->Equals(*Table::Make({"n"}, {expected->index()})));
  }
}

TEST(LoweringRoundTripTest, RollingAcrossPartitions) {
  const NodePtr frame = Frame(120, 4);
  const NodePtr values = IndexByColumn(ProjectNode::Make(frame, {{"n", Col("n")}, {"t", Col("t")}}), "t", {});
  compute::RollingWindow rows;
  rows.rows = 5;
  rows.min_periods = 5;
  const TablePtr by_rows = RoundTrip(RollingNode::Make(values, rows, compute::RollingFunction::kSum));
  compute::RollingWindow span;
  span.span = int64_t(180) * 1000000000;
  const TablePtr by_time = RoundTrip(RollingNode::Make(values, span, compute::RollingFunction::kMean));
  EXPECT_EQ(by_rows->num_rows(), 120);
  EXPECT_EQ(by_time->num_rows(), 120);
}

TEST(LoweringRoundTripTest, MergeBroadcastAndShuffle) {
  const NodePtr left = Frame(300, 4, 5);
  FixedWidthBuilder<int64_t> keys(types::Int64(), 5);
  StringBuilder labels(5, 10);
  for (int i = 0; i < 5; ++i) {
    keys.Append(i);
    labels.Append("L" + std::to_string(i));
  }
  const TablePtr names = Table::Make({"k", "label"}, {keys.Finish(), labels.Finish()});
  compute::JoinOptions options;
  options.left_on = options.right_on = {"k"};
  const TablePtr expected = compute::Join(*Whole(left), *names, options);
  const NodePtr broadcast = MergeNode::Make(left, FromTablesNode::Make({names}), options);
  ASSERT_EQ(static_cast<const MergeNode&>(*broadcast).plan(), MergeNode::Plan::kBroadcastRight);
  EXPECT_TRUE(RoundTrip(broadcast)->Equals(*expected));
  const NodePtr shuffled = MergeNode::Make(left, FromTablesNode::Make(Cut(names, 2)), options, 3);
  ASSERT_EQ(static_cast<const MergeNode&>(*shuffled).plan(), MergeNode::Plan::kShuffle);
  const TablePtr result = RoundTrip(shuffled);
  const std::vector<compute::SortKey> order{{"n", true}, {"x", true}, {"t", true}};
  EXPECT_TRUE(compute::SortTable(*result, order)->Equals(*compute::SortTable(*expected, order)));
}

TEST(LoweringRoundTripTest, DropDuplicatesAndGroupApplyTravelWithTheirFunctions) {
  const NodePtr frame = Frame(400, 5);
  const TablePtr distinct = RoundTrip(DropDuplicates(frame, {"g", "k"}, 2));
  const compute::Grouping groups = compute::GroupIds(*Whole(frame), {"g", "k"}, /*dropna=*/false);
  EXPECT_EQ(distinct->num_rows(), groups.num_groups);
  // A portable function of the test's own kind inside the group apply step.
  RegisterPartitionFunction("test.first-row", [](std::string_view) -> MapPartitionsNode::Function {
    return [](const TablePtr& t) { return t->Slice(0, std::min<int64_t>(1, t->num_rows())); };
  });
  const MapPartitionsNode::Function first = [](const TablePtr& t) { return t->Slice(0, std::min<int64_t>(1, t->num_rows())); };
  const NodePtr applied = GroupApply(frame, {"g"}, true, true, first, nullptr, {"test.first-row", [] { return std::string(); }});
  const TablePtr result = RoundTrip(applied);
  ASSERT_EQ(result->num_rows(), 3);  // one row of each group a, b, c (key order within a partition)
  std::set<std::string> seen;
  for (int64_t i = 0; i < 3; ++i) seen.insert(std::string(result->column("g")->GetString(i)));
  EXPECT_EQ(seen, (std::set<std::string>{"a", "b", "c"}));
}

// Partition i of the test generator: rows [10 i, 10 i + 10) of column "v".
TablePtr RangePartition(int64_t partition) {
  FixedWidthBuilder<int64_t> v(types::Int64(), 10);
  for (int64_t i = 0; i < 10; ++i) v.Append(10 * partition + i);
  return Table::Make({"v"}, {v.Finish()});
}

TEST(LoweringRoundTripTest, GeneratedPartitionsTravelByTheirGenerator) {
  RegisterGenerator("test.range", [](std::string_view) -> GeneratedNode::Generator { return &RangePartition; });
  const NodePtr generated = GeneratedNode::Make("make-range", "Range", RangePartition(0)->Slice(0, 0), 3, {},
                                                &RangePartition, 42, {"test.range", [] { return std::string(); }});
  const TablePtr result = RoundTrip(FilterNode::Make(generated, ColumnExpr::Call("ge", {Col("v"), ColumnExpr::Literal(compute::Scalar::Int64(5))})));
  ASSERT_EQ(result->num_rows(), 25);
  EXPECT_EQ(result->column("v")->values<int64_t>()[24], 29);
  const NodePtr local_only = GeneratedNode::Make("make-local", "Local", RangePartition(0)->Slice(0, 0), 2, {}, &RangePartition, 43);
  EXPECT_THROW(graph::SerializeGraph(LowerForCompute({local_only}, nullptr).graph), NotImplemented);
}

TEST(LoweringRoundTripTest, FunctionsWithoutADataFormAreClearErrors) {
  const NodePtr frame = Frame();
  const NodePtr mapped = MapPartitionsNode::Make(frame, [](const TablePtr& t) { return t; }, nullptr, "same", true);
  LoweredGraph lowered = LowerForCompute({mapped}, nullptr);
  try {
    graph::SerializeGraph(lowered.graph);
    FAIL() << "expected NotImplemented";
  } catch (const NotImplemented& e) {
    EXPECT_NE(std::string(e.what()).find("'same'"), std::string::npos) << e.what();
  }
  // In process it still runs.
  lowered.graph.Finalize();
  EXPECT_EQ(TableOf(graph::EvaluateSequential(lowered.graph, {lowered.outputs[0][0]}).values[0])->num_rows(), 300);
  EXPECT_THROW(ReadPartitionFunction("no-such-kind", ""), KeyError);
}

TEST(LoweringTest, CommonSubplansLowerOnceAndHeldKeysAreRead) {
  const NodePtr frame = Frame(100, 4);
  const NodePtr a = FilterNode::Make(frame, ColumnExpr::Call("gt", {Col("n"), ColumnExpr::Literal(compute::Scalar::Int64(10))}));
  const NodePtr b = FilterNode::Make(frame, ColumnExpr::Call("gt", {Col("n"), ColumnExpr::Literal(compute::Scalar::Int64(10))}));
  EXPECT_EQ(a->token(), b->token());
  LoweredGraph both = LowerForCompute({a, b}, nullptr);
  EXPECT_EQ(both.outputs[0], both.outputs[1]);
  // Persisted partitions of `a` are read from the store, not recomputed.
  const uint32_t name = graph::InternName(a->name());
  LoweredGraph held = LowerForPersist({a}, [&](const graph::Key& key) { return key.name == name; });
  EXPECT_EQ(held.graph.num_tasks(), 0u);
  ASSERT_EQ(held.outputs[0].size(), 4u);
}

}  // namespace
}  // namespace tessera::expr
