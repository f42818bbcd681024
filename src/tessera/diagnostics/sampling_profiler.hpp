// A sampling profiler of the scheduler's worker threads: a sampler thread interrupts every
// worker that is running a task `hz` times a second (SIGPROF, sent to that thread only); the
// signal handler records the thread's call stack and the running task's name into a fixed ring
// (nothing else is async-signal-safe to do there). The sampler thread moves them into the
// profile as interned addresses; a flame graph names them from debug information (function,
// file and line, inlined functions as frames of their own; once per address) and merges them
// into a call tree, filterable by task prefix and time range.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tessera/diagnostics/symbolizer.hpp"

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
  // A frame of a sample: an index into addresses_, or with kNamed set into names_.
  static constexpr uint32_t kNamed = 1u << 31;
  struct Sample {
    int64_t t_ns;
    std::string prefix;
    std::vector<uint32_t> frames;  // root first
  };
  void Run();
  void Drain();
  uint32_t AddressId(void* address, bool is_return_address);
  uint32_t NameId(const std::string& name);
  // The frame labels at each address, outermost first (several where functions are inlined).
  const std::vector<std::string>& Labels(uint32_t address_id, std::pair<void*, bool> address) const;

  const int hz_;
  std::atomic<bool> stop_{false};
  std::thread sampler_;
  mutable std::mutex mutex_;  // the samples and the tables below
  std::vector<Sample> samples_;
  std::vector<std::string> names_;
  std::map<std::string, uint32_t> name_ids_;
  std::vector<std::pair<void*, bool>> addresses_;  // (address, is a return address)
  std::map<std::pair<void*, bool>, uint32_t> address_ids_;
  // Naming is slow the first time a module is seen (it reads debug information), so it happens
  // when a flame graph is asked for, under a lock of its own that the sampler never waits for.
  mutable std::mutex symbolizer_mutex_;
  mutable std::unique_ptr<Symbolizer> symbolizer_;
  mutable std::vector<std::vector<std::string>> labels_;  // by address id; empty = not yet named
};

}  // namespace tessera::diagnostics
