// Test support for the lazy collections: a random table with every kind of column (nulls, NaN,
// an all-null column), the partitionings every operation is checked over (one partition, many,
// empty and single-row partitions), and table comparison with a tolerance for float sums that
// are added in a different order.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "tessera/dataframe/dataframe.hpp"
#include "tessera/dataframe/sources.hpp"
#include "tessera/sched/local_scheduler.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::dataframe::testing {

/// Columns: k (int64 keys 0..4 with nulls), g (strings "a".."c" with nulls), x (float64 with
/// NaN), n (int64 0..99), b (bool), t (timestamps, seconds apart), s (words), z (all-null float64).
/// Indexed by "i" (0..rows-1) when `indexed`.
inline TablePtr RandomTable(int64_t rows, uint64_t seed, bool indexed = false) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> small(0, 4), percent(0, 99);
  std::normal_distribution<double> normal(0.0, 10.0);
  FixedWidthBuilder<int64_t> k(types::Int64(), rows), n(types::Int64(), rows), t(types::Timestamp(), rows),
      index(types::Int64(), rows);
  FixedWidthBuilder<double> x(types::Float64(), rows), z(types::Float64(), rows);
  FixedWidthBuilder<uint8_t> b(types::Bool(), rows);
  StringBuilder g(rows, rows * 2), s(rows, rows * 8);
  const char* const words[] = {"apple", "Banana", " cherry ", "date", "élan", ""};
  for (int64_t i = 0; i < rows; ++i) {
    if (percent(rng) < 10) k.AppendNull(); else k.Append(small(rng));
    if (percent(rng) < 10) g.AppendNull(); else g.Append(std::string(1, char('a' + small(rng) % 3)));
    x.Append(percent(rng) < 10 ? std::nan("") : std::round(normal(rng) * 100) / 100);
    n.Append(percent(rng));
    b.Append(percent(rng) < 40 ? 1 : 0);
    t.Append(int64_t(1430784000) * 1000000000 + (i * 7919 % (rows + 1)) * 60000000000LL);
    if (percent(rng) < 5) s.AppendNull(); else s.Append(words[small(rng)]);
    z.AppendNull();
    index.Append(i);
  }
  return Table::Make({"k", "g", "x", "n", "b", "t", "s", "z"},
                     {k.Finish(), g.Finish(), x.Finish(), n.Finish(), b.Finish(), t.Finish(), s.Finish(), z.Finish()},
                     indexed ? index.Finish() : nullptr, indexed ? "i" : "");
}

/// The same rows cut into partitions in several ways: one partition; equal parts; random cuts
/// with empty and single-row partitions.
inline std::vector<std::vector<TablePtr>> Partitionings(const TablePtr& table, uint64_t seed = 1) {
  const int64_t rows = table->num_rows();
  std::vector<std::vector<TablePtr>> result;
  result.push_back({table});
  std::vector<TablePtr> equal;
  for (int64_t p = 0; p < 7; ++p) equal.push_back(table->Slice(rows * p / 7, rows * (p + 1) / 7 - rows * p / 7));
  result.push_back(equal);
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 2; ++round) {
    std::vector<int64_t> cuts{0, 0, 1, rows / 2, rows / 2, rows / 2 + 1, rows, rows};
    std::uniform_int_distribution<int64_t> position(0, rows);
    for (int c = 0; c < 10; ++c) cuts.push_back(position(rng));
    std::sort(cuts.begin(), cuts.end());
    std::vector<TablePtr> parts;
    for (size_t c = 0; c + 1 < cuts.size(); ++c) parts.push_back(table->Slice(cuts[c], cuts[c + 1] - cuts[c]));
    result.push_back(parts);
  }
  return result;
}

/// Equal schema, index and values; float values may differ by `tolerance` relative.
inline ::testing::AssertionResult TablesNear(const Table& actual, const Table& expected, double tolerance = 1e-9) {
  if (!(actual.schema() == expected.schema())) {
    return ::testing::AssertionFailure() << "schemas differ:\n" << actual.schema().ToString() << "vs\n"
                                         << expected.schema().ToString();
  }
  if (actual.num_rows() != expected.num_rows() || actual.has_index() != expected.has_index() ||
      actual.index_name() != expected.index_name()) {
    return ::testing::AssertionFailure() << "shape or index differs:\n" << actual.ToString(20) << "\nvs\n"
                                         << expected.ToString(20);
  }
  auto near = [&](const Column& a, const Column& b) {
    if (!a.type().is_floating() || a.type() != b.type()) return ColumnsEqual(a, b);
    for (int64_t i = 0; i < a.length(); ++i) {
      const double u = a.type() == types::Float64() ? a.values<double>()[i] : a.values<float>()[i];
      const double v = b.type() == types::Float64() ? b.values<double>()[i] : b.values<float>()[i];
      if (a.IsNull(i) != b.IsNull(i) || std::isnan(u) != std::isnan(v)) return false;
      if (!std::isnan(u) && std::abs(u - v) > tolerance * std::max(1.0, std::abs(v))) return false;
    }
    return true;
  };
  if (actual.has_index() && !near(*actual.index(), *expected.index())) {
    return ::testing::AssertionFailure() << "index differs:\n" << actual.ToString(20) << "\nvs\n" << expected.ToString(20);
  }
  for (int c = 0; c < actual.num_columns(); ++c) {
    if (!near(*actual.column(c), *expected.column(c))) {
      return ::testing::AssertionFailure() << "column '" << actual.schema().field(c).name << "' differs:\n"
                                           << actual.ToString(20) << "\nvs\n" << expected.ToString(20);
    }
  }
  return ::testing::AssertionSuccess();
}

#define EXPECT_TABLES_NEAR(actual, expected) \
  EXPECT_TRUE(::tessera::dataframe::testing::TablesNear(*(actual), *(expected)))

/// A scheduler of 3 threads per test, so partitions really run concurrently.
class FrameTest : public ::testing::Test {
 protected:
  FrameTest() : scheduler_(sched::LocalSchedulerOptions{3, {}}) {}
  sched::LocalScheduler scheduler_;
};

}  // namespace tessera::dataframe::testing
