// `tessera bench ...`: whole-workflow benchmarks. Each prints what it measured for people, then,
// as its last line, one JSON object for tools.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "tessera/cli/commands.hpp"
#include "tessera/cli/option_checks.hpp"
#include "tessera/cli/process_stats.hpp"
#include "tessera/io/csv/csv_reader.hpp"

namespace tessera::cli {

namespace {

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, ',')) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

struct CsvBenchOptions {
  std::vector<std::string> paths;
  std::string parse_dates;
  int64_t blocksize = int64_t(64) << 20;
  int threads = 0;
};

void RunCsvBench(const CsvBenchOptions& bench) {
  io::CsvReadOptions options;
  options.parse_dates = SplitCommas(bench.parse_dates);
  options.blocksize = bench.blocksize;
  options.num_threads = bench.threads;
  const auto files = io::ExpandPaths(bench.paths);
  int64_t bytes = 0;
  for (const auto& file : files) bytes += io::OpenInput(file, io::Compression::kNone)->size();

  Stopwatch stopwatch;
  const auto partitions = io::ReadCsv(bench.paths, options);
  const double seconds = stopwatch.Seconds();

  int64_t rows = 0, table_bytes = 0;
  for (const auto& partition : partitions) {
    rows += partition->num_rows();
    table_bytes += partition->nbytes();
  }
  const int64_t peak = PeakResidentBytes();
  std::cout << "read " << files.size() << " files, " << std::fixed << std::setprecision(1)
            << double(bytes) / 1e6 << " MB of CSV into " << partitions.size() << " partitions\n"
            << rows << " rows, " << partitions[0]->num_columns() << " columns\n"
            << partitions[0]->schema().ToString() << std::setprecision(3) << seconds << " s, "
            << std::setprecision(1) << double(bytes) / 1e6 / seconds << " MB/s\n"
            << "table " << double(table_bytes) / 1e6 << " MB, peak resident " << double(peak) / 1e6
            << " MB (" << std::setprecision(2) << double(peak) / double(table_bytes) << "x the table)\n";
  std::cout << std::setprecision(4) << "{\"bench\": \"csv\", \"files\": " << files.size()
            << ", \"bytes\": " << bytes << ", \"rows\": " << rows << ", \"seconds\": " << seconds
            << ", \"table_bytes\": " << table_bytes << ", \"peak_rss_bytes\": " << peak << "}"
            << std::endl;
}

}  // namespace

void AddBenchCommand(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "Benchmarks of whole workflows (last line: JSON)");
  bench->require_subcommand(1);
  auto options = std::make_shared<CsvBenchOptions>();
  auto* csv = bench->add_subcommand("csv", "Read CSV files into memory with every core");
  csv->add_option("paths", options->paths,
                  "Files, globs or URLs (s3://, gs://, http(s)://; credentials and endpoint from AWS_* variables)")
      ->required();
  csv->add_option("--parse-dates", options->parse_dates, "Comma-separated columns to parse as timestamps");
  AddByteSizeOption(*csv, "--blocksize", &options->blocksize, "Bytes per partition (64MiB, 100MB, ...)");
  csv->add_option("--threads", options->threads, "Threads (0 = all cores)")->check(ThreadCount());
  csv->callback([options] { RunCsvBench(*options); });
  AddOverheadBench(*bench);
  AddSeedBench(*bench);
  AddMemoryBench(*bench);
  AddParquetBench(*bench);
}

}  // namespace tessera::cli
