// Lazy group-bys (every aggregation, agg with lists and NamedAgg, sort, dropna, split_out,
// split_every, grouping by a Series, apply) checked on every partitioning against
// compute::GroupByAggregate run on the whole table.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tessera/compute/aggregate.hpp"
#include "tessera/compute/arithmetic.hpp"
#include "tessera/compute/group_by.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/dataframe/dataframe.hpp"
#include "tessera/dataframe/group_by.hpp"
#include "tessera/dataframe/sources.hpp"
#include "tessera/dataframe/tests/frame_testing.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::dataframe {
namespace {

using compute::Aggregation;
using testing::FrameTest;
using testing::Partitionings;
using testing::RandomTable;
using testing::TablesNear;

struct Mode {
  bool sort;
  bool dropna;
  int64_t split_out;
  int64_t split_every;

  GroupByOptions options() const { return {sort, dropna, split_out, split_every}; }
  std::string ToString() const {
    return "sort=" + std::to_string(sort) + " dropna=" + std::to_string(dropna) +
           " split_out=" + std::to_string(split_out) + " split_every=" + std::to_string(split_every);
  }
};

const std::vector<Mode> kModes = {{true, true, 1, 8},  {false, true, 1, 8}, {true, false, 1, 8}, {false, false, 1, 2},
                                  {true, true, 3, 8},  {false, false, 3, 2}, {true, false, 3, 2}};

const std::vector<std::vector<std::string>> kKeys = {{"k"}, {"g"}, {"k", "g"}};

// pandas' result: a single key becomes the index, several stay columns.
TablePtr Oracle(const TablePtr& whole, const std::vector<std::string>& keys, const std::vector<Aggregation>& aggregations,
                const Mode& mode) {
  const TablePtr result = compute::GroupByAggregate(*whole, keys, aggregations, {mode.sort, mode.dropna});
  return keys.size() == 1 ? result->SetIndex(keys[0]) : result;
}

// Rows ordered by the index, or by the key columns when there is no index.
TablePtr ByKey(const TablePtr& table, const std::vector<std::string>& keys) {
  if (table->has_index()) return compute::Take(*table, *compute::SortIndices(*table->index()));
  std::vector<compute::SortKey> sort_keys;
  for (const auto& key : keys) sort_keys.push_back({key, true});
  return compute::SortTable(*table, sort_keys);
}

// With split_out > 1 each output partition holds a share of the groups, so only the set of
// groups is compared; with one output partition the order must match too.
::testing::AssertionResult Matches(const TablePtr& actual, const TablePtr& expected, const std::vector<std::string>& keys,
                                   const Mode& mode) {
  if (mode.split_out == 1) return TablesNear(*actual, *expected);
  return TablesNear(*ByKey(actual, keys), *ByKey(expected, keys));
}

// Columns a function can aggregate: numbers and bools for sum/mean/var/std, every type for
// the others; never the keys.
std::vector<std::string> ValueColumns(const std::vector<std::string>& keys, bool numeric) {
  std::vector<std::string> all = numeric ? std::vector<std::string>{"k", "x", "n", "b", "z"}
                                         : std::vector<std::string>{"k", "g", "x", "n", "b", "t", "s", "z"};
  std::vector<std::string> columns;
  for (const auto& name : all) {
    if (std::find(keys.begin(), keys.end(), name) == keys.end()) columns.push_back(name);
  }
  return columns;
}

DataFrame Call(const GroupBy& grouped, const std::string& function) {
  if (function == "sum") return grouped.sum();
  if (function == "mean") return grouped.mean();
  if (function == "count") return grouped.count();
  if (function == "min") return grouped.min();
  if (function == "max") return grouped.max();
  if (function == "var") return grouped.var();
  if (function == "std") return grouped.std();
  if (function == "first") return grouped.first();
  if (function == "last") return grouped.last();
  if (function == "nunique") return grouped.nunique();
  ADD_FAILURE() << "unknown function " << function;
  return grouped.sum();
}

Series Call(const SeriesGroupBy& grouped, const std::string& function) {
  if (function == "sum") return grouped.sum();
  if (function == "mean") return grouped.mean();
  if (function == "count") return grouped.count();
  if (function == "size") return grouped.size();
  if (function == "min") return grouped.min();
  if (function == "max") return grouped.max();
  if (function == "var") return grouped.var();
  if (function == "std") return grouped.std();
  if (function == "first") return grouped.first();
  if (function == "last") return grouped.last();
  if (function == "nunique") return grouped.nunique();
  ADD_FAILURE() << "unknown function " << function;
  return grouped.sum();
}

// `table` with its index renamed (a grouping Series names the result's index).
TablePtr WithIndexName(const TablePtr& table, const std::string& name) {
  return Table::Make(table->column_names(), table->columns(), table->index(), name);
}

// A 300-row table, one row and no rows; every test runs on each, cut in every partitioning.
class GroupByTest : public FrameTest {
 protected:
  template <typename Check>
  void ForEachFrame(Check check, bool indexed = false) {
    for (const int64_t rows : {300, 1, 0}) {
      const TablePtr whole = RandomTable(rows, uint64_t(rows) + 41, indexed);
      const auto partitionings = Partitionings(whole, uint64_t(rows) + 5);
      for (size_t p = 0; p < partitionings.size(); ++p) {
        SCOPED_TRACE("rows=" + std::to_string(rows) + " partitioning=" + std::to_string(p) +
                     " npartitions=" + std::to_string(partitionings[p].size()));
        check(whole, from_tables(partitionings[p]));
      }
    }
  }

