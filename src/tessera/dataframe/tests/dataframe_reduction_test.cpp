// Lazy reductions (Series, DataFrame, describe, value_counts, unique, drop_duplicates,
// nlargest/nsmallest) checked on every partitioning against the single-table kernels run on the
// whole table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/compute/aggregate.hpp"
#include "tessera/compute/arithmetic.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/group_by.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/compute/value_counts.hpp"
#include "tessera/dataframe/dataframe.hpp"
#include "tessera/dataframe/sources.hpp"
#include "tessera/dataframe/tests/frame_testing.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::dataframe {
namespace {

using testing::FrameTest;
using testing::Partitionings;
using testing::RandomTable;
using testing::TablesNear;

// Float nulls and NaN are both pandas' NaN (a reduction's NaN comes back from a one-row
// result column as a null Scalar), so they compare equal here; other types compare exactly.
::testing::AssertionResult ScalarsNear(const compute::Scalar& actual, const compute::Scalar& expected,
                                       double tolerance = 1e-9) {
  const auto describe = [&] {
    return actual.type().ToString() + " " + actual.ToString() + " vs " + expected.type().ToString() + " " +
           expected.ToString();
  };
  if (actual.type() != expected.type()) return ::testing::AssertionFailure() << "types differ: " << describe();
  if (actual.type().is_floating()) {
    const double u = actual.ToDouble(), v = expected.ToDouble();
    if (std::isnan(u) || std::isnan(v)) {
      if (std::isnan(u) == std::isnan(v)) return ::testing::AssertionSuccess();
      return ::testing::AssertionFailure() << describe();
    }
    if (std::abs(u - v) <= tolerance * std::max(1.0, std::abs(v))) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << describe();
  }
  if (actual == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << describe();
}

// pandas' default quantile: linear interpolation between the sorted non-missing values.
double ReferenceQuantile(const Column& column, double q) {
  const ColumnPtr values = compute::Cast(column, types::Float64());
  std::vector<double> sorted;
  for (int64_t i = 0; i < values->length(); ++i) {
    const double value = values->values<double>()[i];
    if (values->IsValid(i) && !std::isnan(value)) sorted.push_back(value);
  }
  if (sorted.empty()) return std::nan("");
  std::sort(sorted.begin(), sorted.end());
  const double position = q * double(sorted.size() - 1);
  const size_t low = size_t(std::floor(position));
  const size_t high = std::min(low + 1, sorted.size() - 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - double(low));
}

// The label of the first row holding the column's min (max): the index value, or the position.
compute::Scalar ReferenceIdx(const Table& table, const std::string& name, bool min) {
  const Column& column = *table.column(name);
  const compute::Scalar best = min ? compute::Min(column) : compute::Max(column);
  for (int64_t i = 0; i < column.length(); ++i) {
    if (column.IsValid(i) && compute::Min(*column.Slice(i, 1)) == best) {
      return table.has_index() ? compute::Min(*table.index()->Slice(i, 1)) : compute::Scalar::Int64(i);
    }
  }
  return compute::Scalar::Null(types::Int64());
}

// First occurrence of every distinct `subset` row (nulls equal), in order, without the index.
TablePtr ReferenceDropDuplicates(const TablePtr& table, const std::vector<std::string>& subset) {
  // (a table without an index gets none back)
  const compute::Grouping grouping = compute::GroupIds(*table, subset, /*dropna=*/false);
  std::vector<bool> seen(size_t(grouping.num_groups), false);
  std::vector<int64_t> rows;
  for (int64_t row = 0; row < table->num_rows(); ++row) {
    const int64_t id = grouping.group_ids->values<int64_t>()[row];
    if (!seen[size_t(id)]) {
      seen[size_t(id)] = true;
      rows.push_back(row);
    }
  }
  return compute::Take(*table, rows);
}

TablePtr SortedBy(const TablePtr& table, const std::string& column) { return compute::SortTable(*table, {{column, true}}); }

// Column values as doubles (null -> NaN).
std::vector<double> AsDoubles(const Column& column) {
  const ColumnPtr cast = compute::Cast(column, types::Float64());
  std::vector<double> out;
  for (int64_t i = 0; i < cast->length(); ++i) out.push_back(cast->IsValid(i) ? cast->values<double>()[i] : std::nan(""));
  return out;
}

std::vector<std::string> AsStrings(const Column& column) {
  std::vector<std::string> out;
  for (int64_t i = 0; i < column.length(); ++i) out.emplace_back(column.GetString(i));
  return out;
}

bool DoublesNear(double actual, double expected) {
  if (std::isnan(actual) || std::isnan(expected)) return std::isnan(actual) && std::isnan(expected);
  return std::abs(actual - expected) <= 1e-9 * std::max(1.0, std::abs(expected));
}

const std::vector<ReduceOptions> kOptions = {{2}, {}};

// A 300-row table, one row and no rows; every test runs on each, cut in every partitioning.
class ReductionTest : public FrameTest {
 protected:
  template <typename Check>
  void ForEachFrame(Check check, bool indexed = false) {
    for (const int64_t rows : {300, 1, 0}) {
      const TablePtr whole = RandomTable(rows, uint64_t(rows) + 17, indexed);
      const auto partitionings = Partitionings(whole, uint64_t(rows) + 3);
      for (size_t p = 0; p < partitionings.size(); ++p) {
        SCOPED_TRACE("rows=" + std::to_string(rows) + " partitioning=" + std::to_string(p) +
                     " npartitions=" + std::to_string(partitionings[p].size()));
        check(whole, from_tables(partitionings[p]));
      }
    }
  }
};

TEST_F(ReductionTest, SumMeanAndCountMatchTheKernels) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    for (const auto& options : kOptions) {
      for (const std::string name : {"k", "x", "n", "b", "z"}) {
        SCOPED_TRACE(name);
        const Column& column = *whole->column(name);
        EXPECT_TRUE(ScalarsNear(frame[name].sum(options).compute(scheduler_), compute::Sum(column)));
        EXPECT_TRUE(ScalarsNear(frame[name].mean(options).compute(scheduler_), compute::Mean(column)));
      }
      for (const auto& name : whole->column_names()) {
        SCOPED_TRACE(name);
        EXPECT_TRUE(ScalarsNear(frame[name].count(options).compute(scheduler_), compute::Count(*whole->column(name))));
      }
    }
    // size counts rows, nulls included.
    EXPECT_EQ(frame["z"].size().compute(scheduler_), compute::Scalar::Int64(whole->num_rows()));
    EXPECT_EQ(frame.size().compute(scheduler_), compute::Scalar::Int64(whole->num_rows()));
  });
}

