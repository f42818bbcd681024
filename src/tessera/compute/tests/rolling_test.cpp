// Rolling windows against a direct recomputation of every window.
#include "tessera/compute/rolling.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <random>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {
namespace {

using Values = std::vector<std::optional<double>>;

ColumnPtr Doubles(const Values& values) {
  FixedWidthBuilder<double> builder(types::Float64(), int64_t(values.size()));
  for (const auto& v : values) v ? builder.Append(*v) : builder.AppendNull();
  return builder.Finish();
}

// Every window recomputed from scratch.
Values Reference(const Values& x, const std::vector<int64_t>& t, const RollingWindow& w, RollingFunction f) {
  Values out;
  for (size_t i = 0; i < x.size(); ++i) {
    std::vector<double> window;
    int64_t rows = 0;  // in the window, missing values included (what count checks min_periods by)
    for (size_t j = 0; j <= i; ++j) {
      const bool inside = w.rows > 0 ? int64_t(i - j) < w.rows : t[j] > t[i] - w.span;
      rows += inside;
      if (inside && x[j] && !std::isnan(*x[j])) window.push_back(*x[j]);
    }
    const int64_t count = int64_t(window.size());
    const int64_t observed = f == RollingFunction::kCount ? rows : count;
    if (observed < std::max<int64_t>(w.min_periods, f == RollingFunction::kCount ? 0 : 1)) {
      out.push_back(std::nullopt);
      continue;
    }
    double sum = 0;
    for (double v : window) sum += v;
    const double mean = count ? sum / double(count) : 0;
    double m2 = 0;
    for (double v : window) m2 += (v - mean) * (v - mean);
    switch (f) {
      case RollingFunction::kSum: out.push_back(sum); break;
      case RollingFunction::kMean: out.push_back(mean); break;
      case RollingFunction::kCount: out.push_back(double(count)); break;
      case RollingFunction::kMin: out.push_back(*std::min_element(window.begin(), window.end())); break;
      case RollingFunction::kMax: out.push_back(*std::max_element(window.begin(), window.end())); break;
      case RollingFunction::kVar:
      case RollingFunction::kStd:
        if (count <= w.ddof) {
          out.push_back(std::nullopt);
        } else {
          const double var = m2 / double(count - w.ddof);
          out.push_back(f == RollingFunction::kVar ? var : std::sqrt(var));
        }
        break;
    }
  }
  return out;
}

void ExpectNear(const Column& actual, const Values& expected) {
  ASSERT_EQ(actual.length(), int64_t(expected.size()));
  for (int64_t i = 0; i < actual.length(); ++i) {
    ASSERT_EQ(actual.IsNull(i), !expected[size_t(i)].has_value()) << "row " << i;
    if (expected[size_t(i)]) {
      const double want = *expected[size_t(i)];
      EXPECT_NEAR(actual.values<double>()[i], want, 1e-9 * std::max(1.0, std::abs(want))) << "row " << i;
    }
  }
}

TEST(RollingTest, RowAndTimeWindowsMatchARecomputationOfEveryWindow) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 20; ++round) {
    const int64_t n = int64_t(rng() % 60);
    Values x;
    std::vector<int64_t> t;
    int64_t now = 0;
    FixedWidthBuilder<int64_t> times(types::Timestamp(), n);
    for (int64_t i = 0; i < n; ++i) {
      const int kind = int(rng() % 10);
      x.push_back(kind == 0 ? std::nullopt : kind == 1 ? std::optional<double>(std::nan("")) : std::optional<double>(double(rng() % 200) - 100));
      now += int64_t(rng() % 3) * 1000;  // repeated times too
      t.push_back(now);
      times.Append(now);
    }
    const ColumnPtr time_column = times.Finish();
    const ColumnPtr values = Doubles(x);
    for (auto f : {RollingFunction::kSum, RollingFunction::kMean, RollingFunction::kCount, RollingFunction::kMin,
                   RollingFunction::kMax, RollingFunction::kVar, RollingFunction::kStd}) {
      for (int64_t rows : {1, 3, 7}) {
        const RollingWindow window{rows, 0, rows, 1};
        ExpectNear(*Rolling(*values, nullptr, window, f), Reference(x, t, window, f));
      }
      const RollingWindow span{0, 2500, 1, 1};
      ExpectNear(*Rolling(*values, time_column.get(), span, f), Reference(x, t, span, f));
    }
  }
}

TEST(RollingTest, TimeWindowsOverEveryUnitMatchTheNanosecondWindows) {
  // Times in seconds, milliseconds or microseconds: the window (t - span, t] in nanoseconds,
  // spans that are not whole ticks included (2.5 s over a second index covers 2 s back).
  std::mt19937_64 rng(9);
  for (TimeUnit unit : {TimeUnit::kSecond, TimeUnit::kMilli, TimeUnit::kMicro}) {
    const int64_t n = 50;
    Values x;
    std::vector<int64_t> t_nanos;
    FixedWidthBuilder<int64_t> times(types::Timestamp(unit), n);
    int64_t now = 0;
    for (int64_t i = 0; i < n; ++i) {
      x.push_back(double(rng() % 100));
      now += int64_t(rng() % 3);
      times.Append(now);
      t_nanos.push_back(now * NanosPerTick(unit));
    }
    const ColumnPtr time_column = times.Finish();
    for (int64_t span_nanos : {NanosPerTick(unit), 2 * NanosPerTick(unit) + NanosPerTick(unit) / 2, 5 * NanosPerTick(unit)}) {
      const RollingWindow span{0, span_nanos, 1, 1};
      ExpectNear(*Rolling(*Doubles(x), time_column.get(), span, RollingFunction::kSum),
                 Reference(x, t_nanos, span, RollingFunction::kSum));
    }
  }
}

TEST(RollingTest, CountChecksMinPeriodsAgainstRowsAsPandas) {
  // pandas: Series([1, nan, 3, 4, 5]).rolling(3).count() == [nan, nan, 2, 2, 3] and
  // Series([nan, nan, 3]).rolling(2, min_periods=1).count() == [0, 0, 1].
  ExpectNear(*Rolling(*Doubles({1.0, std::nan(""), 3.0, 4.0, 5.0}), nullptr, {3, 0, 3, 1}, RollingFunction::kCount),
             {std::nullopt, std::nullopt, 2.0, 2.0, 3.0});
  ExpectNear(*Rolling(*Doubles({std::nullopt, std::nan(""), 3.0}), nullptr, {2, 0, 1, 1}, RollingFunction::kCount),
             {0.0, 0.0, 1.0});
}

TEST(RollingTest, RejectsBadWindowsAndUnsortedTimes) {
  const ColumnPtr values = Doubles({1.0, 2.0});
  EXPECT_THROW(Rolling(*values, nullptr, {0, 0, 1, 1}, RollingFunction::kSum), InvalidArgument);
  EXPECT_THROW(Rolling(*values, nullptr, {0, 10, 1, 1}, RollingFunction::kSum), InvalidArgument);
  FixedWidthBuilder<int64_t> times(types::Timestamp(), 2);
  times.Append(5);
  times.Append(1);
  const ColumnPtr unsorted = times.Finish();
  EXPECT_THROW(Rolling(*values, unsorted.get(), {0, 10, 1, 1}, RollingFunction::kSum), InvalidArgument);
}

}  // namespace
}  // namespace tessera::compute