  // Each function over every column it accepts, for every key choice and mode.
  void CheckFunctions(const std::vector<std::string>& functions, bool numeric) {
    ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
      for (const auto& keys : kKeys) {
        const auto columns = ValueColumns(keys, numeric);
        for (const Mode& mode : kModes) {
          const GroupBy grouped = frame.groupby(keys).with_options(mode.options())[columns];
          for (const auto& function : functions) {
            SCOPED_TRACE(function + " by " + keys[0] + (keys.size() > 1 ? "+" + keys[1] : "") + " " + mode.ToString());
            std::vector<Aggregation> aggregations;
            for (const auto& column : columns) aggregations.emplace_back(column, function, column);
            EXPECT_TRUE(Matches(Call(grouped, function).compute(scheduler_), Oracle(whole, keys, aggregations, mode),
                                keys, mode));
          }
        }
      }
    });
  }
};

TEST_F(GroupByTest, SumMeanVarAndStd) { CheckFunctions({"sum", "mean", "var", "std"}, true); }

TEST_F(GroupByTest, MinMaxFirstAndLast) { CheckFunctions({"min", "max", "first", "last"}, false); }

TEST_F(GroupByTest, CountAndNUnique) { CheckFunctions({"count", "nunique"}, false); }

// GroupByAggregate has ddof 1 only: the population variance from the kernels' group moments.
TablePtr PopulationVariance(const TablePtr& whole, const std::string& column, const Mode& mode) {
  const compute::Grouping grouping = compute::GroupIds(*whole, {"k"}, mode.dropna);
  FixedWidthBuilder<double> variances(types::Float64(), grouping.num_groups);
  for (const auto& state : compute::GroupMoments(*whole->column(column), grouping)) {
    if (state.count == 0) variances.AppendNull(); else variances.Append(state.Variance(0));
  }
  TablePtr table = Table::Make({"k", column}, {grouping.keys->column("k"), variances.Finish()});
  if (mode.sort) table = compute::SortTable(*table, {{"k", true}});
  return table->SetIndex("k");
}

TEST_F(GroupByTest, VarianceWithDdofZero) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    for (const Mode& mode : kModes) {
      for (const std::string column : {"x", "n", "z"}) {
        SCOPED_TRACE(column + " " + mode.ToString());
        const SeriesGroupBy grouped = frame.groupby("k").with_options(mode.options())[column];
        EXPECT_TRUE(Matches(grouped.var(0).compute(scheduler_), PopulationVariance(whole, column, mode), {"k"}, mode));
      }
    }
  });
}

TEST_F(GroupByTest, SizeCountsRowsWithNulls) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    // Also float (NaN), bool, timestamp keys and the all-null z.
    std::vector<std::vector<std::string>> all_keys = kKeys;
    for (const std::string key : {"x", "b", "t", "z"}) all_keys.push_back({key});
    for (const auto& keys : all_keys) {
      for (const Mode& mode : kModes) {
        SCOPED_TRACE(mode.ToString());
        const TablePtr expected = Oracle(whole, keys, {Aggregation("", compute::AggregateFunction::kSize, "size")}, mode);
        const Series size = frame.groupby(keys).with_options(mode.options()).size();
        if (keys.size() == 1) {
          EXPECT_TRUE(Matches(size.compute(scheduler_), expected, keys, mode));
          continue;
        }
        // Several keys stay columns of the frame the Series is taken from; the Series itself
        // (no MultiIndex) holds only the counts.
        EXPECT_TRUE(Matches(DataFrame(size.input()).compute(scheduler_), expected, keys, mode));
        if (mode.split_out == 1) {
          EXPECT_TRUE(TablesNear(*size.compute(scheduler_), *expected->SelectColumns({"size"})));
        }
      }
    }
  });
}