TEST_F(ReductionTest, MeanOfTimestampsAndDurationsIsExact) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame&) {
    // Durations since 2015-05-01 as a column of the whole table, before it is partitioned.
    const TablePtr table = whole->SetColumn(
        "d", compute::Subtract(*whole->column("t"), compute::Scalar::Timestamp(int64_t(1430438400) * 1000000000)));
    ASSERT_EQ(table->column("d")->type(), types::Duration());
    for (const auto& parts : Partitionings(table)) {
      const DataFrame frame = from_tables(parts);
      for (const auto& options : kOptions) {
        for (const std::string name : {"t", "d"}) {
          SCOPED_TRACE(name + " npartitions=" + std::to_string(parts.size()));
          const Column& column = *table->column(name);
          EXPECT_TRUE(ScalarsNear(frame[name].mean(options).compute(scheduler_), compute::Mean(column)));
          EXPECT_TRUE(ScalarsNear(frame[name].min(options).compute(scheduler_), compute::Min(column)));
        }
        EXPECT_TRUE(ScalarsNear(frame["d"].sum(options).compute(scheduler_), compute::Sum(*table->column("d"))));
      }
    }
  });
}

TEST_F(ReductionTest, MinAndMaxKeepTheColumnType) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    for (const auto& options : kOptions) {
      for (const std::string name : {"k", "g", "x", "n", "b", "t", "s", "z"}) {
        SCOPED_TRACE(name);
        const Column& column = *whole->column(name);
        EXPECT_TRUE(ScalarsNear(frame[name].min(options).compute(scheduler_), compute::Min(column)));
        EXPECT_TRUE(ScalarsNear(frame[name].max(options).compute(scheduler_), compute::Max(column)));
      }
    }
  });
}

