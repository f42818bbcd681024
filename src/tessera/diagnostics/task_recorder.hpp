// What the dashboard shows, gathered from a scheduler's event stream: every task's run (the
// task stream), task counts per prefix by state (progress), memory samples, per-thread load, and
// the latest graph with each task's state. Subscribed as an EventObserver; events arrive on the
// stream's drain thread, queries come from any thread (one mutex; queries copy what they need).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "tessera/sched/events.hpp"

namespace tessera::diagnostics {

/// One rectangle of the task stream.
struct TaskRecord {
  graph::Key key;
  int16_t worker = -1;  // pool thread, -1 for spill / read-back off the pool
  uint8_t status = 0;   // sched::TaskStatus
  uint8_t kind = 0;     // 0 task, 1 spill, 2 read-back
  int64_t start_ns = 0;
  int64_t stop_ns = 0;
  int64_t bytes = 0;
};

/// Tasks of one prefix by state.
struct PrefixProgress {
  std::string prefix;
  int64_t total = 0, started = 0, finished = 0, erred = 0, released = 0;
};

struct MemorySample {
  int64_t t_ns = 0;
  int64_t managed = 0, spilled = 0, rss = 0;
};

class TaskRecorder final : public sched::EventObserver {
 public:
  /// `num_threads`: the scheduler's pool size; `memory_limit`: its limit in bytes.
  /// `max_tasks`: task-stream history kept (oldest dropped beyond it).
  TaskRecorder(int num_threads, int64_t memory_limit, size_t max_tasks = 2'000'000);

  void OnEvents(std::span<const sched::Event> events) override;
  void OnGraph(uint32_t run, const std::shared_ptr<const graph::Graph>& graph) override;

  /// Steady-clock ns the recorder started at; JSON times are seconds since then.
  int64_t origin_ns() const { return origin_ns_; }

  // The dashboard's JSON documents (see docs/dashboard.md).
  std::string SummaryJson() const;
  /// Tasks that ended after `since_seconds`.
  std::string TaskStreamJson(double since_seconds) const;
  std::string ProgressJson() const;
  std::string MemoryJson() const;
  std::string WorkersJson() const;
  /// The latest graph: every task with its state, or one node per prefix above `max_nodes`.
  std::string GraphJson(size_t max_nodes = 10'000) const;

  // For tests and reports.
  std::vector<TaskRecord> Tasks() const;
  std::vector<PrefixProgress> Progress() const;
  int64_t max_spilled_bytes() const;

 private:
  enum class State : uint8_t { kWaiting, kProcessing, kMemory, kReleased, kErred };
  PrefixProgress& ProgressOf(const graph::Key& key);
  double Seconds(int64_t ns) const { return double(ns - origin_ns_) * 1e-9; }

  const int num_threads_;
  const int64_t memory_limit_;
  const size_t max_tasks_;
  const int64_t origin_ns_;

  mutable std::mutex mutex_;
  std::vector<TaskRecord> tasks_;
  std::unordered_map<uint32_t, size_t> prefix_of_name_;  // key name id -> progress_ index
  std::vector<PrefixProgress> progress_;
  std::vector<MemorySample> memory_;
  MemorySample last_memory_;
  int64_t max_spilled_ = 0;
  struct WorkerLoad {
    int64_t done = 0;
    int64_t running_since_ns = 0;  // 0 = idle
    int64_t busy_ns = 0;           // total busy time
  };
  std::vector<WorkerLoad> workers_;
  uint32_t graph_run_ = 0;
  std::shared_ptr<const graph::Graph> graph_;
  std::unordered_map<graph::Key, State, graph::KeyHasher> states_;  // tasks of graph_
};

}  // namespace tessera::diagnostics