TEST_F(GroupByTest, SeriesGroupByMatchesTheFrame) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    for (const Mode& mode : kModes) {
      SCOPED_TRACE(mode.ToString());
      const SeriesGroupBy grouped = frame.groupby("k").with_options(mode.options())["x"];
      for (const std::string function : {"sum", "mean", "count", "size", "min", "max", "var", "std", "first", "last",
                                         "nunique"}) {
        SCOPED_TRACE(function);
        const TablePtr expected = Oracle(whole, {"k"}, {Aggregation("x", function, "x")}, mode);
        EXPECT_TRUE(Matches(Call(grouped, function).compute(scheduler_), expected, {"k"}, mode));
      }
      const TablePtr expected = Oracle(
          whole, {"k"},
          {Aggregation("x", "sum", "sum"), Aggregation("x", "max", "max"), Aggregation("x", "nunique", "nunique")}, mode);
      EXPECT_TRUE(Matches(grouped.agg({"sum", "max", "nunique"}).compute(scheduler_), expected, {"k"}, mode));
    }
  });
}

TEST_F(GroupByTest, AggWithListsPerColumn) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    for (const auto& keys : kKeys) {
      for (const Mode& mode : kModes) {
        SCOPED_TRACE(mode.ToString());
        // A column with one function keeps its name; several get "<column>_<function>".
        const DataFrame lazy = frame.groupby(keys).with_options(mode.options())
                                   .agg(std::map<std::string, std::vector<std::string>>{
                                       {"x", {"sum", "mean", "std"}}, {"n", {"max"}}, {"s", {"first", "nunique"}}});
        const TablePtr expected = Oracle(whole, keys,
                                         {Aggregation("n", "max", "n"), Aggregation("s", "first", "s_first"),
                                          Aggregation("s", "nunique", "s_nunique"), Aggregation("x", "sum", "x_sum"),
                                          Aggregation("x", "mean", "x_mean"), Aggregation("x", "std", "x_std")},
                                         mode);
        EXPECT_TRUE(Matches(lazy.compute(scheduler_), expected, keys, mode));
      }
    }
  });
}

TEST_F(GroupByTest, AggWithNamedAggregations) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    for (const auto& keys : kKeys) {
      for (const Mode& mode : kModes) {
        SCOPED_TRACE(mode.ToString());
        const DataFrame lazy = frame.groupby(keys).with_options(mode.options())
                                   .agg(std::vector<NamedAgg>{{"total", "x", "sum"},
                                                              {"rows", "z", "size"},
                                                              {"present", "z", "count"},
                                                              {"latest", "t", "max"},
                                                              {"last_word", "s", "last"},
                                                              {"spread", "n", "var"}});
        const TablePtr expected = Oracle(whole, keys,
                                         {Aggregation("x", "sum", "total"), Aggregation("z", "size", "rows"),
                                          Aggregation("z", "count", "present"), Aggregation("t", "max", "latest"),
                                          Aggregation("s", "last", "last_word"), Aggregation("n", "var", "spread")},
                                         mode);
        EXPECT_TRUE(Matches(lazy.compute(scheduler_), expected, keys, mode));
      }
    }
  });
}

TEST_F(GroupByTest, GroupingByAColumnSeriesIsGroupingByItsName) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    for (const Mode& mode : kModes) {
      SCOPED_TRACE(mode.ToString());
      // agg's dict is ordered by column name.
      const TablePtr expected = Oracle(whole, {"k"}, {Aggregation("n", "sum", "n"), Aggregation("x", "mean", "x")}, mode);
      EXPECT_TRUE(Matches(frame.groupby(frame["k"]).with_options(mode.options())
                              .agg(std::map<std::string, std::vector<std::string>>{{"x", {"mean"}}, {"n", {"sum"}}})
                              .compute(scheduler_),
                          expected, {"k"}, mode));
      EXPECT_TRUE(Matches(frame.groupby(frame["k"]).with_options(mode.options())[std::vector<std::string>{"x", "n"}]
                              .mean()
                              .compute(scheduler_),
                          Oracle(whole, {"k"}, {Aggregation("x", "mean", "x"), Aggregation("n", "mean", "n")}, mode),
                          {"k"}, mode));
    }
  });
}