TEST_F(ReductionTest, VarianceAndStdWithBothDdofs) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    for (const auto& options : kOptions) {
      for (const std::string name : {"k", "x", "n", "b", "z"}) {
        for (const int ddof : {0, 1}) {
          SCOPED_TRACE(name + " ddof=" + std::to_string(ddof));
          const Column& column = *whole->column(name);
          EXPECT_TRUE(ScalarsNear(frame[name].var(ddof, options).compute(scheduler_), compute::Var(column, ddof)));
          EXPECT_TRUE(ScalarsNear(frame[name].std(ddof, options).compute(scheduler_), compute::Std(column, ddof)));
        }
      }
    }
  });
}

TEST_F(ReductionTest, NUniqueWithAndWithoutNulls) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    for (const auto& options : kOptions) {
      for (const std::string name : {"k", "g", "x", "b", "s", "t", "z"}) {
        for (const bool dropna : {true, false}) {
          SCOPED_TRACE(name + " dropna=" + std::to_string(dropna));
          EXPECT_EQ(frame[name].nunique(dropna, options).compute(scheduler_),
                    compute::NUnique(*whole->column(name), dropna));
        }
      }
    }
  });
}

TEST_F(ReductionTest, AnyAndAll) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    for (const auto& options : kOptions) {
      for (const std::string name : {"k", "x", "n", "b", "s", "z"}) {
        SCOPED_TRACE(name);
        const Column& column = *whole->column(name);
        EXPECT_EQ(frame[name].any(options).compute(scheduler_), compute::Any(column));
        EXPECT_EQ(frame[name].all(options).compute(scheduler_), compute::All(column));
      }
      // A mask that is true somewhere but not everywhere (when there are rows).
      const Series small = frame["n"] < 50;
      EXPECT_EQ(small.any(options).compute(scheduler_).as_bool(), compute::Min(*whole->column("n")).ToDouble() < 50);
      EXPECT_EQ(small.all(options).compute(scheduler_).as_bool(), !(compute::Max(*whole->column("n")).ToDouble() >= 50));
    }
  });
}

TEST_F(ReductionTest, IdxMinAndIdxMaxGiveTheFirstLabel) {
  for (const bool indexed : {false, true}) {
    SCOPED_TRACE(indexed ? "indexed" : "positions");
    ForEachFrame(
        [&](const TablePtr& whole, const DataFrame& frame) {
          for (const auto& options : kOptions) {
            for (const std::string name : {"k", "x", "n", "t", "s", "z"}) {
              SCOPED_TRACE(name);
              for (const bool min : {true, false}) {
                const Scalar lazy = min ? frame[name].idxmin(options) : frame[name].idxmax(options);
                const compute::Scalar expected = ReferenceIdx(*whole, name, min);
                if (expected.is_null()) {
                  // No values (empty or all missing): an error rather than a label.
                  EXPECT_THROW(lazy.compute(scheduler_), InvalidArgument);
                } else {
                  EXPECT_EQ(lazy.compute(scheduler_), expected);
                }
              }
            }
          }
        },
        indexed);
  }
}

