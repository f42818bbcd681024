// One submitted graph being executed by the local scheduler. The hot path is per task: read
// the inputs from flat arrays indexed by task id, call the function, store the result, drop
// inputs whose last reader this was (atomic counters), and push dependents whose inputs are all
// ready onto the running worker's deque. The run's own bookkeeping takes no lock unless a result
// is large enough to be managed by the spill store (the pool's deques have one uncontended lock
// per worker).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "tessera/graph/graph.hpp"
#include "tessera/sched/scheduler.hpp"
#include "tessera/sched/thread_pool.hpp"

namespace tessera::sched {

struct RunContext {
  ThreadPool* pool = nullptr;
  std::shared_ptr<SpillStore> store;
  EventStream* events = nullptr;
  std::atomic<int64_t>* tasks_run = nullptr;          // scheduler-wide counter
  std::atomic<int64_t>* peak_results_held = nullptr;  // reset by each run's Start
};

class GraphRun final : public Job, public Cancellable, public std::enable_shared_from_this<GraphRun> {
 public:
  /// `outputs[i]` is computed into `states[i]`; `externals[i]` holds graph->external_keys()[i].
  GraphRun(std::shared_ptr<const graph::Graph> graph, std::vector<graph::TaskId> outputs,
           std::vector<ResultHandle> states, std::vector<ResultHandle> externals, RunContext context,
           uint32_t run_id, int priority, int retries = 0);

  /// Prepares counters, registers with the pool and starts. Call once, from any thread.
  void Start();

  void Run(uint32_t task, int worker) override;
  bool ClaimRoot(uint32_t* task) override;
  bool HasRoots() const override;
  int priority() const override { return priority_; }
  void Cancel() override;

  bool retired() const { return retired_.load(); }

 private:
  void Fail(std::shared_ptr<const TaskError> error, ResultStatus status);
  /// Fail with the exception being handled, naming `task` (call inside a catch block).
  void FailWithCurrentException(graph::TaskId task);
  void ReleaseResult(graph::TaskId task);
  void ExternalReady(uint32_t external);
  void FinishInFlight(int64_t count);
  void MaybeRetire();
  void PushReady(std::vector<uint32_t>& ready, int worker);
  /// Throws OutOfMemory when results not managed by the spill store exceed the limit.
  void CheckMemoryLimit(const graph::Key& key);
  graph::ValuePtr ExternalValue(uint32_t external) const;
  /// Takes the state of output `index` out of the run (null if already resolved by Fail).
  ResultHandle TakeState(int32_t index);

  const std::shared_ptr<const graph::Graph> graph_;
  const std::vector<graph::TaskId> outputs_;
  std::mutex states_mutex_;
  std::vector<ResultHandle> states_;  // dropped once resolved, so callers alone own results
  const std::vector<ResultHandle> externals_;
  RunContext context_;
  const uint32_t run_id_;
  const int priority_;
  const int retries_;  // extra attempts of a failing task

  // Per task (indexed by TaskId); sized by Start().
  std::vector<uint8_t> flags_;  // kNeeded | kOutput
  std::unique_ptr<std::atomic<uint32_t>[]> waiting_;  // inputs not ready yet
  std::unique_ptr<std::atomic<uint32_t>[]> holders_;  // needed dependents not run yet
  std::unique_ptr<graph::ValuePtr[]> results_;        // small results
  std::unique_ptr<StoredValuePtr[]> stored_;          // managed (spillable) results
  std::vector<int32_t> output_index_;                 // task -> index in states_ (sparse use)
  std::vector<std::vector<graph::TaskId>> external_readers_;

  std::vector<graph::TaskId> roots_;  // in priority order
  std::atomic<size_t> next_root_{0};
  int64_t num_needed_ = 0;
  std::atomic<int64_t> completed_{0};
  std::atomic<int64_t> in_flight_{0};  // queued or running tasks of this run
  std::atomic<int64_t> held_{0};
  std::atomic<bool> failed_{false};
  std::atomic<bool> retired_{false};
  std::atomic<bool> withheld_{false};
  std::shared_ptr<GraphRun> self_;  // keeps the run alive while the pool may reach it
};

}  // namespace tessera::sched
