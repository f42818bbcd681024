// Micro-benchmarks of the relational kernels: sort, reductions, group-by, value_counts, hash
// partitioning and take, on sizes of one partition (1M-8M rows). Inputs are built once per
// benchmark outside the timed loop; throughput is reported in rows per second.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "tessera/compute/aggregate.hpp"
#include "tessera/compute/group_by.hpp"
#include "tessera/compute/partition.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/compute/value_counts.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {
namespace {

constexpr int64_t kNanosPerDay = 86'400'000'000'000;
constexpr int64_t k2015 = 16436 * kNanosPerDay;  // 2015-01-01 in ns since the epoch

// A null-free column of `count` values drawn by `next()`.
template <typename T, typename Next>
ColumnPtr MakeRandomColumn(DataType type, int64_t count, Next next) {
  FixedWidthBuilder<T> builder(type, count);
  T* values = builder.mutable_values();
  for (int64_t i = 0; i < count; ++i) values[i] = next();
  builder.SetLength(count);
  return builder.Finish();
}

ColumnPtr RandomInt64(int64_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  return MakeRandomColumn<int64_t>(types::Int64(), count, [&] { return int64_t(rng()); });
}

// Timestamps spread over one year at nanosecond resolution (like trip pickup times).
ColumnPtr RandomTimestamps(int64_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  return MakeRandomColumn<int64_t>(types::Timestamp(), count, [&] {
    return k2015 + int64_t(rng() % uint64_t(365 * kNanosPerDay));
  });
}

ColumnPtr RandomFloat64(int64_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 100.0);
  return MakeRandomColumn<double>(types::Float64(), count, [&] { return uniform(rng); });
}

// int64 keys taking `num_keys` distinct values spread over the whole int64 range (so no
// small-range shortcut applies), each row picking one at random.
ColumnPtr RandomKeys(int64_t count, int64_t num_keys, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> keys(static_cast<size_t>(num_keys));
  for (auto& key : keys) key = int64_t(rng());
  return MakeRandomColumn<int64_t>(types::Int64(), count,
                                   [&] { return keys[rng() % uint64_t(num_keys)]; });
}

void SetRows(benchmark::State& state, int64_t rows) {
  state.SetItemsProcessed(int64_t(state.iterations()) * rows);
}

void BM_SortIndicesInt64(benchmark::State& state) {
  const ColumnPtr column = RandomInt64(state.range(0), 1);
  for (auto _ : state) benchmark::DoNotOptimize(SortIndices(*column));
  SetRows(state, state.range(0));
}
BENCHMARK(BM_SortIndicesInt64)->Arg(1 << 20)->Arg(8 << 20)->Unit(benchmark::kMillisecond);

void BM_SortIndicesTimestamp(benchmark::State& state) {
  const ColumnPtr column = RandomTimestamps(state.range(0), 2);
  for (auto _ : state) benchmark::DoNotOptimize(SortIndices(*column));
  SetRows(state, state.range(0));
}
BENCHMARK(BM_SortIndicesTimestamp)->Arg(1 << 20)->Arg(8 << 20)->Unit(benchmark::kMillisecond);

void BM_SumFloat64(benchmark::State& state) {
  const ColumnPtr column = RandomFloat64(state.range(0), 3);
  for (auto _ : state) benchmark::DoNotOptimize(Sum(*column));
  SetRows(state, state.range(0));
}
BENCHMARK(BM_SumFloat64)->Arg(8 << 20)->Unit(benchmark::kMillisecond);

// df.groupby("key").agg(x=("x", "mean")) with `range(1)` distinct keys.
void BM_GroupByMean(benchmark::State& state) {
  const int64_t rows = state.range(0);
  const TablePtr table =
      Table::Make({"key", "x"}, {RandomKeys(rows, state.range(1), 4), RandomFloat64(rows, 5)});
  for (auto _ : state) {
    benchmark::DoNotOptimize(GroupByAggregate(*table, {"key"}, {{"x", "mean"}}));
  }
  SetRows(state, rows);
}
BENCHMARK(BM_GroupByMean)
    ->Args({8 << 20, 7})
    ->Args({8 << 20, 1 << 20})
    ->Unit(benchmark::kMillisecond);

// Small-range integer keys (e.g. passenger_count, day of week): the direct-lookup path.
void BM_GroupByMeanSmallIntKeys(benchmark::State& state) {
  const int64_t rows = state.range(0);
  std::mt19937_64 rng(6);
  const TablePtr table = Table::Make(
      {"key", "x"},
      {MakeRandomColumn<int64_t>(types::Int64(), rows, [&] { return int64_t(rng() % 7); }),
       RandomFloat64(rows, 7)});
  for (auto _ : state) {
    benchmark::DoNotOptimize(GroupByAggregate(*table, {"key"}, {{"x", "mean"}}));
  }
  SetRows(state, rows);
}
BENCHMARK(BM_GroupByMeanSmallIntKeys)->Arg(8 << 20)->Unit(benchmark::kMillisecond);

void BM_ValueCountsInt64(benchmark::State& state) {
  const int64_t rows = state.range(0);
  const ColumnPtr column = RandomKeys(rows, state.range(1), 8);
  for (auto _ : state) benchmark::DoNotOptimize(ValueCounts(*column, "value"));
  SetRows(state, rows);
}
BENCHMARK(BM_ValueCountsInt64)
    ->Args({8 << 20, 1000})
    ->Args({8 << 20, 1 << 20})
    ->Unit(benchmark::kMillisecond);

void BM_PartitionByHash(benchmark::State& state) {
  const int64_t rows = state.range(0);
  const TablePtr table = Table::Make(
      {"key", "x", "when"},
      {RandomKeys(rows, 1 << 16, 9), RandomFloat64(rows, 10), RandomTimestamps(rows, 11)});
  for (auto _ : state) benchmark::DoNotOptimize(PartitionByHash(*table, {"key"}, 16));
  SetRows(state, rows);
}
BENCHMARK(BM_PartitionByHash)->Arg(4 << 20)->Unit(benchmark::kMillisecond);

void BM_TakeInt64(benchmark::State& state) {
  const int64_t rows = state.range(0);
  const ColumnPtr column = RandomInt64(rows, 12);
  std::vector<int64_t> indices(static_cast<size_t>(rows));
  std::iota(indices.begin(), indices.end(), 0);
  std::shuffle(indices.begin(), indices.end(), std::mt19937_64(13));
  for (auto _ : state) benchmark::DoNotOptimize(Take(*column, indices));
  SetRows(state, rows);
}
BENCHMARK(BM_TakeInt64)->Arg(8 << 20)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tessera::compute

BENCHMARK_MAIN();