TEST_F(ReductionTest, QuantileIsExactForSmallPartitions) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    for (const auto& options : kOptions) {
      for (const std::string name : {"k", "x", "n", "b", "z"}) {
        for (const double q : {0.0, 0.1, 0.25, 0.5, 0.75, 0.99, 1.0}) {
          SCOPED_TRACE(name + " q=" + std::to_string(q));
          const double expected = ReferenceQuantile(*whole->column(name), q);
          EXPECT_TRUE(DoublesNear(frame[name].quantile(q, options).compute_double(scheduler_), expected));
        }
      }
    }
    EXPECT_THROW(frame["x"].quantile(1.5), InvalidArgument);
  });
}

TEST_F(ReductionTest, DataFrameReductionsAreIndexedByColumnName) {
  const std::vector<std::string> numeric = {"k", "x", "n", "b", "z"};
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    for (const auto& options : kOptions) {
      const TablePtr sum = frame.sum(options).compute(scheduler_);
      const TablePtr mean = frame.mean(options).compute(scheduler_);
      const TablePtr std = frame.std(0, options).compute(scheduler_);
      const TablePtr count = frame.count(options).compute(scheduler_);
      const TablePtr nunique = frame.nunique(true, options).compute(scheduler_);
      // Mixed int and float sums make a float64 Series (pandas' upcast).
      EXPECT_EQ(sum->column(0)->type(), types::Float64());
      EXPECT_EQ(count->column(0)->type(), types::Int64());
      for (const auto& result : {sum, mean, std}) {
        ASSERT_TRUE(result->has_index());
        EXPECT_EQ(AsStrings(*result->index()), numeric);
      }
      EXPECT_EQ(AsStrings(*count->index()), whole->column_names());
      EXPECT_EQ(AsStrings(*nunique->index()), whole->column_names());
      const auto sums = AsDoubles(*sum->column(0)), means = AsDoubles(*mean->column(0)),
                 stds = AsDoubles(*std->column(0));
      for (size_t c = 0; c < numeric.size(); ++c) {
        SCOPED_TRACE(numeric[c]);
        const Column& column = *whole->column(numeric[c]);
        EXPECT_TRUE(DoublesNear(sums[c], compute::Sum(column).ToDouble()));
        EXPECT_TRUE(DoublesNear(means[c], compute::Mean(column).ToDouble()));
        EXPECT_TRUE(DoublesNear(stds[c], compute::Std(column, 0).ToDouble()));
      }
      for (int c = 0; c < whole->num_columns(); ++c) {
        EXPECT_EQ(count->column(0)->values<int64_t>()[c], compute::Count(*whole->column(c)).as_int64());
        EXPECT_EQ(nunique->column(0)->values<int64_t>()[c], compute::NUnique(*whole->column(c)).as_int64());
      }
      const std::vector<std::string> labelled = {"k", "x", "n"};
      const auto has_values = [&](const std::string& name) { return compute::Count(*whole->column(name)).as_int64() > 0; };
      if (!std::all_of(labelled.begin(), labelled.end(), has_values)) {
        EXPECT_THROW(frame[labelled].idxmin(options).compute(scheduler_), InvalidArgument);
        continue;
      }
      const TablePtr idxmin = frame[labelled].idxmin(options).compute(scheduler_);
      const TablePtr idxmax = frame[labelled].idxmax(options).compute(scheduler_);
      EXPECT_EQ(AsStrings(*idxmin->index()), labelled);
      for (size_t c = 0; c < labelled.size(); ++c) {
        EXPECT_EQ(idxmin->column(0)->values<int64_t>()[c], ReferenceIdx(*whole, labelled[c], true).as_int64());
        EXPECT_EQ(idxmax->column(0)->values<int64_t>()[c], ReferenceIdx(*whole, labelled[c], false).as_int64());
      }
    }
  });
}