TEST_F(GroupByTest, GroupingByAComputedSeriesNamesTheIndexAfterIt) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    // The key n % 3 as a column of the whole table, for the oracle.
    const TablePtr keyed = whole->SetColumn("key", compute::Modulo(*whole->column("n"), compute::Scalar::Int64(3)));
    for (const Mode& mode : kModes) {
      SCOPED_TRACE(mode.ToString());
      const GroupBy grouped = frame.groupby(frame["n"] % 3).with_options(mode.options());
      // Grouping by a Series aggregates every column, the one it came from included.
      const TablePtr sums = grouped[std::vector<std::string>{"x", "n", "b"}].sum().compute(scheduler_);
      const auto expected = WithIndexName(
          Oracle(keyed, {"key"}, {Aggregation("x", "sum", "x"), Aggregation("n", "sum", "n"), Aggregation("b", "sum", "b")},
                 mode),
          "n");
      EXPECT_TRUE(Matches(sums, expected, {"n"}, mode));
      EXPECT_EQ(sums->index_name(), "n");
      EXPECT_LE(sums->num_rows(), 3);
      const TablePtr counts = grouped.size().compute(scheduler_);
      const Aggregation size("", compute::AggregateFunction::kSize, "size");
      EXPECT_TRUE(Matches(counts, WithIndexName(Oracle(keyed, {"key"}, {size}, mode), "n"), {"n"}, mode));
    }
    // A Series grouped by another Series.
    const SeriesGroupBy by_series = frame["x"].groupby(frame["n"] % 3);
    EXPECT_TRUE(TablesNear(*by_series.mean().compute(scheduler_),
                           *WithIndexName(Oracle(keyed, {"key"}, {Aggregation("x", "mean", "x")}, kModes[0]), "n")));
  });
}

// One row per group: the key, its number of rows and the sum of n.
TablePtr Summary(const TablePtr& group) {
  const Schema schema({{"k", types::Int64()}, {"rows", types::Int64()}, {"n_sum", types::Int64()}});
  if (group->num_rows() == 0) return Table::MakeEmpty(schema);
  return Table::Make({"k", "rows", "n_sum"},
                     {group->column("k")->Slice(0, 1), MakeInt64Column({group->num_rows()}),
                      MakeInt64Column({compute::Sum(*group->column("n")).as_int64()})});
}

// The group's rows, index kept, numbered in their order within the group.
TablePtr Numbered(const TablePtr& group) {
  std::vector<std::optional<int64_t>> positions;
  for (int64_t i = 0; i < group->num_rows(); ++i) positions.push_back(i);
  return group->SetColumn("position", MakeInt64Column(positions));
}

// `function` on each group of the whole table, groups in key order.
TablePtr ReferenceApply(const TablePtr& whole, bool dropna, const std::function<TablePtr(const TablePtr&)>& function) {
  const compute::Grouping grouping = compute::GroupIds(*whole, {"k"}, dropna);
  std::vector<std::vector<int64_t>> rows(size_t(grouping.num_groups));
  for (int64_t row = 0; row < whole->num_rows(); ++row) {
    const int64_t id = grouping.group_ids->values<int64_t>()[row];
    if (id >= 0) rows[size_t(id)].push_back(row);
  }
  const ColumnPtr order = compute::SortIndices(*grouping.keys, {{"k", true}});
  std::vector<TablePtr> results;
  for (int64_t g = 0; g < order->length(); ++g) {
    results.push_back(function(compute::Take(*whole, rows[size_t(order->values<int64_t>()[g])])));
  }
  return results.empty() ? function(whole->Slice(0, 0)) : ConcatenateTables(results);
}

TEST_F(GroupByTest, ApplyRunsOnWholeGroups) {
  ForEachFrame(
      [&](const TablePtr& whole, const DataFrame& frame) {
        for (const Mode& mode : kModes) {
          SCOPED_TRACE(mode.ToString());
          const GroupBy grouped = frame.groupby("k").with_options(mode.options());
          // Groups meet in one shuffled partition, but partitions hold groups in hash order.
          const TablePtr summary = grouped.apply(Summary).compute(scheduler_);
          const TablePtr expected_summary = ReferenceApply(whole, mode.dropna, Summary);
          EXPECT_TRUE(TablesNear(*ByKey(summary, {"k"}), *ByKey(expected_summary, {"k"})));
          EXPECT_EQ(summary->num_rows(), compute::GroupIds(*whole, {"k"}, mode.dropna).num_groups);
          // Rows keep their order inside a group (the stable sort by key keeps it too).
          const TablePtr numbered = grouped.apply(Numbered, Numbered(frame.meta())).compute(scheduler_);
          const TablePtr expected_numbered = ReferenceApply(whole, mode.dropna, Numbered);
          EXPECT_TRUE(TablesNear(*compute::SortTable(*numbered, {{"k", true}}),
                                 *compute::SortTable(*expected_numbered, {{"k", true}})));
        }
      },
      /*indexed=*/true);
}

}  // namespace
}  // namespace tessera::dataframe
