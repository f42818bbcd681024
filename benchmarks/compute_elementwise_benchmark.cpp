// Micro-benchmarks of the elementwise kernels on sizes of one partition (1M-8M rows): float64
// addition, a comparison with a scalar, a cast, timestamp flooring and fields, and substring
// search. Inputs are built once outside the timed loop; throughput is reported in rows/s.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>

#include "tessera/compute/arithmetic.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/compare.hpp"
#include "tessera/compute/datetime.hpp"
#include "tessera/compute/string.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {
namespace {

constexpr int64_t kNanosPerDay = 86'400'000'000'000;
constexpr int64_t k2015 = 16436 * kNanosPerDay;  // 2015-01-01

template <typename T, typename Next>
ColumnPtr MakeColumnOf(DataType type, int64_t count, Next next) {
  FixedWidthBuilder<T> builder(type, count);
  T* values = builder.mutable_values();
  for (int64_t i = 0; i < count; ++i) values[i] = next(i);
  builder.SetLength(count);
  return builder.Finish();
}

ColumnPtr RandomFloat64(int64_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> value(0.0, 1.0);
  return MakeColumnOf<double>(types::Float64(), count, [&](int64_t) { return value(rng); });
}

ColumnPtr RandomInt64(int64_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  return MakeColumnOf<int64_t>(types::Int64(), count, [&](int64_t) { return int64_t(rng() >> 1); });
}

// Timestamps over one year: random order (worst case) or sorted (a time series).
ColumnPtr Timestamps(int64_t count, bool sorted) {
  std::mt19937_64 rng(3);
  const int64_t span = 365 * kNanosPerDay;
  return MakeColumnOf<int64_t>(types::Timestamp(), count, [&](int64_t i) {
    return sorted ? k2015 + i * (span / count) : k2015 + int64_t(rng() % uint64_t(span));
  });
}

// Short words of lowercase letters, about one in 700 rows containing "xyz".
ColumnPtr RandomWords(int64_t count) {
  std::mt19937_64 rng(4);
  std::uniform_int_distribution<int> size(4, 20), letter(0, 25);
  StringBuilder builder(count, count * 12);
  std::string word;
  for (int64_t i = 0; i < count; ++i) {
    word.clear();
    for (int n = size(rng); n > 0; --n) word.push_back(char('a' + letter(rng)));
    builder.Append(word);
  }
  return builder.Finish();
}

void SetRows(benchmark::State& state, int64_t rows) {
  state.SetItemsProcessed(state.iterations() * rows);
}

void BM_AddFloat64(benchmark::State& state) {
  const int64_t rows = state.range(0);
  auto a = RandomFloat64(rows, 1);
  auto b = RandomFloat64(rows, 2);
  for (auto _ : state) benchmark::DoNotOptimize(Add(*a, *b));
  SetRows(state, rows);
  state.SetBytesProcessed(state.iterations() * rows * 24);
}
BENCHMARK(BM_AddFloat64)->Arg(1 << 20)->Arg(8 << 20)->Unit(benchmark::kMillisecond);

void BM_GreaterFloat64Scalar(benchmark::State& state) {
  const int64_t rows = state.range(0);
  auto a = RandomFloat64(rows, 1);
  const Scalar threshold = Scalar::Float64(0.5);
  for (auto _ : state) benchmark::DoNotOptimize(Greater(*a, threshold));
  SetRows(state, rows);
}
BENCHMARK(BM_GreaterFloat64Scalar)->Arg(1 << 20)->Arg(8 << 20)->Unit(benchmark::kMillisecond);

void BM_CastInt64ToFloat64(benchmark::State& state) {
  const int64_t rows = state.range(0);
  auto a = RandomInt64(rows, 1);
  for (auto _ : state) benchmark::DoNotOptimize(Cast(*a, types::Float64()));
  SetRows(state, rows);
}
BENCHMARK(BM_CastInt64ToFloat64)->Arg(1 << 20)->Arg(8 << 20)->Unit(benchmark::kMillisecond);

void BM_FloorTimestampHour(benchmark::State& state) {
  const int64_t rows = state.range(0);
  auto ts = Timestamps(rows, state.range(1) != 0);
  for (auto _ : state) benchmark::DoNotOptimize(Floor(*ts, "1h"));
  SetRows(state, rows);
}
BENCHMARK(BM_FloorTimestampHour)
    ->ArgNames({"rows", "sorted"})
    ->Args({1 << 20, 0})
    ->Args({8 << 20, 0})
    ->Unit(benchmark::kMillisecond);

void BM_Year(benchmark::State& state) {
  const int64_t rows = state.range(0);
  auto ts = Timestamps(rows, state.range(1) != 0);
  for (auto _ : state) benchmark::DoNotOptimize(Year(*ts));
  SetRows(state, rows);
}
BENCHMARK(BM_Year)
    ->ArgNames({"rows", "sorted"})
    ->Args({1 << 20, 0})
    ->Args({1 << 20, 1})
    ->Unit(benchmark::kMillisecond);

void BM_ContainsLiteral(benchmark::State& state) {
  const int64_t rows = state.range(0);
  auto words = RandomWords(rows);
  for (auto _ : state) benchmark::DoNotOptimize(Contains(*words, "xyz"));
  SetRows(state, rows);
}
BENCHMARK(BM_ContainsLiteral)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

void BM_ContainsRegex(benchmark::State& state) {
  const int64_t rows = state.range(0);
  auto words = RandomWords(rows);
  for (auto _ : state) benchmark::DoNotOptimize(Contains(*words, "x[yz]z", true));
  SetRows(state, rows);
}
BENCHMARK(BM_ContainsRegex)->Arg(1 << 17)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tessera::compute

BENCHMARK_MAIN();