TEST_F(ReductionTest, DescribeMatchesTheKernelsAndReferenceQuantiles) {
  const std::vector<std::string> numeric = {"k", "x", "n", "z"};  // bools are not described
  const std::vector<std::string> statistics = {"count", "mean", "std", "min", "25%", "50%", "75%", "max"};
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    const TablePtr described = frame.describe().compute(scheduler_);
    ASSERT_EQ(described->column_names(), numeric);
    ASSERT_TRUE(described->has_index());
    EXPECT_EQ(AsStrings(*described->index()), statistics);
    for (const auto& name : numeric) {
      SCOPED_TRACE(name);
      EXPECT_EQ(described->column(name)->type(), types::Float64());
      const Column& column = *whole->column(name);
      const std::vector<double> expected = {compute::Count(column).ToDouble(), compute::Mean(column).ToDouble(),
                                            compute::Std(column).ToDouble(),   compute::Min(column).ToDouble(),
                                            ReferenceQuantile(column, 0.25),   ReferenceQuantile(column, 0.5),
                                            ReferenceQuantile(column, 0.75),   compute::Max(column).ToDouble()};
      const auto actual = AsDoubles(*described->column(name));
      for (size_t s = 0; s < statistics.size(); ++s) {
        EXPECT_TRUE(DoublesNear(actual[s], expected[s])) << statistics[s] << ": " << actual[s] << " vs " << expected[s];
      }
    }
    // Series.describe() is the one-column frame's.
    const TablePtr series = frame["x"].describe().compute(scheduler_);
    EXPECT_EQ(AsStrings(*series->index()), statistics);
    EXPECT_EQ(AsDoubles(*series->column(0))[0], double(compute::Count(*whole->column("x")).as_int64()));
  });
}

TEST_F(ReductionTest, ValueCountsInEveryMode) {
  struct Mode {
    bool sort, ascending, normalize, dropna;
  };
  const std::vector<Mode> modes = {{true, false, false, true}, {true, true, false, true}, {false, false, false, true},
                                   {true, false, true, true},  {true, false, false, false}, {true, true, true, false},
                                   {false, false, true, false}};
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    for (const std::string name : {"k", "g", "b", "s", "x", "z"}) {
      for (const Mode& mode : modes) {
        SCOPED_TRACE(name + " sort=" + std::to_string(mode.sort) + " ascending=" + std::to_string(mode.ascending) +
                     " normalize=" + std::to_string(mode.normalize) + " dropna=" + std::to_string(mode.dropna));
        const TablePtr expected =
            compute::ValueCounts(*whole->column(name), name, {mode.sort, mode.ascending, mode.normalize, mode.dropna})
                ->SetIndex(name);
        EXPECT_TRUE(TablesNear(*frame[name].value_counts(mode.sort, mode.ascending, mode.normalize, mode.dropna)
                                    .compute(scheduler_),
                               *expected));
        const TablePtr split =
            frame[name].value_counts(mode.sort, mode.ascending, mode.normalize, mode.dropna, 3).compute(scheduler_);
        if (mode.sort) {
          EXPECT_TRUE(TablesNear(*split, *expected));  // a global order needs one output partition
        } else {
          // Each of the 3 output partitions holds a share of the values.
          EXPECT_TRUE(TablesNear(*SortedBy(split->ResetIndex(), name), *SortedBy(expected->ResetIndex(), name)));
        }
      }
    }
  });
}

TEST_F(ReductionTest, UniqueKeepsFirstAppearanceAndOneNull) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    for (const std::string name : {"k", "g", "x", "b", "s", "z"}) {
      SCOPED_TRACE(name);
      const TablePtr expected = Table::Make({name}, {compute::Unique(*whole->column(name))});
      EXPECT_TRUE(TablesNear(*frame[name].unique().compute(scheduler_), *expected));
      EXPECT_TRUE(TablesNear(*frame[name].drop_duplicates().compute(scheduler_), *expected));
      const TablePtr split = frame[name].unique(3).compute(scheduler_);
      EXPECT_TRUE(TablesNear(*SortedBy(split, name), *SortedBy(expected, name)));
    }
  });
}

