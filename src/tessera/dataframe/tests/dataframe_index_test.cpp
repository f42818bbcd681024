// set_index (sampled boundaries, sorted input, explicit divisions, npartitions), reset_index,
// clear_divisions, loc with labels, partial dates and slices, and Series.resample, checked on
// every partitioning against compute kernels run on the whole table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/base/timestamp_parse.hpp"
#include "tessera/compute/compare.hpp"
#include "tessera/compute/datetime.hpp"
#include "tessera/compute/group_by.hpp"
#include "tessera/compute/null_handling.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/dataframe/dataframe.hpp"
#include "tessera/dataframe/sources.hpp"
#include "tessera/sched/local_scheduler.hpp"
#include "tessera/dataframe/tests/frame_testing.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::dataframe {
namespace {

using testing::FrameTest;
using testing::Partitionings;
using testing::RandomTable;
using testing::TablesNear;

int64_t Nanos(const std::string& text) {
  int64_t nanos = 0;
  EXPECT_TRUE(ParseIsoTimestamp(text, &nanos)) << text;
  return nanos;
}

// RandomTable with its index as the unique column "i" (a tiebreak for equal keys).
TablePtr KeyedTable(int64_t rows, uint64_t seed) { return RandomTable(rows, seed, true)->ResetIndex(); }

// Rows in random order: "i" unique, "t" unique timestamps (a dense cluster on 2015-01-15 with a
// gap from 13:00 to 15:00, the rest spread over 2014-12 .. 2015-02, so hourly and daily bins
// are empty in the middle), "v" float64 with NaN, "n" int64.
TablePtr TimeTable(uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int64_t second = 1000000000, day = Nanos("2015-01-15");
  std::set<int64_t> times;
  std::uniform_int_distribution<int64_t> in_day(0, 86399),
      in_range(Nanos("2014-12-01") / second, Nanos("2015-02-28 23:59:59") / second);
  while (times.size() < 250) {
    const int64_t s = in_day(rng);
    if (s < 13 * 3600 || s >= 15 * 3600) times.insert(day + s * second);
  }
  while (times.size() < 500) times.insert(in_range(rng) * second);
  std::vector<int64_t> order(times.begin(), times.end());
  std::shuffle(order.begin(), order.end(), rng);
  std::uniform_int_distribution<int> percent(0, 99);
  FixedWidthBuilder<int64_t> i(types::Int64()), t(types::Timestamp()), n(types::Int64());
  FixedWidthBuilder<double> v(types::Float64());
  for (size_t r = 0; r < order.size(); ++r) {
    i.Append(int64_t(r));
    t.Append(order[r]);
    v.Append(percent(rng) < 10 ? std::nan("") : percent(rng) * 0.25 - 7);
    n.Append(percent(rng));
  }
  return Table::Make({"i", "t", "v", "n"}, {i.Finish(), t.Finish(), v.Finish(), n.Finish()});
}

// Equal rows regardless of the order of equal keys: both sides ordered by (key, i).
::testing::AssertionResult SameRows(const TablePtr& actual, const TablePtr& expected, const std::string& key) {
  auto by_key = [&](const TablePtr& table) {
    return compute::SortTable(*table->ResetIndex(), {{key, true}, {"i", true}});
  };
  return TablesNear(*by_key(actual), *by_key(expected));
}

// A stable sort of a sorted column (nulls and NaN last) is the identity.
bool IndexSorted(const Table& table) {
  const ColumnPtr order = compute::SortIndices(*table.index());
  for (int64_t r = 0; r < order->length(); ++r) {
    if (order->values<int64_t>()[r] != r) return false;
  }
  return true;
}

bool AllTrue(const Column& mask) {
  for (int64_t r = 0; r < mask.length(); ++r) {
    if (mask.IsNull(r) || mask.values<uint8_t>()[r] == 0) return false;
  }
  return true;
}

// Known divisions that the data obeys: partition p holds divisions[p] <= index <
// divisions[p + 1] (the last also == divisions[n]); missing keys only in the last partition.
void ExpectDivisionsHold(const DataFrame& df, sched::Scheduler& scheduler) {
  ASSERT_TRUE(df.known_divisions());
  const auto& divisions = df.divisions();
  ASSERT_EQ(int64_t(divisions.size()), df.npartitions() + 1);
  for (int64_t p = 0; p < df.npartitions(); ++p) {
    const TablePtr part = df.partitions({p}).compute(scheduler);
    const ColumnPtr index = part->index();
    const ColumnPtr present = compute::Filter(*index, *compute::NotNull(*index));
    const bool last = p + 1 == df.npartitions();
    if (!last) {
      EXPECT_EQ(present->length(), index->length()) << "missing keys in partition " << p;
    }
    EXPECT_TRUE(AllTrue(*compute::GreaterEqual(*present, divisions[size_t(p)])))
        << "partition " << p << " below " << divisions[size_t(p)].ToString() << "\n"
        << part->ToString(20);
    const ColumnPtr below = last ? compute::LessEqual(*present, divisions[size_t(p) + 1])
                                 : compute::Less(*present, divisions[size_t(p) + 1]);
    EXPECT_TRUE(AllTrue(*below)) << "partition " << p << " reaches " << divisions[size_t(p) + 1].ToString() << "\n"
                                 << part->ToString(20);
  }
}

// Everything set_index promises: the rows of `whole` indexed by `key`, sorted by it, with
// known divisions the partitions obey.
void ExpectIndexedBy(const DataFrame& indexed, const TablePtr& whole, const std::string& key,
                     sched::Scheduler& scheduler) {
  const TablePtr result = indexed.compute(scheduler);
  EXPECT_EQ(result->index_name(), key);
  EXPECT_TRUE(IndexSorted(*result)) << result->ToString(30);
  EXPECT_TRUE(SameRows(result, whole->SetIndex(key), key));
  ExpectDivisionsHold(indexed, scheduler);
}

// How many partitions the optimized plan reads from a "Partitions [...]" node (-1: no node).
int64_t PartitionsRead(const std::string& plan) {
  const size_t start = plan.find("Partitions [");
  if (start == std::string::npos) return -1;
  const std::string list = plan.substr(start, plan.find(']', start) - start);
  if (list.find("...") != std::string::npos) return 9;
  return 1 + std::count(list.begin(), list.end(), ',');
}

class IndexTest : public FrameTest {};

TEST_F(IndexTest, SetIndexSortsAnUnsortedIntColumn) {
  const TablePtr whole = KeyedTable(500, 21);
  for (const auto& parts : Partitionings(whole)) {
    SCOPED_TRACE(parts.size());
    const DataFrame indexed = from_tables(parts).set_index("n", {}, scheduler_);
    EXPECT_EQ(indexed.npartitions(), int64_t(parts.size()));
    EXPECT_NE(indexed.explain().find("SetIndex"), std::string::npos);
    ExpectIndexedBy(indexed, whole, "n", scheduler_);
  }
}

TEST_F(IndexTest, SetIndexSortsATimestampColumn) {
  const TablePtr whole = TimeTable(22);
  for (const auto& parts : Partitionings(whole)) {
    SCOPED_TRACE(parts.size());
    ExpectIndexedBy(from_tables(parts).set_index("t", {}, scheduler_), whole, "t", scheduler_);
  }
}

TEST_F(IndexTest, SetIndexPutsNaNKeysLast) {
  const TablePtr whole = KeyedTable(500, 23);
  for (const auto& parts : Partitionings(whole)) {
    SCOPED_TRACE(parts.size());
    const DataFrame indexed = from_tables(parts).set_index("x", {}, scheduler_);
    ExpectIndexedBy(indexed, whole, "x", scheduler_);
    const TablePtr result = indexed.compute(scheduler_);
    // The NaN keys are the last rows, as many as in the input.
    const ColumnPtr missing = compute::IsNull(*result->index());
    int64_t count = 0;
    for (int64_t r = 0; r < missing->length(); ++r) count += missing->values<uint8_t>()[r];
    EXPECT_GT(count, 0);
    for (int64_t r = 0; r < missing->length(); ++r) {
      EXPECT_EQ(missing->values<uint8_t>()[r], r >= result->num_rows() - count);
    }
  }
}

TEST_F(IndexTest, SetIndexWithManyEqualKeysAndNulls) {
  const TablePtr whole = KeyedTable(600, 24);  // k: 0..4 and nulls
  for (const auto& parts : Partitionings(whole)) {
    SCOPED_TRACE(parts.size());
    ExpectIndexedBy(from_tables(parts).set_index("k", {}, scheduler_), whole, "k", scheduler_);
  }
}

TEST_F(IndexTest, SortedDataIsIndexedWithoutAShuffle) {
  const TablePtr whole = KeyedTable(400, 25);  // "i" is 0..399 in order
  for (const auto& parts : Partitionings(whole)) {
    SCOPED_TRACE(parts.size());
    for (bool declared : {false, true}) {
      SetIndexOptions options;
      options.sorted = declared;
      const DataFrame indexed = from_tables(parts).set_index("i", options, scheduler_);
      const std::string plan = indexed.explain();
      EXPECT_EQ(plan.find("SetIndex"), std::string::npos) << plan;
      EXPECT_TABLES_NEAR(indexed.compute(scheduler_), whole->SetIndex("i"));
      ExpectDivisionsHold(indexed, scheduler_);
    }
  }
}

// Sorted input whose equal keys straddle partition boundaries: whatever path set_index takes,
// the divisions must hold, or loc would skip partitions holding the label. Sorted "k" ends in
// partitions holding only null keys, which must not be mistaken for empty ones.
TEST_F(IndexTest, SortedDataWithEqualKeysAcrossPartitions) {
  for (const std::string key : {"n", "k"}) {
    const TablePtr whole = compute::SortTable(*KeyedTable(500, 26), {{key, true}, {"i", true}});
    for (const auto& parts : Partitionings(whole)) {
      SCOPED_TRACE(key + " " + std::to_string(parts.size()));
      const DataFrame indexed = from_tables(parts).set_index(key, {}, scheduler_);
      ExpectIndexedBy(indexed, whole, key, scheduler_);
      for (const auto& division : indexed.divisions()) {
        const int64_t label = division.as_int64();
        const TablePtr expected =
            compute::Filter(*whole, *compute::Equal(*whole->column(key), compute::Scalar::Int64(label)));
        ASSERT_GT(expected->num_rows(), 0);
        EXPECT_TRUE(SameRows(indexed.loc(Literal(label)).compute(scheduler_), expected->SetIndex(key), key)) << label;
      }
    }
  }
}

// Sorted keys then a partition whose keys are all null: it is not empty, so its rows must be
// kept (shuffled to the end), and sorted=true must refuse the nulls.
TEST_F(IndexTest, SortedKeysFollowedByAnAllNullPartition) {
  FixedWidthBuilder<int64_t> i(types::Int64()), key(types::Int64());
  for (int64_t r = 0; r < 400; ++r) {
    i.Append(r);
    if (r < 300) {
      key.Append(r * 3);
    } else {
      key.AppendNull();
    }
  }
  const TablePtr whole = Table::Make({"i", "key"}, {i.Finish(), key.Finish()});
  const std::vector<TablePtr> parts = {whole->Slice(0, 150), whole->Slice(150, 0), whole->Slice(150, 150),
                                       whole->Slice(300, 100)};
  ExpectIndexedBy(from_tables(parts).set_index("key", {}, scheduler_), whole, "key", scheduler_);
  SetIndexOptions options;
  options.sorted = true;
  EXPECT_THROW(from_tables(parts).set_index("key", options, scheduler_), InvalidArgument);
}

TEST_F(IndexTest, DeclaredSortedOnUnsortedDataThrows) {
  const TablePtr whole = KeyedTable(300, 27);
  for (const auto& parts : Partitionings(whole)) {
    SetIndexOptions options;
    options.sorted = true;
    EXPECT_THROW(from_tables(parts).set_index("n", options, scheduler_), InvalidArgument);
  }
}

TEST_F(IndexTest, ExplicitDivisionsAreUsedAsGiven) {
  const TablePtr whole = KeyedTable(500, 28);
  SetIndexOptions options;
  for (int64_t boundary : {0, 10, 45, 46, 80, 99}) options.divisions.push_back(compute::Scalar::Int64(boundary));
  for (const auto& parts : Partitionings(whole)) {
    SCOPED_TRACE(parts.size());
    const DataFrame indexed = from_tables(parts).set_index("n", options, scheduler_);
    ASSERT_EQ(indexed.npartitions(), 5);
    EXPECT_TRUE(indexed.divisions() == options.divisions);
    ExpectIndexedBy(indexed, whole, "n", scheduler_);
  }
}

TEST_F(IndexTest, NpartitionsSetsTheOutputPartitions) {
  const TablePtr whole = KeyedTable(500, 29);
  for (const auto& parts : Partitionings(whole)) {
    for (int64_t npartitions : {1, 3, 10}) {
      SCOPED_TRACE(std::to_string(parts.size()) + " -> " + std::to_string(npartitions));
      SetIndexOptions options;
      options.npartitions = npartitions;
      const DataFrame indexed = from_tables(parts).set_index("t", options, scheduler_);
      EXPECT_EQ(indexed.npartitions(), npartitions);
      ExpectIndexedBy(indexed, whole, "t", scheduler_);
    }
  }
}

TEST_F(IndexTest, LocLabelOnAnIntIndexReadsOnlyMatchingPartitions) {
  const TablePtr whole = KeyedTable(500, 30);
  for (const auto& parts : Partitionings(whole)) {
    SCOPED_TRACE(parts.size());
    const DataFrame indexed = from_tables(parts).set_index("n", {}, scheduler_);
    for (int64_t label : {int64_t(3), int64_t(50), int64_t(97), int64_t(1000)}) {
      const TablePtr expected =
          compute::Filter(*whole, *compute::Equal(*whole->column("n"), compute::Scalar::Int64(label)));
      const DataFrame selected = indexed.loc(Literal(label));
      EXPECT_TRUE(SameRows(selected.compute(scheduler_), expected->SetIndex("n"), "n")) << label;
      if (indexed.npartitions() >= 3) {
        const int64_t read = PartitionsRead(selected.explain());
        EXPECT_GE(read, 1) << selected.explain();
        EXPECT_LT(read, indexed.npartitions()) << selected.explain();
      }
    }
  }
}

TEST_F(IndexTest, LocPartialDatesSelectTheWholePeriod) {
  const TablePtr whole = TimeTable(31);
  struct Period {
    std::string label, start, end;  // [start, end)
    bool narrow;                    // few partitions can hold it
  };
  const std::vector<Period> periods = {
      {"2014", "2014-01-01", "2015-01-01", false},
      {"2015", "2015-01-01", "2016-01-01", false},
      {"2015-02", "2015-02-01", "2015-03-01", false},
      {"2015-01-15", "2015-01-15", "2015-01-16", true},
      {"2015-01-15 10", "2015-01-15 10:00:00", "2015-01-15 11:00:00", true},
      {"2015-01-15 14", "2015-01-15 14:00:00", "2015-01-15 15:00:00", true},  // in the gap: empty
  };
  for (const auto& parts : Partitionings(whole)) {
    SCOPED_TRACE(parts.size());
    const DataFrame indexed = from_tables(parts).set_index("t", {}, scheduler_);
    for (const auto& period : periods) {
      SCOPED_TRACE(period.label);
      const ColumnPtr mask = compute::Between(*whole->column("t"), compute::Scalar::Timestamp(Nanos(period.start)),
                                              compute::Scalar::Timestamp(Nanos(period.end) - 1));
      const TablePtr expected = compute::Filter(*whole, *mask)->SetIndex("t");
      EXPECT_EQ(expected->num_rows() == 0, period.label == "2015-01-15 14");
      const DataFrame selected = indexed.loc(period.label);
      EXPECT_TRUE(SameRows(selected.compute(scheduler_), expected, "t"));
      if (period.narrow && indexed.npartitions() >= 3) {
        EXPECT_LT(PartitionsRead(selected.explain()), indexed.npartitions()) << selected.explain();
        EXPECT_GE(PartitionsRead(selected.explain()), 1) << selected.explain();
      }
    }
    // A full timestamp selects exactly that row.
    const int64_t instant = whole->column("t")->values<int64_t>()[17];
    const TablePtr one = indexed.loc(compute::Scalar::Timestamp(instant).ToString()).compute(scheduler_);
    ASSERT_EQ(one->num_rows(), 1);
    EXPECT_EQ(one->column("i")->values<int64_t>()[0], 17);
  }
}

TEST_F(IndexTest, LocSlicesIncludeBothEnds) {
  const TablePtr whole = TimeTable(32);
  // Two existing timestamps as full labels: both rows must be in the slice.
  const ColumnPtr sorted_times = compute::Take(*whole->column("t"), *compute::SortIndices(*whole->column("t")));
  const int64_t low = sorted_times->values<int64_t>()[100], high = sorted_times->values<int64_t>()[300];
  const std::vector<std::vector<std::string>> slices = {
      {"2015-01-10", "2015-01-15 10", "2015-01-10", "2015-01-15 11:00:00"},
      {"2014-12", "2015-01", "2014-12-01", "2015-02-01"},
      {"2015-01-15", "2015-01-15", "2015-01-15", "2015-01-16"},
      {"2016", "2017", "2016-01-01", "2018-01-01"},  // after the data: empty
  };
  for (const auto& parts : Partitionings(whole)) {
    SCOPED_TRACE(parts.size());
    const DataFrame indexed = from_tables(parts).set_index("t", {}, scheduler_);
    for (const auto& slice : slices) {
      SCOPED_TRACE(slice[0] + " : " + slice[1]);
      const ColumnPtr mask = compute::Between(*whole->column("t"), compute::Scalar::Timestamp(Nanos(slice[2])),
                                              compute::Scalar::Timestamp(Nanos(slice[3]) - 1));
      EXPECT_TRUE(SameRows(indexed.loc(slice[0], slice[1]).compute(scheduler_),
                           compute::Filter(*whole, *mask)->SetIndex("t"), "t"));
    }
    const TablePtr exact =
        indexed.loc(compute::Scalar::Timestamp(low).ToString(), compute::Scalar::Timestamp(high).ToString())
            .compute(scheduler_);
    EXPECT_EQ(exact->num_rows(), 201);
    EXPECT_TRUE(SameRows(exact,
                         compute::Filter(*whole, *compute::Between(*whole->column("t"), compute::Scalar::Timestamp(low),
                                                                   compute::Scalar::Timestamp(high)))
                             ->SetIndex("t"),
                         "t"));
  }
}

TEST_F(IndexTest, ClearDivisionsKeepsRowsAndReadsEveryPartition) {
  const TablePtr whole = KeyedTable(300, 33);
  for (const auto& parts : Partitionings(whole)) {
    const DataFrame indexed = from_tables(parts).set_index("n", {}, scheduler_);
    const DataFrame cleared = indexed.clear_divisions();
    EXPECT_FALSE(cleared.known_divisions());
    EXPECT_EQ(cleared.npartitions(), indexed.npartitions());
    EXPECT_TABLES_NEAR(cleared.compute(scheduler_), indexed.compute(scheduler_));
    const DataFrame selected = cleared.loc(Literal(int64_t(42)));
    EXPECT_EQ(PartitionsRead(selected.explain()), -1) << selected.explain();
    const TablePtr expected = compute::Filter(*whole, *compute::Equal(*whole->column("n"), compute::Scalar::Int64(42)));
    EXPECT_TRUE(SameRows(selected.compute(scheduler_), expected->SetIndex("n"), "n"));
  }
}

TEST_F(IndexTest, ResetIndexRoundTrips) {
  const TablePtr indexed_table = RandomTable(300, 34, true);  // indexed by "i", in order
  for (const auto& parts : Partitionings(indexed_table)) {
    SCOPED_TRACE(parts.size());
    const DataFrame reset = from_tables(parts).reset_index();
    EXPECT_EQ(reset.columns().front(), "i");
    EXPECT_FALSE(reset.meta()->has_index());
    EXPECT_TABLES_NEAR(reset.compute(scheduler_), indexed_table->ResetIndex());
    const DataFrame back = reset.set_index("i", {}, scheduler_);
    EXPECT_TABLES_NEAR(back.compute(scheduler_), indexed_table);
    ExpectDivisionsHold(back, scheduler_);
    // A shuffled index comes back as the column it was.
    const TablePtr by_t = reset.set_index("t", {}, scheduler_).reset_index().compute(scheduler_);
    EXPECT_EQ(by_t->column_names().front(), "t");
    EXPECT_TRUE(SameRows(by_t->SetIndex("t"), indexed_table->ResetIndex()->SetIndex("t"), "t"));
  }
}

// pandas' resample of `value` by `rule`, built from the whole table: floor the timestamps,
// aggregate by bin, then one row per bin from the first to the last; bins without rows are 0
// for sum/count/size and null for the rest.
TablePtr ReferenceResample(const TablePtr& table, const std::string& value, const std::string& rule,
                           const std::vector<std::string>& functions) {
  // In time order, which decides first and last.
  const TablePtr whole = compute::SortTable(*table, {{"t", true}});
  const TablePtr binned =
      Table::Make({"bin", "value"}, {compute::Floor(*whole->column("t"), rule), whole->column(value)});
  std::vector<compute::Aggregation> aggregations;
  for (const auto& function : functions) {
    aggregations.emplace_back(function == "size" ? "" : "value", function, function);
  }
  const TablePtr grouped = compute::GroupByAggregate(*binned, {"bin"}, aggregations);
  const int64_t step = compute::ParseFrequency(rule);
  const int64_t* bins = grouped->column("bin")->values<int64_t>();
  std::vector<int64_t> rows;
  FixedWidthBuilder<int64_t> index(types::Timestamp());
  for (int64_t at = bins[0], row = 0; at <= bins[grouped->num_rows() - 1]; at += step) {
    index.Append(at);
    rows.push_back(row < grouped->num_rows() && bins[row] == at ? row++ : -1);
  }
  std::vector<ColumnPtr> columns;
  for (const auto& function : functions) {
    ColumnPtr column = compute::Take(*grouped->column(function), rows);
    if (function == "sum" || function == "count" || function == "size") {
      const bool is_float = column->type() == types::Float64();
      FixedWidthBuilder<int64_t> ints(column->type());
      FixedWidthBuilder<double> floats(column->type());
      for (size_t r = 0; r < rows.size(); ++r) {
        if (is_float) {
          floats.Append(rows[r] < 0 ? 0.0 : column->values<double>()[r]);
        } else {
          ints.Append(rows[r] < 0 ? 0 : column->values<int64_t>()[r]);
        }
      }
      column = is_float ? floats.Finish() : ints.Finish();
    }
    columns.push_back(column);
  }
  std::vector<std::string> names = functions.size() == 1 ? std::vector<std::string>{value} : functions;
  return Table::Make(names, columns, index.Finish(), "t");
}

const std::vector<std::string> kResampleFunctions = {"mean", "sum",   "count", "size", "min",
                                                     "max",  "first", "last",  "var",  "std"};

Series Resampled(const Resampler& resampler, const std::string& function) {
  if (function == "mean") return resampler.mean();
  if (function == "sum") return resampler.sum();
  if (function == "count") return resampler.count();
  if (function == "size") return resampler.size();
  if (function == "min") return resampler.min();
  if (function == "max") return resampler.max();
  if (function == "first") return resampler.first();
  if (function == "last") return resampler.last();
  if (function == "var") return resampler.var();
  return resampler.std();
}

TEST_F(IndexTest, ResampleMatchesGroupByOnTheFlooredIndex) {
  const TablePtr whole = TimeTable(35);
  // Shuffled rows sorted by set_index, and sorted indexed rows cut as they come (empty and
  // single-row partitions, bins cut in two).
  const auto shuffled = Partitionings(whole);
  const auto sorted = Partitionings(compute::SortTable(*whole, {{"t", true}})->SetIndex("t"));
  for (size_t cut = 0; cut < shuffled.size(); ++cut) {
    SCOPED_TRACE(cut);
    for (const DataFrame& df : {from_tables(shuffled[cut]).set_index("t", {}, scheduler_), from_tables(sorted[cut])}) {
      for (const std::string rule : {"1h", "D", "15min"}) {
        for (const std::string value : {"v", "n"}) {
          const Resampler resampler = df[value].resample(rule);
          for (const auto& function : kResampleFunctions) {
            SCOPED_TRACE(rule + " " + value + " " + function);
            const TablePtr expected = ReferenceResample(whole, value, rule, {function});
            EXPECT_TABLES_NEAR(Resampled(resampler, function).compute(scheduler_), expected);
          }
        }
      }
    }
  }
}

TEST_F(IndexTest, ResampleReferenceHasEmptyBinsInTheMiddle) {
  // Guards the test data: empty bins between full ones, and bins whose rows sit in different
  // partitions.
  const TablePtr whole = TimeTable(35);
  const TablePtr hourly = ReferenceResample(whole, "v", "1h", {"size"});
  const int64_t* sizes = hourly->column("v")->values<int64_t>();
  int64_t empty = 0, full = 0;
  for (int64_t r = 0; r < hourly->num_rows(); ++r) (sizes[r] == 0 ? empty : full) += 1;
  EXPECT_GT(empty, 100);
  EXPECT_GT(full, 100);
  // After set_index into 7 partitions, some hourly bin starts in one partition and ends in
  // the next.
  const DataFrame df = from_tables(Partitionings(whole)[1]).set_index("t", {}, scheduler_);
  int64_t straddling = 0, previous_bin = -1;
  for (int64_t p = 0; p < df.npartitions(); ++p) {
    const ColumnPtr bins = compute::Floor(*df.partitions({p}).compute(scheduler_)->index(), "1h");
    if (bins->length() == 0) continue;
    straddling += bins->values<int64_t>()[0] == previous_bin;
    previous_bin = bins->values<int64_t>()[bins->length() - 1];
  }
  EXPECT_GT(straddling, 0);
}

TEST_F(IndexTest, ResampleAggGivesOneColumnPerFunction) {
  const TablePtr whole = TimeTable(36);
  for (const auto& parts : Partitionings(whole)) {
    SCOPED_TRACE(parts.size());
    const DataFrame df = from_tables(parts).set_index("t", {}, scheduler_);
    for (const std::string rule : {"1h", "D"}) {
      const DataFrame result = df["v"].resample(rule).agg(kResampleFunctions);
      EXPECT_TABLES_NEAR(result.compute(scheduler_), ReferenceResample(whole, "v", rule, kResampleFunctions));
    }
  }
}

TEST_F(IndexTest, ResampleNeedsATimestampIndex) {
  const TablePtr whole = KeyedTable(100, 37);
  const DataFrame plain = from_tables(Partitionings(whole)[1]);
  EXPECT_THROW(plain["x"].resample("1h"), TypeError);
  EXPECT_THROW(plain.set_index("n", {}, scheduler_)["x"].resample("1h"), TypeError);
  EXPECT_THROW(plain.set_index("t", {}, scheduler_)["x"].resample("1M"), InvalidArgument);  // calendar rule
}

TEST(CalendarBinsTest, MonthStartMonthEndAndWeekEndAsPandasLabelsThem) {
  auto at = [](const char* text) {
    int64_t nanos = 0;
    EXPECT_TRUE(ParseIsoTimestamp(text, &nanos)) << text;
    return nanos;
  };
  FixedWidthBuilder<int64_t> times(types::Timestamp(), 4);
  times.Append(at("2015-05-05 13:45:00"));  // a Tuesday
  times.Append(at("2015-05-10 23:59:59"));  // a Sunday
  times.Append(at("2015-05-11 00:00:00"));  // a Monday
  times.AppendNull();
  const ColumnPtr column = times.Finish();
  const ColumnPtr month_start = compute::MonthStart(*column), month_end = compute::MonthEnd(*column),
                  week_end = compute::WeekEnd(*column);
  EXPECT_EQ(month_start->values<int64_t>()[0], at("2015-05-01"));
  EXPECT_EQ(month_end->values<int64_t>()[0], at("2015-05-31"));
  EXPECT_EQ(week_end->values<int64_t>()[0], at("2015-05-10"));
  EXPECT_EQ(week_end->values<int64_t>()[1], at("2015-05-10"));
  EXPECT_EQ(week_end->values<int64_t>()[2], at("2015-05-17"));
  EXPECT_TRUE(month_start->IsNull(3) && month_end->IsNull(3) && week_end->IsNull(3));
}

TEST_F(IndexTest, CalendarResampleFillsEmptyMonthsAndWeeks) {
  // Rows in January, March and April 2015 (February empty), a few per day.
  std::vector<int64_t> stamps;
  std::vector<double> values;
  for (int month : {1, 3, 4}) {
    for (int day = 1; day <= 28; day += 3) {
      int64_t nanos = 0;
      char text[32];
      std::snprintf(text, sizeof(text), "2015-%02d-%02d 12:00:00", month, day);
      ParseIsoTimestamp(text, &nanos);
      stamps.push_back(nanos);
      values.push_back(month * 100 + day);
    }
  }
  FixedWidthBuilder<int64_t> index(types::Timestamp(), int64_t(stamps.size()));
  FixedWidthBuilder<double> x(types::Float64(), int64_t(values.size()));
  for (size_t i = 0; i < stamps.size(); ++i) {
    index.Append(stamps[i]);
    x.Append(values[i]);
  }
  const TablePtr table = Table::Make({"x"}, {x.Finish()}, index.Finish(), "t");
  for (const auto& parts : Partitionings(table)) {
    const Series series = from_tables(parts)["x"];
    const TablePtr monthly = series.resample("MS").sum().compute(scheduler_);
    ASSERT_EQ(monthly->num_rows(), 4);  // Jan, Feb (empty), Mar, Apr
    const double* sums = monthly->column("x")->values<double>();
    double january = 0, march = 0, april = 0;
    for (size_t i = 0; i < values.size(); ++i) (values[i] < 200 ? january : values[i] < 400 ? march : april) += values[i];
    EXPECT_DOUBLE_EQ(sums[0], january);
    EXPECT_DOUBLE_EQ(sums[1], 0.0);
    EXPECT_DOUBLE_EQ(sums[2], march);
    EXPECT_DOUBLE_EQ(sums[3], april);
    EXPECT_EQ(FormatValue(*monthly->index(), 1), "2015-02-01 00:00:00");
    const TablePtr month_end = series.resample("ME").count().compute(scheduler_);
    EXPECT_EQ(FormatValue(*month_end->index(), 0), "2015-01-31 00:00:00");
    EXPECT_EQ(FormatValue(*month_end->index(), 1), "2015-02-28 00:00:00");
    EXPECT_EQ(month_end->column("x")->values<double>()[1] + 0, 0);
    const TablePtr weekly = series.resample("W").mean().compute(scheduler_);
    EXPECT_EQ(FormatValue(*weekly->index(), 0), "2015-01-04 00:00:00");  // the Sunday ending Jan 1's week
    for (int64_t i = 1; i < weekly->num_rows(); ++i) {
      EXPECT_EQ(weekly->index()->values<int64_t>()[i] - weekly->index()->values<int64_t>()[i - 1], 7 * 86400000000000LL);
    }
  }
}

TEST_F(IndexTest, LocWithAListOfLabelsKeepsTheLabelOrder) {
  const TablePtr table = RandomTable(100, 41, true);
  for (const auto& parts : Partitionings(table)) {
    const DataFrame df = from_table(ConcatenateTables(parts), 5);
    const TablePtr picked = df.loc(std::vector<Literal>{int64_t(42), int64_t(7), int64_t(99)}).compute(scheduler_);
    ASSERT_EQ(picked->num_rows(), 3);
    EXPECT_EQ(picked->index()->values<int64_t>()[0], 42);
    EXPECT_EQ(picked->index()->values<int64_t>()[1], 7);
    EXPECT_EQ(picked->index()->values<int64_t>()[2], 99);
    EXPECT_TRUE(picked->Equals(*compute::Take(*table, std::vector<int64_t>{42, 7, 99})));
    EXPECT_NE(df.loc(std::vector<Literal>{int64_t(3)}).explain().find("Partitions [0]"), std::string::npos);
    EXPECT_THROW(df.loc(std::vector<Literal>{int64_t(1000)}).compute(scheduler_), KeyError);
  }
}

TEST_F(IndexTest, FrameResampleBinsEveryNumericColumnLikeItsSeries) {
  const TablePtr base = RandomTable(200, 43);
  const TablePtr table = compute::SortTable(*base, {{"t", true}})->SetIndex("t");
  for (const auto& parts : Partitionings(table)) {
    const DataFrame df = from_tables(parts);
    const TablePtr means = df.resample("15min").frame("mean").compute(scheduler_);
    EXPECT_EQ(means->column_names(), (std::vector<std::string>{"k", "x", "n", "b", "z"}));  // numeric and bool
    for (const std::string column : {"x", "n"}) {
      const TablePtr series = df[column].resample("15min").mean().compute(scheduler_);
      EXPECT_TRUE(TablesNear(*means->SelectColumns({column}), *series)) << column;
    }
    const TablePtr both = df[std::vector<std::string>{"x", "n"}].resample("1h").agg({"sum", "max"}).compute(scheduler_);
    EXPECT_EQ(both->column_names(), (std::vector<std::string>{"x_sum", "x_max", "n_sum", "n_max"}));
  }
  const DataFrame text = from_tables({table})[std::vector<std::string>{"g", "s"}];
  EXPECT_THROW(text.resample("1h"), TypeError);
}

TEST(IndexSpillTest, SetIndexOfDataThreeTimesTheMemoryLimitSpills) {
  datasets::TimeseriesOptions options;
  options.start = "2000-01-01";
  options.end = "2000-01-13";
  options.freq = "2s";  // 12 partitions, about 24 MB
  sched::LocalScheduler unlimited(sched::LocalSchedulerOptions{2, {}});
  const DataFrame source = timeseries(options).reset_index();
  const TablePtr whole = source.compute(unlimited);
  const TablePtr expected = compute::SortTable(*whole, {{"id", true}})->SetIndex("id");

  sched::LocalSchedulerOptions limited_options{2, {}};
  limited_options.memory.memory_limit = whole->nbytes() / 3;
  sched::LocalScheduler limited(limited_options);
  const DataFrame sorted = source.set_index("id", {}, limited);
  EXPECT_NE(sorted.explain().find("spillable pieces"), std::string::npos) << sorted.explain();
  const DataFrame persisted = sorted.persist(limited);
  EXPECT_GT(limited.stats().total_spilled_bytes, 0);
  std::vector<TablePtr> parts;
  for (int64_t p = 0; p < persisted.npartitions(); ++p) parts.push_back(persisted.partitions({p}).compute(limited));
  EXPECT_TRUE(ConcatenateTables(parts)->Equals(*expected));
}

// Two large persisted partitions under a limit a little above the data: each split partition
// waits for its pieces as one list, which must spill like the tables around it.
TEST(IndexSpillTest, SetIndexOfFewLargePartitionsJustUnderTheLimitSpills) {
  datasets::TimeseriesOptions options;
  options.start = "2000-01-01";
  options.end = "2000-01-05";
  options.freq = "1s";
  options.partition_freq = "2D";  // 2 partitions, about 8 MB each
  sched::LocalScheduler unlimited(sched::LocalSchedulerOptions{2, {}});
  const TablePtr whole = timeseries(options).reset_index().compute(unlimited);
  const TablePtr expected = compute::SortTable(*whole, {{"x", true}})->SetIndex("x");

  sched::LocalSchedulerOptions limited_options{2, {}};
  limited_options.memory.memory_limit = whole->nbytes() * 4 / 3;
  sched::LocalScheduler limited(limited_options);
  const DataFrame source = timeseries(options).reset_index().persist(limited);
  const DataFrame persisted = source.set_index("x", {}, limited).persist(limited);
  EXPECT_GT(limited.stats().total_spilled_bytes, 0);
  std::vector<TablePtr> parts;
  for (int64_t p = 0; p < persisted.npartitions(); ++p) parts.push_back(persisted.partitions({p}).compute(limited));
  EXPECT_TRUE(ConcatenateTables(parts)->Equals(*expected));
}

TEST(IndexSpillTest, TableListsRoundTripThroughTheirSpillFormat) {
  const TablePtr table = TimeTable(3);
  ASSERT_GE(table->num_rows(), 50);
  const expr::TableListValue list({table->Slice(0, 20), table->Slice(20, 0), table->Slice(20, 30)});
  std::string bytes;
  graph::SerializeTagged(list, &bytes);
  const auto back = std::dynamic_pointer_cast<const expr::TableListValue>(graph::DeserializeTagged(bytes));
  ASSERT_NE(back, nullptr);
  ASSERT_EQ(back->tables().size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(back->tables()[i]->Equals(*list.tables()[i])) << i;
  EXPECT_THROW(graph::DeserializeTagged(bytes.substr(0, bytes.size() - 5)), IOError);
}

}  // namespace
}  // namespace tessera::dataframe
