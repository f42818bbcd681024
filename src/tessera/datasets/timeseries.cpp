#include "tessera/datasets/timeseries.hpp"

#include <cctype>
#include <random>

#include "tessera/base/civil_time.hpp"
#include "tessera/base/error.hpp"
#include "tessera/base/timestamp_parse.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::datasets {

namespace {

const char* const kNames[] = {"Alice",   "Bob",    "Charlie", "Dan",     "Edith",   "Frank", "George",
                              "Hannah",  "Ingrid", "Jerry",   "Kevin",   "Laura",   "Michael", "Norbert",
                              "Oliver",  "Patricia", "Quinn", "Ray",     "Sarah",   "Tim",   "Ursula",
                              "Victor",  "Wendy",  "Xavier",  "Yvonne",  "Zelda"};

int64_t ParseTimestampArgument(const std::string& text, const char* what) {
  int64_t nanos = 0;
  if (!ParseIsoTimestamp(text, &nanos)) {
    throw InvalidArgument(std::string(what) + " '" + text + "' is not a date like 2000-01-01");
  }
  return nanos;
}

}  // namespace

int64_t ParseFixedFrequency(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const int64_t count = digits == 0 ? 1 : std::stoll(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  int64_t unit_nanos = 0;
  if (unit == "ns" || unit == "N") unit_nanos = 1;
  else if (unit == "us" || unit == "U") unit_nanos = 1000;
  else if (unit == "ms" || unit == "L") unit_nanos = 1000000;
  else if (unit == "s" || unit == "S") unit_nanos = civil::kNanosPerSecond;
  else if (unit == "min" || unit == "T") unit_nanos = civil::kNanosPerMinute;
  else if (unit == "h" || unit == "H") unit_nanos = civil::kNanosPerHour;
  else if (unit == "D" || unit == "d") unit_nanos = civil::kNanosPerDay;
  if (unit_nanos == 0 || count <= 0) {
    throw InvalidArgument("frequency '" + text + "' is not a fixed frequency; use a count and one of "
                          "ns, us, ms, s, min, h, D (e.g. '1s', '15min', '1D')");
  }
  return count * unit_nanos;
}

std::vector<int64_t> TimeseriesDivisions(const TimeseriesOptions& options) {
  const int64_t start = ParseTimestampArgument(options.start, "start");
  const int64_t end = ParseTimestampArgument(options.end, "end");
  if (end <= start) throw InvalidArgument("end '" + options.end + "' must be after start '" + options.start + "'");
  ParseFixedFrequency(options.freq);  // validated before any partition is generated
  const int64_t partition_span = ParseFixedFrequency(options.partition_freq);
  std::vector<int64_t> divisions;
  for (int64_t boundary = start; boundary < end; boundary += partition_span) divisions.push_back(boundary);
  // As in Dask: divisions end at `end`, and each partition holds [division, next division).
  divisions.push_back(end);
  return divisions;
}

TablePtr TimeseriesPartition(const TimeseriesOptions& options, const std::vector<int64_t>& divisions,
                             size_t partition) {
  if (partition + 1 >= divisions.size()) {
    throw IndexError("timeseries partition " + std::to_string(partition) + " out of range (" +
                     std::to_string(divisions.size() - 1) + " partitions)");
  }
  const int64_t step = ParseFixedFrequency(options.freq);
  const int64_t first = divisions[partition];
  const int64_t rows = (divisions[partition + 1] - first + step - 1) / step;
  std::mt19937_64 rng(options.seed * 7919 + partition);
  std::poisson_distribution<int64_t> id(1000);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::uniform_int_distribution<int> name(0, 25);
  FixedWidthBuilder<int64_t> timestamps(types::Timestamp(options.unit), rows), ids(types::Int64(), rows);
  FixedWidthBuilder<double> xs(types::Float64(), rows), ys(types::Float64(), rows);
  StringBuilder names(rows, rows * 8);
  for (int64_t i = 0; i < rows; ++i) {
    int64_t ticks = 0;
    ConvertTicks(first + i * step, TimeUnit::kNano, options.unit, &ticks);  // coarser: always fits
    timestamps.UnsafeAppend(ticks);
    names.Append(kNames[name(rng)]);
    ids.UnsafeAppend(id(rng));
    xs.UnsafeAppend(uniform(rng));
    ys.UnsafeAppend(uniform(rng));
  }
  return Table::Make({"name", "id", "x", "y"}, {names.Finish(), ids.Finish(), xs.Finish(), ys.Finish()},
                     timestamps.Finish(), "timestamp");
}

TimeseriesData Timeseries(const TimeseriesOptions& options) {
  TimeseriesData data;
  data.divisions = TimeseriesDivisions(options);
  for (size_t p = 0; p + 1 < data.divisions.size(); ++p) {
    data.partitions.push_back(TimeseriesPartition(options, data.divisions, p));
  }
  return data;
}

}  // namespace tessera::datasets
