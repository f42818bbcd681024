// `tessera demo`: the first steps of the taxi lesson. Generates a taxi sample, reads it with the
// parallel CSV reader, and runs the lesson's first questions with the columnar kernels, printing
// each result and its time.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "tessera/cli/commands.hpp"
#include "tessera/cli/process_stats.hpp"
#include "tessera/compute/aggregate.hpp"
#include "tessera/compute/arithmetic.hpp"
#include "tessera/compute/compare.hpp"
#include "tessera/compute/group_by.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/value_counts.hpp"
#include "tessera/datasets/taxi.hpp"
#include "tessera/io/csv/csv_reader.hpp"

namespace tessera::cli {

namespace {

struct DemoArguments {
  std::string directory = "build/demo-data/taxi";
  int files = 3;
  int64_t rows = 300000;
};

// Prints one step's title, result and time, as the lesson's notebook cells would.
template <typename Step>
void RunStep(const std::string& title, Step&& step) {
  std::cout << "\n>>> " << title << "\n";
  Stopwatch stopwatch;
  const std::string result = step();
  const double seconds = stopwatch.Seconds();
  std::cout << result << (result.empty() || result.back() == '\n' ? "" : "\n") << std::fixed
            << std::setprecision(3) << "    [" << seconds << " s]\n";
}

void RunDemo(const DemoArguments& arguments) {
  std::cout << "tessera demo: the NYC taxi lesson, first steps\n";
  std::filesystem::create_directories(arguments.directory);
  RunStep("generate " + std::to_string(arguments.files) + " taxi files x " + std::to_string(arguments.rows) +
              " rows into " + arguments.directory,
          [&] {
            const auto paths = datasets::WriteTaxiFiles(arguments.directory, arguments.files, arguments.rows);
            int64_t bytes = 0;
            for (const auto& path : paths) bytes += int64_t(std::filesystem::file_size(path));
            return std::to_string(paths.size()) + " files, " + std::to_string(bytes >> 20) + " MiB";
          });

  io::CsvReadOptions options;
  options.parse_dates = {"tpep_pickup_datetime", "tpep_dropoff_datetime"};
  options.blocksize = int64_t(16) << 20;
  std::vector<TablePtr> partitions;
  const std::string glob = arguments.directory + "/*.csv";
  RunStep("read_csv('" + glob + "', parse_dates=[pickup, dropoff])", [&] {
    Stopwatch stopwatch;
    partitions = io::ReadCsv({glob}, options);
    const double seconds = stopwatch.Seconds();
    int64_t rows = 0, bytes = 0;
    for (const auto& partition : partitions) {
      rows += partition->num_rows();
      bytes += partition->nbytes();
    }
    int64_t file_bytes = 0;
    for (const auto& path : io::ExpandPaths({glob})) file_bytes += int64_t(std::filesystem::file_size(path));
    std::ostringstream out;
    out << rows << " rows in " << partitions.size() << " partitions, " << (bytes >> 20) << " MiB in memory, "
        << std::fixed << std::setprecision(0) << double(file_bytes) / 1e6 / seconds << " MB/s of CSV\n\n"
        << partitions[0]->schema().ToString();
    return out.str();
  });
  const TablePtr df = ConcatenateTables(partitions);

  RunStep("df.head()", [&] { return df->Slice(0, 5)->ToString(); });
  RunStep("df.passenger_count.sum()", [&] { return compute::Sum(*df->column("passenger_count")).ToString(); });
  RunStep("df[df.passenger_count == 1].trip_distance.mean()", [&] {
    const auto mask = compute::Equal(*df->column("passenger_count"), compute::Scalar::Int64(1));
    return compute::Mean(*compute::Filter(*df->column("trip_distance"), *mask)).ToString();
  });
  RunStep("df.groupby(df.passenger_count).tip_amount.mean()", [&] {
    return compute::GroupByAggregate(*df, {"passenger_count"}, {{"tip_amount", "mean"}})->ToString(20);
  });
  RunStep("(df.tip_amount / df.fare_amount)[df.fare_amount > 0].mean()", [&] {
    const auto ratio = compute::Divide(*df->column("tip_amount"), *df->column("fare_amount"));
    const auto positive = compute::Greater(*df->column("fare_amount"), compute::Scalar::Float64(0));
    return compute::Mean(*compute::Filter(*ratio, *positive)).ToString();
  });
  RunStep("df.payment_type.value_counts()", [&] {
    return compute::ValueCounts(*df->column("payment_type"), "payment_type")->ToString();
  });
  std::cout << "\nNext: the lazy DataFrame, set_index and the dashboard (see README).\n";
}

}  // namespace

void AddDemoCommand(CLI::App& app) {
  auto arguments = std::make_shared<DemoArguments>();
  auto* demo = app.add_subcommand("demo", "The taxi lesson on a generated sample");
  demo->add_option("--data-dir", arguments->directory, "Where to write the sample");
  demo->add_option("--files", arguments->files, "Sample files (months)");
  demo->add_option("--rows", arguments->rows, "Rows per file");
  demo->callback([arguments] { RunDemo(*arguments); });
}

}  // namespace tessera::cli
