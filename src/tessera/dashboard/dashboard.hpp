// The live dashboard: an HTTP server (Boost.Beast) in the engine that serves the web page (built
// from web/ with esbuild and embedded in the library) and one JSON document per plot, fed by a
// TaskRecorder and a SamplingProfiler subscribed to a scheduler's event stream; the page follows
// live through server-sent events. Also writes performance reports: one self-contained HTML file
// with the same page and the recorded data inlined, viewable offline.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "tessera/diagnostics/sampling_profiler.hpp"
#include "tessera/diagnostics/task_recorder.hpp"
#include "tessera/sched/scheduler.hpp"

namespace tessera::dashboard {

class HttpServer;

struct DashboardOptions {
  /// Interface to bind: localhost unless told otherwise ("0.0.0.0" serves every interface).
  std::string host = "127.0.0.1";
  /// First port tried; when taken, the next free one (up to 100 further) is used. 0 = any.
  int port = 8787;
  /// Sample the workers' stacks for the profile page.
  bool profile = true;
  /// Threads serving HTTP. Connections are served asynchronously, so a slow or idle client costs
  /// a socket, not a thread.
  int threads = 2;
  /// Open HTTP connections at most (event streams apart). At the cap, the connection that has
  /// waited longest for its client's request is closed to make room; 503 when all are answering.
  int max_connections = 512;
  /// Server-sent event streams at most (each open page holds one); more are answered 503.
  int max_event_streams = 32;
  /// A request must arrive whole within this time of its first byte; also bounds writing a
  /// response or one event.
  std::chrono::milliseconds request_timeout{15'000};
  /// A connection waiting for its (next) request is closed after this long.
  std::chrono::milliseconds idle_timeout{10'000};
};

/// What the dashboard and reports draw from: a recorder (and profiler) subscribed to a scheduler
/// while this object lives.
class Recording {
 public:
  explicit Recording(sched::Scheduler& scheduler, bool profile = true);
  ~Recording();
  Recording(const Recording&) = delete;
  Recording& operator=(const Recording&) = delete;

  const diagnostics::TaskRecorder& recorder() const { return *recorder_; }
  /// The flame graph (empty tree when not profiling).
  std::string ProfileJson(const std::string& prefix = "", double start = 0, double stop = -1) const;
  /// Waits until events recorded so far have reached the recorder.
  void Flush();
  /// One HTML file with the page, its script and styles and the recorded data.
  std::string ReportHtml() const;

 private:
  sched::Scheduler& scheduler_;
  std::shared_ptr<diagnostics::TaskRecorder> recorder_;
  std::shared_ptr<diagnostics::SamplingProfiler> profiler_;  // shared with other recordings
};

class Dashboard {
 public:
  /// Starts serving at once (throws IOError naming the address when no port can be bound,
  /// InvalidArgument for a bad option).
  explicit Dashboard(sched::Scheduler& scheduler, DashboardOptions options = {});
  /// Stops serving; open connections are closed.
  ~Dashboard();
  Dashboard(const Dashboard&) = delete;
  Dashboard& operator=(const Dashboard&) = delete;

  int port() const;
  /// "http://127.0.0.1:8787/status"
  std::string link() const;
  Recording& recording() { return recording_; }
  /// HTTP connections open now, and server-sent event streams (counted apart).
  int open_connections() const;
  int open_event_streams() const;

 private:
  Recording recording_;
  DashboardOptions options_;
  std::unique_ptr<HttpServer> server_;
};

/// Records everything `scheduler` runs while it lives and writes `filename` (a performance
/// report, Dask's performance_report) when destroyed or at Write().
class PerformanceReport {
 public:
  PerformanceReport(sched::Scheduler& scheduler, std::string filename);
  ~PerformanceReport();
  /// Writes the file now (IOError naming it when it cannot be written).
  void Write();

 private:
  Recording recording_;
  std::string filename_;
  bool written_ = false;
};

/// The embedded page (index.html, the bundled script and the styles).
std::string_view IndexHtml();
std::string_view DashboardJs();
std::string_view StyleCss();

}  // namespace tessera::dashboard
