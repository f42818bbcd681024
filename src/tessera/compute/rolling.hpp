// Moving-window aggregations over one partition (pandas' Series.rolling). A window is either a
// number of rows (the row and the window - 1 rows before it) or a time span over a timestamp
// column (the rows whose time t satisfies row_time - span < t <= row_time, pandas'
// closed="right"). Missing values (null, NaN) are skipped; a window with fewer than
// `min_periods` values gives null.
#pragma once

#include <cstdint>

#include "tessera/table/column.hpp"

namespace tessera::compute {

enum class RollingFunction { kSum, kMean, kCount, kMin, kMax, kVar, kStd };

struct RollingWindow {
  /// Rows per window (> 0), or 0 when `span` is used.
  int64_t rows = 0;
  /// Nanoseconds per window over `times` (> 0) when rows == 0, whatever the unit of `times`.
  int64_t span = 0;
  /// Fewer values than this give null (pandas: the window size for row windows, 1 for spans).
  int64_t min_periods = 1;
  int ddof = 1;
};

/// One value per row of `values` (numeric or bool): float64, except count (float64 too, as
/// pandas returns). `times` (a non-decreasing timestamp column of the same length) is required
/// for span windows. InvalidArgument for a bad window or unsorted times; TypeError for
/// non-numeric values.
ColumnPtr Rolling(const Column& values, const Column* times, const RollingWindow& window, RollingFunction function);

/// A window's span in ticks of `unit`: row i's window holds the rows whose time t satisfies
/// t > times[i] - SpanTicks (the smallest tick count covering the span, so the window keeps
/// pandas' (t - span, t] in nanoseconds).
int64_t SpanTicks(int64_t span_nanos, TimeUnit unit);

}  // namespace tessera::compute
