// A sampling profiler of the scheduler's worker threads: a sampler thread interrupts every
// worker that is running a task `hz` times a second (SIGPROF, sent to that thread only); the
// signal handler records the thread's call stack and the running task's name into a fixed ring
// (nothing else is async-signal-safe to do there). Stacks are symbolised on the sampler thread
// (dladdr + demangling; the tessera program exports its symbols) and merged into a call tree per
// task prefix, filterable by prefix and time range for a flame graph.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tessera::diagnostics {

class SamplingProfiler {
 public:
  /// Starts sampling. One profiler at a time per process (InvalidArgument otherwise: the signal
  /// handler is process-wide).
  explicit SamplingProfiler(int hz = 100);
  ~SamplingProfiler();
  /// The process's profiler, started on first use and stopped when the last user lets go, so a
  /// live dashboard and a performance report see the same samples.
  static std::shared_ptr<SamplingProfiler> Shared();
  /// The process's profiler when one runs, else null (does not start one).
  static std::shared_ptr<SamplingProfiler> Active();

  /// A stack sampled by someone else (the Python package samples Python frames of Python tasks):
  /// function names, outermost first, of a task with `prefix`, taken at `t_ns`. Any thread.
  void AddSample(int64_t t_ns, const std::string& prefix, const std::vector<std::string>& frames);
  SamplingProfiler(const SamplingProfiler&) = delete;
  SamplingProfiler& operator=(const SamplingProfiler&) = delete;

  /// The flame graph as JSON: {"samples", "prefixes", "root": {"name", "value", "children"}},
  /// over samples of tasks with `prefix` (empty = all) taken in [start, stop] seconds since
  /// `origin_ns` (stop < 0 = no end).
  std::string FlameJson(int64_t origin_ns, const std::string& prefix, double start, double stop) const;
  int64_t num_samples() const;

 private:
  struct Sample {
    int64_t t_ns;
    std::string prefix;
    std::vector<uint32_t> frames;  // root first; ids into names_
  };
  void Run();
  void Drain();
  uint32_t FrameId(void* address);
  uint32_t NameId(const std::string& name);

  const int hz_;
  std::atomic<bool> stop_{false};
  std::thread sampler_;
  mutable std::mutex mutex_;
  std::vector<Sample> samples_;
  std::vector<std::string> names_;
  std::map<void*, uint32_t> frame_ids_;
  std::map<std::string, uint32_t> name_ids_;  // for samples added by name
};

}  // namespace tessera::diagnostics
