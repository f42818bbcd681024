// Micro-benchmarks of the CSV reader's stages on taxi-shaped text: tokenizing, parsing numbers
// and timestamps, and whole reads of a generated file.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "tessera/base/timestamp_parse.hpp"
#include "tessera/datasets/taxi.hpp"
#include "tessera/io/csv/csv_reader.hpp"
#include "tessera/io/csv/csv_writer.hpp"
#include "tessera/io/csv/field_parsing.hpp"
#include "tessera/io/csv/tokenizer.hpp"

namespace tessera {
namespace {

std::string TaxiText(int64_t rows) {
  const auto path = std::filesystem::temp_directory_path() / "tessera-csv-benchmark.csv";
  io::CsvWriteOptions options;
  options.index = false;
  io::WriteCsvTable(*datasets::TaxiMonth(1, rows, 1), path.string(), options);
  std::string text(std::filesystem::file_size(path), '\0');
  std::FILE* file = std::fopen(path.c_str(), "rb");
  const size_t read = std::fread(text.data(), 1, text.size(), file);
  std::fclose(file);
  text.resize(read);
  std::filesystem::remove(path);
  return text;
}

void BM_Tokenize(benchmark::State& state) {
  std::string text = TaxiText(100000);
  const size_t header_end = text.find('\n') + 1;
  text.append(io::csv::kTokenizerPadding, '\0');
  const int64_t size = int64_t(text.size()) - io::csv::kTokenizerPadding;
  io::csv::TokenizerConfig config;
  config.num_columns = 19;
  io::csv::Tokenizer tokenizer(config);
  io::csv::FieldBatch batch;
  for (auto _ : state) {
    int64_t position = int64_t(header_end);
    while (position < size) {
      batch.Clear();
      position = tokenizer.Tokenize(text.data(), size, position, size, true, state.range(0), &batch).next_offset;
    }
    benchmark::DoNotOptimize(batch.num_rows);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * size);
}
BENCHMARK(BM_Tokenize)->Arg(256)->Arg(1024)->Arg(4096);

void BM_ParseFloat64(benchmark::State& state) {
  std::mt19937_64 rng(1);
  std::vector<std::string> values;
  for (int i = 0; i < 100000; ++i) {
    char text[64];
    if (i % 3 == 0) {
      std::snprintf(text, sizeof text, "%.15g", -73.98 + double(rng() % 100000) / 1e6);
    } else {
      std::snprintf(text, sizeof text, "%.2f", double(rng() % 10000) / 100);
    }
    values.emplace_back(text);
  }
  for (auto _ : state) {
    double sum = 0;
    for (const auto& value : values) {
      double parsed;
      io::csv::ParseFloat64(value, &parsed);
      sum += parsed;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(values.size()));
}
BENCHMARK(BM_ParseFloat64);

void BM_ParseIsoTimestamp(benchmark::State& state) {
  const std::string text = "2015-01-01 12:34:56";
  for (auto _ : state) {
    int64_t nanos;
    benchmark::DoNotOptimize(ParseIsoTimestamp(text, &nanos));
    benchmark::DoNotOptimize(nanos);
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_ParseIsoTimestamp);

void BM_ReadCsv(benchmark::State& state) {
  const auto path = (std::filesystem::temp_directory_path() / "tessera-read-benchmark.csv").string();
  io::CsvWriteOptions write_options;
  write_options.index = false;
  io::WriteCsvTable(*datasets::TaxiMonth(1, 200000, 2), path, write_options);
  io::CsvReadOptions options;
  options.parse_dates = {"tpep_pickup_datetime", "tpep_dropoff_datetime"};
  options.blocksize = int64_t(8) << 20;
  options.num_threads = int(state.range(0));
  for (auto _ : state) {
    auto partitions = io::ReadCsv({path}, options);
    benchmark::DoNotOptimize(partitions.size());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(std::filesystem::file_size(path)));
  std::filesystem::remove(path);
}
BENCHMARK(BM_ReadCsv)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tessera

BENCHMARK_MAIN();
