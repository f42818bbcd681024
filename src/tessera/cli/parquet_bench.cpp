// `tessera bench parquet GLOB`: reads every column of Parquet files into memory with every core
// (as persist() holds them), then two columns, counting the bytes fetched from storage against
// those columns' compressed size.
#include <atomic>
#include <iomanip>
#include <iostream>

#include "tessera/base/error.hpp"
#include "tessera/base/parallel.hpp"
#include "tessera/cli/commands.hpp"
#include "tessera/cli/process_stats.hpp"
#include "tessera/io/parquet/parquet_dataset.hpp"

namespace tessera::cli {
namespace {

// Counts the bytes read through a source.
class CountingSource final : public io::ByteSource {
 public:
  CountingSource(std::shared_ptr<io::ByteSource> inner, std::atomic<int64_t>* bytes)
      : inner_(std::move(inner)), bytes_(bytes) {}
  const std::string& path() const override { return inner_->path(); }
  int64_t size() const override { return inner_->size(); }
  int64_t ReadAt(int64_t offset, int64_t length, uint8_t* dest) const override {
    const int64_t n = inner_->ReadAt(offset, length, dest);
    *bytes_ += n;
    return n;
  }

 private:
  std::shared_ptr<io::ByteSource> inner_;
  std::atomic<int64_t>* bytes_;
};

struct ParquetBenchOptions {
  std::vector<std::string> paths;
  std::vector<std::string> columns{"passenger_count", "fare_amount"};
};

void RunParquetBench(const ParquetBenchOptions& bench) {
  const auto files = io::ExpandPaths(bench.paths);
  int64_t file_bytes = 0;
  for (const auto& file : files) file_bytes += io::OpenLocalFile(file)->size();

  // 1. Every column, one partition per row group, all pieces in parallel.
  Stopwatch stopwatch;
  io::parquet::ParquetReadOptions options;
  options.split_row_groups = 1;
  const auto plan = io::parquet::PlanParquet(bench.paths, options);
  std::vector<TablePtr> partitions(plan.pieces.size());
  ParallelFor(partitions.size(), [&](size_t p) { partitions[p] = io::parquet::ReadParquetPiece(plan, p); });
  const double seconds = stopwatch.Seconds();
  int64_t rows = 0, table_bytes = 0;
  for (const auto& partition : partitions) {
    rows += partition->num_rows();
    table_bytes += partition->nbytes();
  }
  const int64_t peak = PeakResidentBytes();
  const int num_columns = partitions.empty() ? 0 : partitions[0]->num_columns();
  partitions.clear();

  // 2. Two columns: only their column chunks are fetched.
  std::atomic<int64_t> fetched{0};
  int64_t compressed = 0;
  Stopwatch projected_watch;
  std::vector<io::parquet::ParquetFilePtr> opened(files.size());
  ParallelFor(files.size(), [&](size_t f) {
    opened[f] = io::parquet::ParquetFile::Open(
        std::make_shared<CountingSource>(io::OpenInput(files[f], io::Compression::kNone), &fetched));
  });
  std::vector<std::pair<size_t, int>> groups;
  for (size_t f = 0; f < opened.size(); ++f) {
    for (int g = 0; g < opened[f]->num_row_groups(); ++g) groups.emplace_back(f, g);
  }
  std::vector<int> selected;
  for (const auto& name : bench.columns) {
    const int c = opened[0]->ColumnIndex(name);
    if (c < 0) throw KeyError("--columns: '" + name + "' is not a column of " + files[0]);
    selected.push_back(c);
  }
  std::atomic<int64_t> projected_rows{0};
  ParallelFor(groups.size(), [&](size_t i) {
    const auto& [f, g] = groups[i];
    std::vector<int> columns;
    for (const auto& name : bench.columns) columns.push_back(opened[f]->ColumnIndex(name));
    projected_rows += opened[f]->ReadRowGroup(g, columns)->num_rows();
  });
  const double projected_seconds = projected_watch.Seconds();
  for (const auto& [f, g] : groups) {
    for (const auto& name : bench.columns) compressed += opened[f]->column_chunk_bytes(g, opened[f]->ColumnIndex(name));
  }

  std::cout << "read " << files.size() << " files, " << std::fixed << std::setprecision(1) << double(file_bytes) / 1e6
            << " MB of Parquet into " << plan.pieces.size() << " partitions\n"
            << rows << " rows, " << num_columns << " columns, " << std::setprecision(3) << seconds << " s\n"
            << "table " << std::setprecision(1) << double(table_bytes) / 1e6 << " MB, peak resident "
            << double(peak) / 1e6 << " MB (" << std::setprecision(2) << double(peak) / double(table_bytes)
            << "x the table)\n"
            << bench.columns.size() << " columns: " << std::setprecision(3) << projected_seconds << " s, "
            << std::setprecision(1) << double(fetched.load()) / 1e6 << " MB fetched for " << double(compressed) / 1e6
            << " MB of their column chunks (" << std::setprecision(3) << double(fetched.load()) / double(compressed)
            << "x)\n";
  std::cout << std::setprecision(4) << "{\"bench\": \"parquet\", \"files\": " << files.size()
            << ", \"bytes\": " << file_bytes << ", \"rows\": " << rows << ", \"seconds\": " << seconds
            << ", \"table_bytes\": " << table_bytes << ", \"peak_rss_bytes\": " << peak
            << ", \"projected_columns\": " << bench.columns.size() << ", \"projected_seconds\": " << projected_seconds
            << ", \"projected_rows\": " << projected_rows.load() << ", \"projected_bytes_read\": " << fetched.load()
            << ", \"projected_compressed_bytes\": " << compressed << "}" << std::endl;
}

}  // namespace

void AddParquetBench(CLI::App& bench) {
  auto options = std::make_shared<ParquetBenchOptions>();
  auto* parquet = bench.add_subcommand("parquet", "Read Parquet files into memory with every core, then two columns");
  parquet->add_option("paths", options->paths, "Files or globs")->required();
  parquet->add_option("--columns", options->columns, "The columns of the projected read");
  parquet->callback([options] { RunParquetBench(*options); });
}

}  // namespace tessera::cli
