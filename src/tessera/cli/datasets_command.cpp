// `tessera datasets taxi|timeseries`: writes the demo and benchmark data sets as CSV files.
#include <iomanip>
#include <iostream>

#include "tessera/base/civil_time.hpp"
#include "tessera/cli/commands.hpp"
#include "tessera/cli/option_checks.hpp"
#include "tessera/cli/process_stats.hpp"
#include "tessera/datasets/taxi.hpp"
#include "tessera/datasets/timeseries.hpp"
#include "tessera/io/csv/csv_writer.hpp"

namespace tessera::cli {

namespace {

struct TaxiArguments {
  std::string directory;
  int files = 12;
  int64_t rows = 1000000;
  uint64_t seed = 2015;
  int threads = 0;
};

struct TimeseriesArguments {
  std::string directory;
  datasets::TimeseriesOptions options;
};

void RunTaxi(const TaxiArguments& arguments) {
  Stopwatch stopwatch;
  const auto paths = datasets::WriteTaxiFiles(arguments.directory, arguments.files, arguments.rows,
                                              arguments.seed, arguments.threads);
  for (const auto& path : paths) std::cout << path << "\n";
  std::cerr << "wrote " << paths.size() << " files x " << arguments.rows << " rows in " << std::fixed
            << std::setprecision(2) << stopwatch.Seconds() << " s\n";
}

void RunTimeseries(const TimeseriesArguments& arguments) {
  const auto data = datasets::Timeseries(arguments.options);
  io::CsvWriteOptions options;
  const auto paths = io::WriteCsv(data.partitions, arguments.directory + "/*.csv", options, [&](size_t i) {
    return civil::FormatDate(civil::FloorDiv(data.divisions[i], civil::kNanosPerDay));
  });
  for (const auto& path : paths) std::cout << path << "\n";
}

}  // namespace

void AddDatasetsCommand(CLI::App& app) {
  auto* command = app.add_subcommand("datasets", "Write demo and benchmark data sets as CSV files");
  command->require_subcommand(1);

  auto taxi = std::make_shared<TaxiArguments>();
  auto* taxi_command = command->add_subcommand(
      "taxi", "NYC-yellow-taxi-2015-shaped CSVs (19 columns), one file per month");
  taxi_command->add_option("outdir", taxi->directory, "Directory to write into")->required();
  taxi_command->add_option("--files", taxi->files, "Number of files (months)")->check(PositiveCount());
  taxi_command->add_option("--rows", taxi->rows, "Rows per file")->check(PositiveCount());
  taxi_command->add_option("--seed", taxi->seed, "Random seed");
  taxi_command->add_option("--threads", taxi->threads, "Threads (0 = all cores)")->check(ThreadCount());
  taxi_command->callback([taxi] { RunTaxi(*taxi); });

  auto timeseries = std::make_shared<TimeseriesArguments>();
  auto* timeseries_command = command->add_subcommand(
      "timeseries", "dask.datasets.timeseries(): name, id, x, y at a fixed frequency, one file per day");
  timeseries_command->add_option("outdir", timeseries->directory, "Directory to write into")->required();
  timeseries_command->add_option("--start", timeseries->options.start, "First timestamp");
  timeseries_command->add_option("--end", timeseries->options.end, "End (exclusive)");
  timeseries_command->add_option("--freq", timeseries->options.freq, "Spacing of rows");
  timeseries_command->add_option("--partition-freq", timeseries->options.partition_freq, "Span of one file");
  timeseries_command->add_option("--seed", timeseries->options.seed, "Random seed");
  timeseries_command->callback([timeseries] { RunTimeseries(*timeseries); });
}

}  // namespace tessera::cli
