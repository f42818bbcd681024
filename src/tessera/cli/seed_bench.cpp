// `tessera bench seed GLOB`: the tutorial's taxi workflow, step by step, with the step names and
// JSON line of ../shared/anchors/run-anchors so the peers' figures compare line by line.
// (divisions_known is a Dask-only step and is not timed.)
#include <iomanip>
#include <iostream>
#include <sstream>

#include <utility>  // before Boost.Asio 1.74, whose awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "tessera/cli/commands.hpp"
#include "tessera/cli/option_checks.hpp"
#include "tessera/dashboard/dashboard.hpp"
#include "tessera/cli/process_stats.hpp"
#include "tessera/dataframe/group_by.hpp"
#include "tessera/dataframe/sources.hpp"

namespace tessera::cli {

namespace {

struct SeedBenchOptions {
  std::vector<std::string> paths;
  int threads = 0;
  int64_t blocksize = int64_t(64) << 20;
  bool explain = false;
  bool dashboard = false;
};

// What an open dashboard page asks for, five times a second, over real HTTP: the task stream
// since its last look and the other plots in full.
class PagePoller {
 public:
  explicit PagePoller(int port) : port_(port), thread_([this] { Run(); }) {}
  ~PagePoller() {
    stop_ = true;
    thread_.join();
  }
  int64_t requests() const { return requests_; }

 private:
  void Run() {
    double since = -1;
    while (!stop_) {
      for (const std::string& target : {"/api/task-stream?since=" + std::to_string(since), std::string("/api/progress"),
                                       std::string("/api/memory"), std::string("/api/workers"),
                                       std::string("/api/summary")}) {
        const std::string body = Get(target);
        if (target.rfind("/api/task-stream", 0) == 0) {
          const size_t at = body.rfind("\"stop\":");
          if (at != std::string::npos) since = std::atof(body.c_str() + at + 7);
        }
        ++requests_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  std::string Get(const std::string& target) {
    namespace asio = boost::asio;
    namespace http = boost::beast::http;
    try {
      asio::io_context io;
      asio::ip::tcp::socket socket(io);
      socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)});
      http::request<http::empty_body> request{http::verb::get, target, 11};
      request.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
      http::write(socket, request);
      boost::beast::flat_buffer buffer;
      http::response<http::string_body> response;
      http::read(socket, buffer, response);
      return response.body();
    } catch (const std::exception&) {
      return "";
    }
  }
  const int port_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> requests_{0};
  std::thread thread_;
};

class StepTimer {
 public:
  template <typename Fn>
  auto Run(const std::string& name, Fn&& fn) {
    Stopwatch stopwatch;
    auto result = fn();
    const double seconds = stopwatch.Seconds();
    steps_.emplace_back(name, seconds);
    std::string shown = Describe(result);
    for (char& c : shown) c = (c == '\n' || c == '\t') ? ' ' : c;
    std::cout << std::left << std::setw(28) << name << std::right << std::fixed << std::setprecision(3)
              << std::setw(8) << seconds << "s  " << shown.substr(0, 70) << std::endl;
    return result;
  }

  void PrintJson(int64_t peak_rss) const {
    double total = 0;
    for (const auto& step : steps_) total += step.second;
    std::cout << std::fixed << std::setprecision(3) << "{\"mode\": \"tessera\", \"total_s\": " << total
              << ", \"steps\": [";
    for (size_t i = 0; i < steps_.size(); ++i) {
      std::cout << (i ? ", " : "") << "{\"step\": \"" << steps_[i].first << "\", \"s\": " << steps_[i].second << "}";
    }
    std::cout << "], \"peak_rss_bytes\": " << peak_rss << "}" << std::endl;
  }

 private:
  static std::string Describe(const dataframe::DataFrame& frame) { return frame.ToString(); }
  static std::string Describe(const TablePtr& table) { return table->ToString(6); }
  static std::string Describe(const compute::Scalar& value) { return value.ToString(); }
  static std::string Describe(int64_t value) { return std::to_string(value); }

  std::vector<std::pair<std::string, double>> steps_;
};

void RunSeedBench(const SeedBenchOptions& bench) {
  sched::LocalSchedulerOptions scheduler_options;
  scheduler_options.num_threads = bench.threads;
  sched::LocalScheduler scheduler(scheduler_options);
  std::unique_ptr<dashboard::Dashboard> live;
  std::unique_ptr<PagePoller> page;
  if (bench.dashboard) {
    live = std::make_unique<dashboard::Dashboard>(scheduler, dashboard::DashboardOptions{.port = 0});
    page = std::make_unique<PagePoller>(live->port());
    std::cout << "dashboard: " << live->link() << " (polled as an open page would)" << std::endl;
  }
  io::CsvReadOptions options;
  options.parse_dates = {"tpep_pickup_datetime", "tpep_dropoff_datetime"};
  options.blocksize = bench.blocksize;

  StepTimer timer;
  const dataframe::DataFrame df = timer.Run("read_csv+persist", [&] {
    return dataframe::read_csv(bench.paths, options).persist(scheduler);
  });
  timer.Run("len", [&] { return df.len(scheduler); });
  timer.Run("passenger_count.sum", [&] { return df["passenger_count"].sum().compute(scheduler); });
  timer.Run("groupby.tip.mean", [&] {
    return df.groupby(df["passenger_count"])["tip_amount"].mean().compute(scheduler);
  });
  timer.Run("tip_frac.mean", [&] {
    return (df["tip_amount"] / df["fare_amount"])[df["fare_amount"] > 0].mean().compute(scheduler);
  });
  timer.Run("value_counts", [&] { return df["payment_type"].value_counts().compute(scheduler); });
  const dataframe::DataFrame df2 = timer.Run("set_index+persist", [&] {
    return df.set_index("tpep_pickup_datetime", {}, scheduler).persist(scheduler);
  });
  timer.Run("loc_one_day", [&] { return df2.loc("2015-05-05").len(scheduler); });
  timer.Run("resample_1h_mean", [&] { return df2["passenger_count"].resample("1h").mean().compute(scheduler); });
  if (bench.explain) {
    std::cout << "plan of tip_frac.mean:\n"
              << (df["tip_amount"] / df["fare_amount"])[df["fare_amount"] > 0].mean().explain();
  }
  if (page) std::cout << "dashboard requests served: " << page->requests() << "\n";
  timer.PrintJson(PeakResidentBytes());
}

}  // namespace

void AddSeedBench(CLI::App& bench) {
  auto options = std::make_shared<SeedBenchOptions>();
  auto* seed = bench.add_subcommand("seed", "The tutorial's taxi workflow, timed per step (as run-anchors)");
  seed->add_option("paths", options->paths, "Taxi CSV files or globs")->required();
  seed->add_option("--threads", options->threads, "Worker threads (0 = all cores)")->check(ThreadCount());
  AddByteSizeOption(*seed, "--blocksize", &options->blocksize, "Bytes per partition (64MiB, 100MB, ...)");
  seed->add_flag("--explain", options->explain, "Also print an optimized plan");
  seed->add_flag("--dashboard", options->dashboard, "Serve the dashboard and poll it as an open page would");
  seed->callback([options] { RunSeedBench(*options); });
}

}  // namespace tessera::cli
