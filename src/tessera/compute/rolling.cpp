// Rolling windows: running sums and counts (added and removed as the window moves, with a
// compensation term as pandas' roll_sum), Welford updates for var/std, monotonic deques for
// min/max.
#include "tessera/compute/rolling.hpp"

#include <cmath>
#include <deque>
#include <string>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::compute {

namespace {

// Window start for every row: rows [start[i], i] form row i's window.
std::vector<int64_t> WindowStarts(int64_t n, const Column* times, const RollingWindow& window) {
  std::vector<int64_t> starts(static_cast<size_t>(n), 0);
  if (window.rows > 0) {
    for (int64_t i = 0; i < n; ++i) starts[size_t(i)] = std::max<int64_t>(0, i - window.rows + 1);
    return starts;
  }
  const int64_t* t = times->values<int64_t>();
  const int64_t span = SpanTicks(window.span, times->type().unit());
  int64_t start = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (times->IsNull(i) || (i > 0 && t[i] < t[i - 1])) {
      throw InvalidArgument("rolling over a time span needs a sorted index without missing times (row " +
                            std::to_string(i) + "); call set_index or sort first");
    }
    while (t[start] <= t[i] - span) ++start;
    starts[size_t(i)] = start;
  }
  return starts;
}

}  // namespace

int64_t SpanTicks(int64_t span_nanos, TimeUnit unit) {
  const int64_t per_tick = NanosPerTick(unit);
  return span_nanos / per_tick + (span_nanos % per_tick != 0 ? 1 : 0);
}

ColumnPtr Rolling(const Column& values, const Column* times, const RollingWindow& window, RollingFunction function) {
  if (window.rows < 0 || (window.rows == 0 && window.span <= 0)) {
    throw InvalidArgument("rolling window must be a positive number of rows or a positive time span");
  }
  if (window.rows == 0 && (times == nullptr || times->type().id() != TypeId::kTimestamp || times->length() != values.length())) {
    throw InvalidArgument("a rolling time window needs a timestamp index; call set_index on a datetime column");
  }
  if (!values.type().is_numeric() && values.type() != types::Bool()) {
    throw TypeError("rolling needs numeric values, got " + values.type().ToString());
  }
  const int64_t n = values.length();
  const ColumnPtr as_double = Cast(values, types::Float64());
  const double* x = as_double->values<double>();
  auto present = [&](int64_t i) { return as_double->IsValid(i) && !std::isnan(x[i]); };
  const std::vector<int64_t> starts = WindowStarts(n, times, window);
  FixedWidthBuilder<double> out(types::Float64(), n);
  const int64_t min_periods = std::max<int64_t>(window.min_periods, function == RollingFunction::kCount ? 0 : 1);

  // Running state over [left, i].
  int64_t left = 0, count = 0;
  double sum = 0, compensation = 0, mean = 0, m2 = 0;
  std::deque<int64_t> extremes;  // rows with monotonic values (front = window min or max)
  const bool is_min = function == RollingFunction::kMin;
  auto add_sum = [&](double v) {
    const double y = v - compensation;
    const double t = sum + y;
    compensation = (t - sum) - y;
    sum = t;
  };
  for (int64_t i = 0; i < n; ++i) {
    if (present(i)) {
      ++count;
      add_sum(x[i]);
      const double delta = x[i] - mean;
      mean += delta / double(count);
      m2 += delta * (x[i] - mean);
      if (function == RollingFunction::kMin || function == RollingFunction::kMax) {
        while (!extremes.empty() && (is_min ? x[extremes.back()] >= x[i] : x[extremes.back()] <= x[i])) extremes.pop_back();
        extremes.push_back(i);
      }
    }
    for (; left < starts[size_t(i)]; ++left) {
      if (!present(left)) continue;
      --count;
      add_sum(-x[left]);
      if (count == 0) {
        mean = m2 = sum = compensation = 0;
      } else {
        const double delta = x[left] - mean;
        mean -= delta / double(count);
        m2 -= delta * (x[left] - mean);
      }
      if (!extremes.empty() && extremes.front() == left) extremes.pop_front();
    }
    // pandas counts rows (missing values included) against min_periods for count, values otherwise.
    const int64_t observed = function == RollingFunction::kCount ? i + 1 - starts[size_t(i)] : count;
    if (observed < min_periods) {
      out.AppendNull();
      continue;
    }
    double result = 0;
    switch (function) {
      case RollingFunction::kSum: result = sum; break;
      case RollingFunction::kMean: result = sum / double(count); break;
      case RollingFunction::kCount: result = double(count); break;
      case RollingFunction::kMin:
      case RollingFunction::kMax: result = x[extremes.front()]; break;
      case RollingFunction::kVar:
      case RollingFunction::kStd: {
        if (count <= window.ddof) {
          out.AppendNull();
          continue;
        }
        const double variance = std::max(0.0, m2) / double(count - window.ddof);
        result = function == RollingFunction::kStd ? std::sqrt(variance) : variance;
        break;
      }
    }
    out.Append(result);
  }
  return out.Finish();
}

}  // namespace tessera::compute
