// The scheduler for one machine: a work-stealing thread pool, a spill store with a memory
// limit, an event stream, and a registry of the keys it holds (persisted results and futures)
// so later graphs can read them. Implements the Scheduler interface that collections use.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tessera/sched/scheduler.hpp"
#include "tessera/sched/spill_store.hpp"
#include "tessera/sched/thread_pool.hpp"

namespace tessera::sched {

class GraphRun;

struct LocalSchedulerOptions {
  /// Worker threads (0 = every core).
  int num_threads = 0;
  MemoryOptions memory;
  /// The most threads SetNumThreads may grow to (0 = num_threads).
  int max_threads = 0;
};

class LocalScheduler final : public Scheduler {
 public:
  explicit LocalScheduler(LocalSchedulerOptions options = {});
  /// Cancels running computations, waits for their running tasks, joins the threads. Handles
  /// that outlive the scheduler keep their values (and spill files) until dropped.
  ~LocalScheduler() override;

  std::vector<ResultHandle> Submit(graph::Graph graph, const std::vector<graph::Key>& keys,
                                   const SubmitOptions& options = {}) override;
  ResultHandle Find(const graph::Key& key) override;
  void CancelAll() override;
  int num_threads() const override { return pool_->num_threads(); }
  /// Grows or shrinks the active worker threads (1..max_threads; see ThreadPool::Resize).
  /// Results held and computations running are kept. Thread-safe.
  void SetNumThreads(int num_threads) { pool_->Resize(num_threads); }
  int max_threads() const { return pool_->max_threads(); }
  EventStream& events() override { return *events_; }
  SchedulerStats stats() const override;
  const SpillStore& store() const { return *store_; }

 private:
  struct Registry {
    std::mutex mutex;
    std::unordered_map<graph::Key, std::weak_ptr<ResultState>, graph::KeyHasher> held;
  };

  std::unique_ptr<EventStream> events_;
  std::shared_ptr<SpillStore> store_;
  std::shared_ptr<Registry> registry_;
  std::atomic<int64_t> tasks_run_{0};
  std::atomic<uint32_t> next_run_id_{0};
  mutable std::mutex runs_mutex_;
  std::vector<std::weak_ptr<GraphRun>> runs_;
  std::atomic<int64_t> peak_results_held_{0};
  std::unique_ptr<ThreadPool> pool_;  // last: destroyed (threads joined) first
};

/// The process-wide default scheduler (all cores, default memory limit), made on first use.
Scheduler& DefaultScheduler();

}  // namespace tessera::sched
