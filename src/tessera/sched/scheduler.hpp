// The one interface between collections (DataFrame, delayed, futures) and whatever runs their
// task graphs: the local threaded scheduler now, a distributed scheduler later. Results come
// back as ResultHandles: shared, reference-counted states that are futures (wait, callbacks,
// cancel) and persisted results at once; a result stays in the scheduler's store while a handle
// to it exists, and other graphs may read it by key.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "tessera/graph/graph.hpp"
#include "tessera/sched/events.hpp"
#include "tessera/sched/spill_store.hpp"
#include "tessera/sched/task_error.hpp"

namespace tessera::sched {

enum class ResultStatus : uint8_t { kPending, kFinished, kError, kCancelled };

/// Something that can be cancelled (the computation producing a result).
class Cancellable {
 public:
  virtual ~Cancellable() = default;
  /// Stops the computation promptly: queued tasks are dropped, running ones finish and their
  /// results are discarded. Any thread; does not wait.
  virtual void Cancel() = 0;
};

/// The state of one requested key. Thread-safe.
class ResultState {
 public:
  explicit ResultState(graph::Key key) : key_(key) {}
  /// Runs the release hook (the scheduler forgets the key and frees the value).
  ~ResultState();
  ResultState(const ResultState&) = delete;
  ResultState& operator=(const ResultState&) = delete;

  graph::Key key() const { return key_; }
  ResultStatus status() const;
  bool done() const { return status() != ResultStatus::kPending; }
  /// Blocks until done; returns the value (read back from disk if it was spilled) or rethrows
  /// the error of the failing task (its original type; the message names the task's key).
  graph::ValuePtr Wait() const;
  /// Waits at most `timeout`; true when done.
  bool WaitFor(std::chrono::milliseconds timeout) const;
  /// The error when status() is kError or kCancelled, else null.
  std::shared_ptr<const TaskError> error() const;
  /// Calls `callback` once when done: immediately on this thread if it already is, else on the
  /// thread that finishes it (a scheduler worker, or a thread calling Cancel). The callback must
  /// not block and must not wait for other results.
  void OnDone(std::function<void()> callback);
  /// Cancels the computation producing this result (and its other results). Any thread.
  void Cancel();

  // Used by schedulers.
  /// Resolves with a value: either `value` (counted as `unmanaged_bytes` in `store`) or a
  /// managed `stored` value. Ignored when already done. Runs callbacks.
  void SetValue(graph::ValuePtr value, StoredValuePtr stored, std::shared_ptr<SpillStore> store,
                int64_t unmanaged_bytes);
  /// Resolves with an error (status kError or kCancelled). Ignored when already done.
  void SetError(std::shared_ptr<const TaskError> error, ResultStatus status);
  void SetCanceller(std::weak_ptr<Cancellable> canceller);
  /// Called from the destructor (on whatever thread drops the last handle).
  void SetReleaseHook(std::function<void()> hook);

 private:
  void RunCallbacks(std::unique_lock<std::mutex>& lock);

  const graph::Key key_;
  mutable std::mutex mutex_;
  mutable std::condition_variable done_cv_;
  ResultStatus status_ = ResultStatus::kPending;
  graph::ValuePtr value_;
  StoredValuePtr stored_;
  std::shared_ptr<SpillStore> store_;
  int64_t unmanaged_bytes_ = 0;
  std::shared_ptr<const TaskError> error_;
  std::vector<std::function<void()>> callbacks_;
  std::weak_ptr<Cancellable> canceller_;
  std::function<void()> release_hook_;
};

using ResultHandle = std::shared_ptr<ResultState>;

struct SubmitOptions {
  /// Computations with a larger priority get their root tasks first.
  int priority = 0;
  /// A task that raises runs again up to this many times before its error fails the
  /// computation (Dask's retries=, for sporadic failures).
  int retries = 0;
};

/// Counters of the scheduler since it started.
struct SchedulerStats {
  int64_t tasks_run = 0;
  int64_t peak_results_held = 0;  // most task results alive at once in the last computation
  int64_t memory_bytes = 0;
  int64_t spilled_bytes = 0;         // now on disk
  int64_t total_spilled_bytes = 0;   // written to disk so far
  int64_t total_read_back_bytes = 0;
  int64_t memory_limit = 0;          // bytes of results held before spilling and pausing
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  /// Starts computing `keys` of `graph` and returns one handle per key without waiting. A graph
  /// that is not finalized yet may refer to keys this scheduler holds (persisted results,
  /// futures); they are read from the store. Thread-safe.
  virtual std::vector<ResultHandle> Submit(graph::Graph graph, const std::vector<graph::Key>& keys,
                                           const SubmitOptions& options = {}) = 0;
  /// The live handle of a key this scheduler holds, or null. Thread-safe.
  virtual ResultHandle Find(const graph::Key& key) = 0;
  /// Cancels every running computation. Thread-safe.
  virtual void CancelAll() = 0;
  virtual int num_threads() const = 0;
  /// Where task, spill and memory events are published.
  virtual EventStream& events() = 0;
  virtual SchedulerStats stats() const = 0;

  /// Submit and wait: the values of `keys` in order. Rethrows the first task error (original
  /// type and message, plus the failing task's key); the scheduler stays usable.
  std::vector<graph::ValuePtr> Compute(graph::Graph graph, const std::vector<graph::Key>& keys,
                                       const SubmitOptions& options = {});
  /// Submit and keep: results stay in the store while the returned handles live (dropping
  /// the last handle of a key releases it, as a collection or future going away does).
  std::vector<ResultHandle> Persist(graph::Graph graph, const std::vector<graph::Key>& keys,
                                    const SubmitOptions& options = {}) {
    return Submit(std::move(graph), keys, options);
  }
};

}  // namespace tessera::sched