TEST_F(ReductionTest, DataFrameDropDuplicatesKeepsFirstRows) {
  ForEachFrame([&](const TablePtr& whole, const DataFrame& frame) {
    // Whole rows; then a subset, where the other columns must come from the same first row.
    const TablePtr pairs = whole->SelectColumns({"k", "g"});
    EXPECT_TRUE(TablesNear(*frame[std::vector<std::string>{"k", "g"}].drop_duplicates().compute(scheduler_),
                           *ReferenceDropDuplicates(pairs, {"k", "g"})));
    const std::vector<std::string> columns = {"k", "g", "x", "s", "z"};
    const TablePtr expected = ReferenceDropDuplicates(whole->SelectColumns(columns), {"k"});
    EXPECT_TRUE(TablesNear(*frame[columns].drop_duplicates({"k"}).compute(scheduler_), *expected));
    const TablePtr split = frame[columns].drop_duplicates({"k"}, 3).compute(scheduler_);
    EXPECT_TRUE(TablesNear(*SortedBy(split, "k"), *SortedBy(expected, "k")));
  });
}

TEST_F(ReductionTest, DataFrameDropDuplicatesKeepsTheIndexLabelsOfFirstRows) {
  ForEachFrame(
      [&](const TablePtr& whole, const DataFrame& frame) {
        const std::vector<std::string> columns = {"k", "g", "x"};
        const TablePtr expected = ReferenceDropDuplicates(whole->SelectColumns(columns), {"k", "g"});
        ASSERT_NE(expected->index(), nullptr);
        EXPECT_TRUE(TablesNear(*frame[columns].drop_duplicates({"k", "g"}).compute(scheduler_), *expected));
      },
      /*indexed=*/true);
}

TEST_F(ReductionTest, NLargestAndNSmallestMatchAWholeSort) {
  for (const bool indexed : {false, true}) {
    SCOPED_TRACE(indexed ? "indexed" : "positions");
    ForEachFrame(
        [&](const TablePtr& whole, const DataFrame& frame) {
          for (const int64_t n : {1, 5, 40, 1000}) {
            for (const bool largest : {true, false}) {
              SCOPED_TRACE("n=" + std::to_string(n) + (largest ? " largest" : " smallest"));
              for (const std::string name : {"x", "n", "s"}) {
                const TablePtr sorted = compute::SortTable(*whole, {{name, !largest}});
                const TablePtr expected = sorted->Slice(0, std::min(n, sorted->num_rows()));
                const DataFrame top = largest ? frame.nlargest(n, name) : frame.nsmallest(n, name);
                EXPECT_TRUE(TablesNear(*top.compute(scheduler_), *expected)) << name;
                const Series series = largest ? frame[name].nlargest(n) : frame[name].nsmallest(n);
                EXPECT_TRUE(TablesNear(*series.compute(scheduler_), *expected->SelectColumns({name}))) << name;
              }
            }
          }
        },
        indexed);
  }
}

TEST(ReductionSketchTest, QuantileOfLargePartitionsStaysClose) {
  // Above 512 values per partition the sketch is approximate, but within a bucket's width.
  sched::LocalScheduler scheduler(sched::LocalSchedulerOptions{3, {}});
  const TablePtr whole = RandomTable(6000, 99);
  const Column& x = *whole->column("x");
  const double spread = compute::Max(x).ToDouble() - compute::Min(x).ToDouble();
  for (const auto& parts : Partitionings(whole)) {
    const DataFrame frame = from_tables(parts);
    for (const double q : {0.1, 0.5, 0.9}) {
      EXPECT_NEAR(frame["x"].quantile(q).compute_double(scheduler), ReferenceQuantile(x, q), spread / 200)
          << "q=" << q << " npartitions=" << parts.size();
    }
  }
}

}  // namespace
}  // namespace tessera::dataframe
