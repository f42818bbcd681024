// `tessera bench memory GLOB --memory-limit BYTES`: the steps of the tutorial that move the most
// memory (read_csv + persist, a group-by with split_out, a hash join, set_index + persist) under a
// memory limit and then without one, each step timed with the process's peak resident memory
// during it and the bytes spilled and read back, so what the limit costs is one line of JSON.
#include <iostream>
#include <sstream>

#include "tessera/cli/commands.hpp"
#include "tessera/cli/option_checks.hpp"
#include "tessera/cli/process_stats.hpp"
#include "tessera/dataframe/group_by.hpp"
#include "tessera/dataframe/sources.hpp"
#include "tessera/memory/memory_pool.hpp"

namespace tessera::cli {

namespace {

struct MemoryBenchOptions {
  std::vector<std::string> paths;
  int64_t memory_limit = 0;
  int64_t blocksize = int64_t(64) << 20;
  int threads = 0;
  bool compare = true;
};

struct StepFigures {
  std::string step;
  std::string result;
  double seconds = 0;
  int64_t peak_rss = 0;
  int64_t spilled = 0;
  int64_t read_back = 0;
};

// One run of the steps on a scheduler with `limit` (0: the default, half of RAM).
std::vector<StepFigures> RunSteps(const MemoryBenchOptions& bench, int64_t limit, std::ostream& log) {
  sched::LocalSchedulerOptions scheduler_options;
  scheduler_options.num_threads = bench.threads;
  scheduler_options.memory.memory_limit = limit;
  sched::LocalScheduler scheduler(scheduler_options);
  std::vector<StepFigures> figures;
  auto step = [&](const std::string& name, const auto& run) {
    memory::DefaultMemoryPool()->ReleaseCachedMappings();
    ResetPeakResident();
    const sched::SchedulerStats before = scheduler.stats();
    Stopwatch watch;
    const std::string result = run();
    StepFigures f;
    f.step = name;
    f.result = result;
    f.seconds = watch.Seconds();
    f.peak_rss = PeakResidentBytes();
    const sched::SchedulerStats after = scheduler.stats();
    f.spilled = after.total_spilled_bytes - before.total_spilled_bytes;
    f.read_back = after.total_read_back_bytes - before.total_read_back_bytes;
    log << "  " << name << ": " << result << " in " << f.seconds << " s, peak RSS " << (f.peak_rss >> 20) << " MiB, spilled "
        << (f.spilled >> 20) << " MiB, read back " << (f.read_back >> 20) << " MiB" << std::endl;
    figures.push_back(f);
  };
  io::CsvReadOptions options;
  options.parse_dates = {"tpep_pickup_datetime", "tpep_dropoff_datetime"};
  options.blocksize = bench.blocksize;
  dataframe::DataFrame df = dataframe::read_csv(bench.paths, options);
  step("read_csv+persist", [&] {
    df = df.persist(scheduler);
    return std::to_string(df.len(scheduler)) + " rows";
  });
  step("groupby.split_out", [&] {
    dataframe::GroupByOptions grouping;
    grouping.split_out = df.npartitions();
    const auto sums = df.groupby("tpep_pickup_datetime").with_options(grouping)["fare_amount"].sum();
    return std::to_string(sums.to_frame().len(scheduler)) + " groups";
  });
  step("hash_join", [&] {
    dataframe::MergeOptions merge;
    merge.on = {"tpep_pickup_datetime"};
    const auto right = df[std::vector<std::string>{"tpep_pickup_datetime", "tip_amount"}];
    const auto joined = df.merge(right, merge);
    return "tip sum " + joined["tip_amount_y"].sum().compute(scheduler).ToString();
  });
  step("set_index+persist", [&] {
    const auto by_time = df.set_index("tpep_pickup_datetime", {}, scheduler).persist(scheduler);
    return std::to_string(by_time.npartitions()) + " partitions";
  });
  return figures;
}

void PrintFigures(std::ostream& out, const std::vector<StepFigures>& figures) {
  out << "[";
  for (size_t i = 0; i < figures.size(); ++i) {
    const StepFigures& f = figures[i];
    out << (i ? ", " : "") << "{\"step\": \"" << f.step << "\", \"result\": \"" << f.result << "\", \"s\": " << f.seconds << ", \"peak_rss_bytes\": " << f.peak_rss
        << ", \"spilled_bytes\": " << f.spilled << ", \"read_back_bytes\": " << f.read_back << "}";
  }
  out << "]";
}

void RunMemoryBench(const MemoryBenchOptions& bench) {
  std::cout << "with a memory limit of " << (bench.memory_limit >> 20) << " MiB:" << std::endl;
  const auto limited = RunSteps(bench, bench.memory_limit, std::cout);
  const int64_t idle_rss = ResidentBytes();
  std::cout << "resident after the run: " << (idle_rss >> 20) << " MiB" << std::endl;
  std::vector<StepFigures> unlimited;
  if (bench.compare) {
    std::cout << "without a limit:" << std::endl;
    unlimited = RunSteps(bench, 0, std::cout);
  }
  std::ostringstream json;
  json << "{\"bench\": \"memory\", \"memory_limit\": " << bench.memory_limit << ", \"limited\": ";
  PrintFigures(json, limited);
  json << ", \"resident_after_limited_bytes\": " << idle_rss << ", \"unlimited\": ";
  PrintFigures(json, unlimited);
  json << "}";
  std::cout << json.str() << std::endl;
}

}  // namespace

void AddMemoryBench(CLI::App& bench) {
  auto options = std::make_shared<MemoryBenchOptions>();
  auto* memory = bench.add_subcommand("memory", "Persist, group-by split_out, hash join and set_index under a memory limit, then without");
  memory->add_option("paths", options->paths, "Taxi CSV files or globs")->required();
  AddByteSizeOption(*memory, "--memory-limit", &options->memory_limit, "Memory the scheduler may use (300MB, 1GiB, 10%, ...)", true)
      ->required();
  AddByteSizeOption(*memory, "--blocksize", &options->blocksize, "Bytes per partition (64MiB, 100MB, ...)");
  memory->add_option("--threads", options->threads, "Worker threads (0 = all cores)")->check(ThreadCount());
  memory->add_flag("!--no-comparison", options->compare, "Skip the run without a limit");
  memory->callback([options] { RunMemoryBench(*options); });
}

}  // namespace tessera::cli
