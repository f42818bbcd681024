// The data set most Dask examples start from (dask.datasets.timeseries): a timestamp index at a
// fixed frequency over a date range, with columns name (one of 26 first names), id
// (Poisson(1000)), x and y (uniform in [-1, 1]); one partition per day.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/table/table.hpp"

namespace tessera::datasets {

struct TimeseriesOptions {
  std::string start = "2000-01-01";
  std::string end = "2000-01-31";
  /// Spacing of the index: "1s", "500ms", "1min", "1h", ...
  std::string freq = "1s";
  /// Length of one partition: "1D", "12h", ...
  std::string partition_freq = "1D";
  uint64_t seed = 0;
  /// Unit of the timestamp index: microseconds, as pandas 3's date_range (pandas 2: ns).
  TimeUnit unit = TimeUnit::kMicro;
};

struct TimeseriesData {
  /// One table per partition, indexed by "timestamp".
  std::vector<TablePtr> partitions;
  /// Partition boundaries (npartitions + 1 timestamps, always ns), as Dask's divisions.
  std::vector<int64_t> divisions;
};

/// Partition boundaries for `options` (validates every option).
std::vector<int64_t> TimeseriesDivisions(const TimeseriesOptions& options);
/// Partition `partition` of the data set on its own (what a lazy source's task generates).
TablePtr TimeseriesPartition(const TimeseriesOptions& options, const std::vector<int64_t>& divisions,
                             size_t partition);
/// Generates the data set; the same options give the same data.
TimeseriesData Timeseries(const TimeseriesOptions& options = {});

/// Nanoseconds of a fixed frequency such as "1s", "15min", "2h", "1D", "100ms" (pandas
/// aliases: ns, us, ms, s, min/T, h/H, D). Throws InvalidArgument naming the text.
int64_t ParseFixedFrequency(const std::string& text);

}  // namespace tessera::datasets
