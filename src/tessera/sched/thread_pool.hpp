// Work-stealing thread pool for the local scheduler. Each worker owns a deque of (job, task)
// items: it pushes tasks it makes ready and pops them back last-in first-out (depth first, so
// branches finish and free memory), while idle workers steal the oldest items of other deques.
// When no deque has work, workers ask the active jobs for root tasks (in job priority order);
// when nothing is found they sleep on a condition variable: no busy spinning.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

namespace tessera::sched {

class ThreadPool;

/// A source of tasks (one running graph). Task ids are the job's own.
class Job {
 public:
  virtual ~Job() = default;
  /// Runs one task. Called on pool worker `worker` (0 <= worker < max_threads), concurrently
  /// with other tasks of the same job. It may push newly ready tasks (ThreadPool::Push) and may
  /// block on I/O inside user code, but must not wait for other tasks of the pool.
  virtual void Run(uint32_t task, int worker) = 0;
  /// Hands out the next root task (no dependencies) in priority order, or false when none is
  /// left or roots are being withheld (memory pressure). Called from any worker thread,
  /// concurrently; must not block.
  virtual bool ClaimRoot(uint32_t* task) = 0;
  /// Whether ClaimRoot could succeed now (a cheap hint used before sleeping). Any thread.
  virtual bool HasRoots() const = 0;
  /// Larger runs first when several jobs have roots (futures' `priority`).
  virtual int priority() const { return 0; }
};

class ThreadPool {
 public:
  /// Starts `num_threads` workers (0 = all cores); the pool can later grow to `max_threads`
  /// (at least `num_threads`) with Resize.
  explicit ThreadPool(int num_threads = 0, int max_threads = 0);
  /// Stops and joins the workers; queued items of live jobs are dropped.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  /// Workers taking tasks now.
  int num_threads() const { return active_.load(); }
  /// The most workers Resize can make active (worker indexes stay below it).
  int max_threads() const { return int(queues_.size()) - 1; }
  /// Makes `num_threads` workers (1..max_threads()) take tasks: new threads start when growing;
  /// when shrinking, workers above the count finish their running task and park, and the
  /// others steal what they had queued. Thread-safe; does not wait.
  void Resize(int num_threads);

  /// Makes `job` a source of root tasks until RemoveJob. Thread-safe.
  void AddJob(std::shared_ptr<Job> job);
  /// Stops asking `job` for roots. Items already queued still run. Thread-safe.
  void RemoveJob(const Job* job);

  /// Queues ready tasks of `job`. From a worker (worker >= 0) they go to its own deque, to be
  /// run next; from any other thread (worker < 0) to a shared queue. Wakes a sleeping worker.
  void Push(Job* job, std::span<const uint32_t> tasks, int worker);
  /// Wakes every sleeping worker (e.g. when withheld roots may now be claimed). Thread-safe.
  void WakeAll();

  /// Index of the calling pool worker, or -1 when called from another thread.
  static int CurrentWorker();
  /// Drops `object` after the current Job::Run returns (immediately when not on a worker), so
  /// a job may give up the last reference to itself from inside Run.
  static void ReleaseAfterRun(std::shared_ptr<void> object);

 private:
  struct Item {
    Job* job;
    uint32_t task;
  };
  struct alignas(64) WorkQueue {
    std::mutex mutex;
    std::deque<Item> items;
  };

  void WorkerLoop(int worker);
  /// Blocks a worker above the active count until it is active again or the pool stops.
  void Park(int worker);
  bool PopLocal(int worker, Item* item);
  bool Steal(int worker, Item* item);
  bool ClaimRoot(int worker, Item* item);
  bool HasWork();
  void NotifyOne();

  std::mutex workers_mutex_;  // guards workers_ (Resize and the destructor)
  std::vector<std::thread> workers_;
  std::vector<std::unique_ptr<WorkQueue>> queues_;  // one per possible worker, then the shared queue
  std::atomic<int> active_{0};
  std::atomic<int> started_{0};  // workers_.size(), for stealing without the lock
  std::mutex park_mutex_;
  std::condition_variable park_cv_;
  std::atomic<int64_t> queued_{0};

  std::mutex jobs_mutex_;
  std::vector<std::shared_ptr<Job>> jobs_;  // by priority, then age
  std::atomic<uint64_t> jobs_version_{0};

  std::mutex sleep_mutex_;
  std::condition_variable sleep_cv_;
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace tessera::sched
