// `tessera demo`: the taxi lesson of the "Scale PyData with Dask" tutorial on the lazy
// DataFrame. Generates a taxi sample, reads and persists it, asks the lesson's questions, sorts
// it by pickup time and uses the divisions, printing each result and its time.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <csignal>
#include <thread>

#include "tessera/cli/commands.hpp"
#include "tessera/cli/option_checks.hpp"
#include "tessera/dashboard/dashboard.hpp"
#include "tessera/cli/process_stats.hpp"
#include "tessera/dataframe/group_by.hpp"
#include "tessera/dataframe/sources.hpp"
#include "tessera/datasets/taxi.hpp"

namespace tessera::cli {

namespace {

struct DemoArguments {
  std::string directory = "build/demo-data/taxi";
  int files = 3;
  int64_t rows = 300000;
  bool dashboard = true;
  std::string dashboard_host = "127.0.0.1";
  int dashboard_port = 8787;
  bool keep_open = false;
  std::string report;
  int64_t memory_limit = 0;
};

volatile std::sig_atomic_t interrupted = 0;

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

  sched::LocalSchedulerOptions scheduler_options;
  scheduler_options.memory.memory_limit = arguments.memory_limit;
  sched::LocalScheduler scheduler(scheduler_options);
  std::unique_ptr<dashboard::Dashboard> live;
  if (arguments.dashboard) {
    live = std::make_unique<dashboard::Dashboard>(
        scheduler, dashboard::DashboardOptions{.host = arguments.dashboard_host, .port = arguments.dashboard_port});
    std::cout << "dashboard: " << live->link() << std::endl;
  }
  std::unique_ptr<dashboard::PerformanceReport> report;
  if (!arguments.report.empty()) report = std::make_unique<dashboard::PerformanceReport>(scheduler, arguments.report);
  io::CsvReadOptions options;
  options.parse_dates = {"tpep_pickup_datetime", "tpep_dropoff_datetime"};
  options.blocksize = int64_t(16) << 20;
  const std::string glob = arguments.directory + "/*.csv";
  dataframe::DataFrame df = dataframe::read_csv(glob, options);
  RunStep("df = dd.read_csv('" + glob + "', parse_dates=[pickup, dropoff])", [&] { return df.ToString(); });
  RunStep("df = df.persist()", [&] {
    df = df.persist(scheduler);
    return std::to_string(df.npartitions()) + " partitions in memory";
  });
  RunStep("df.head()", [&] { return df.head(5, scheduler)->ToString(); });
  RunStep("len(df)", [&] { return std::to_string(df.len(scheduler)); });
  RunStep("df.passenger_count.sum().compute()", [&] { return df["passenger_count"].sum().compute(scheduler).ToString(); });
  RunStep("df[df.passenger_count == 1].trip_distance.mean().compute()", [&] {
    return df[df["passenger_count"] == 1]["trip_distance"].mean().compute(scheduler).ToString();
  });
  RunStep("df.groupby(df.passenger_count).tip_amount.mean().compute()", [&] {
    return df.groupby(df["passenger_count"])["tip_amount"].mean().compute(scheduler)->ToString(20);
  });
  RunStep("(df.tip_amount / df.fare_amount)[df.fare_amount > 0].mean().compute()", [&] {
    return (df["tip_amount"] / df["fare_amount"])[df["fare_amount"] > 0].mean().compute(scheduler).ToString();
  });
  RunStep("df.payment_type.value_counts().compute()", [&] {
    return df["payment_type"].value_counts().compute(scheduler)->ToString();
  });
  dataframe::DataFrame by_time = df;
  RunStep("df2 = df.set_index('tpep_pickup_datetime').persist()", [&] {
    by_time = df.set_index("tpep_pickup_datetime", {}, scheduler).persist(scheduler);
    return by_time.ToString();
  });
  RunStep("df2.known_divisions", [&] { return std::string(by_time.known_divisions() ? "True" : "False"); });
  RunStep("df2.loc['2015-01-05'].head()", [&] { return by_time.loc("2015-01-05").head(5, scheduler)->ToString(); });
  RunStep("len(df2.loc['2015-01-05'])", [&] { return std::to_string(by_time.loc("2015-01-05").len(scheduler)); });
  RunStep("df2.passenger_count.resample('1h').mean().compute()", [&] {
    return by_time["passenger_count"].resample("1h").mean().compute(scheduler)->ToString(10);
  });
  RunStep("df2.trip_distance.rolling('24h').mean().tail()", [&] {
    return by_time["trip_distance"].rolling("24h").mean().to_frame().tail(5, scheduler)->ToString();
  });
  std::cout << "\nThe same lesson as a C++ program: examples/taxi_lesson.cpp.\n";
  if (report) {
    report->Write();
    std::cout << "performance report: " << arguments.report << "\n";
  }
  if (live && arguments.keep_open) {
    std::cout << "serving the dashboard at " << live->link() << " until interrupted (Ctrl-C)" << std::endl;
    std::signal(SIGINT, [](int) { interrupted = 1; });
    std::signal(SIGTERM, [](int) { interrupted = 1; });
    while (!interrupted) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

void AddDemoCommand(CLI::App& app) {
  auto arguments = std::make_shared<DemoArguments>();
  auto* demo = app.add_subcommand("demo", "The taxi lesson on a generated sample");
  demo->add_option("--data-dir", arguments->directory, "Where to write the sample");
  demo->add_option("--files", arguments->files, "Sample files (months)")->check(PositiveCount());
  demo->add_option("--rows", arguments->rows, "Rows per file")->check(PositiveCount());
  demo->add_flag("!--no-dashboard", arguments->dashboard, "Do not serve the live dashboard");
  demo->add_option("--dashboard-host", arguments->dashboard_host, "Interface the dashboard binds (default localhost)");
  demo->add_option("--dashboard-port", arguments->dashboard_port,
                   "First port tried for the dashboard (the next free one is used; 0 = any)")
      ->check(PortNumber());
  demo->add_flag("--keep-open", arguments->keep_open, "Keep serving the dashboard after the lesson, until interrupted");
  demo->add_option("--report", arguments->report, "Write a self-contained performance report (HTML) to this file");
  AddByteSizeOption(*demo, "--memory-limit", &arguments->memory_limit,
                    "Results held in memory before spilling to disk: 300MB, 2GiB, 80% of RAM (0 = half of RAM)",
                    /*share_of_memory=*/true);
  demo->callback([arguments] { RunDemo(*arguments); });
}

}  // namespace tessera::cli
