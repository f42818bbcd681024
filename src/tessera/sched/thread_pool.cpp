// Work-stealing pool (see thread_pool.hpp).
#include "tessera/sched/thread_pool.hpp"

#include <algorithm>
#include <chrono>

#include "tessera/base/parallel.hpp"

namespace tessera::sched {

namespace {
thread_local int current_worker = -1;
// Each worker caches the job it last took roots from, so claiming a root is one atomic
// increment on the job rather than a lock on the pool's job list.
thread_local std::shared_ptr<Job> cached_job;
thread_local uint64_t cached_version = 0;
thread_local std::vector<std::shared_ptr<void>>* released_after_run = nullptr;
}  // namespace

void ThreadPool::ReleaseAfterRun(std::shared_ptr<void> object) {
  if (released_after_run != nullptr) released_after_run->push_back(std::move(object));
}

ThreadPool::ThreadPool(int num_threads, int max_threads) {
  if (num_threads <= 0) num_threads = DefaultThreadCount();
  max_threads = std::max(num_threads, max_threads);
  for (int i = 0; i <= max_threads; ++i) queues_.push_back(std::make_unique<WorkQueue>());
  Resize(num_threads);
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  WakeAll();
  {
    std::lock_guard lock(park_mutex_);
    park_cv_.notify_all();
  }
  std::lock_guard lock(workers_mutex_);
  for (auto& worker : workers_) worker.join();
}

void ThreadPool::Resize(int num_threads) {
  num_threads = std::clamp(num_threads, 1, max_threads());
  std::lock_guard lock(workers_mutex_);
  {
    std::lock_guard park_lock(park_mutex_);
    active_.store(num_threads);
    park_cv_.notify_all();
  }
  // Counted before they start, so a new worker always sees itself among the steal victims.
  if (num_threads > started_.load()) started_.store(num_threads, std::memory_order_release);
  for (int i = int(workers_.size()); i < num_threads; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
  WakeAll();
}

void ThreadPool::Park(int worker) {
  std::unique_lock lock(park_mutex_);
  park_cv_.wait(lock, [&] { return stop_.load() || worker < active_.load(); });
}

int ThreadPool::CurrentWorker() { return current_worker; }

void ThreadPool::AddJob(std::shared_ptr<Job> job) {
  {
    std::lock_guard lock(jobs_mutex_);
    // Stable insert keeps submission order among equal priorities.
    auto it = std::find_if(jobs_.begin(), jobs_.end(), [&](const auto& j) { return j->priority() < job->priority(); });
    jobs_.insert(it, std::move(job));
    jobs_version_.fetch_add(1);
  }
  WakeAll();
}

void ThreadPool::RemoveJob(const Job* job) {
  std::lock_guard lock(jobs_mutex_);
  jobs_.erase(std::remove_if(jobs_.begin(), jobs_.end(), [&](const auto& j) { return j.get() == job; }), jobs_.end());
  jobs_version_.fetch_add(1);
}

void ThreadPool::Push(Job* job, std::span<const uint32_t> tasks, int worker) {
  if (tasks.empty()) return;
  WorkQueue& queue = *queues_[worker >= 0 ? size_t(worker) : queues_.size() - 1];
  {
    std::lock_guard lock(queue.mutex);
    for (uint32_t task : tasks) queue.items.push_back({job, task});
  }
  // queued_ and sleepers_ are changed and read with sequentially consistent operations here and
  // in the sleeping path, so either the sleeper sees queued_ > 0, or we see it counted in
  // sleepers_ and notify it.
  queued_.fetch_add(int64_t(tasks.size()));
  if (sleepers_.load() > 0) NotifyOne();
}

void ThreadPool::NotifyOne() {
  std::lock_guard lock(sleep_mutex_);
  sleep_cv_.notify_one();
}

void ThreadPool::WakeAll() {
  std::lock_guard lock(sleep_mutex_);
  sleep_cv_.notify_all();
}

bool ThreadPool::PopLocal(int worker, Item* item) {
  WorkQueue& queue = *queues_[size_t(worker)];
  std::lock_guard lock(queue.mutex);
  if (queue.items.empty()) return false;
  *item = queue.items.back();
  queue.items.pop_back();
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

bool ThreadPool::Steal(int worker, Item* item) {
  if (queued_.load(std::memory_order_relaxed) <= 0) return false;
  // The shared queue first (work handed in from outside), then the oldest items of the other
  // workers that were ever started (parked ones included).
  const size_t shared = queues_.size() - 1;
  const size_t n = size_t(started_.load(std::memory_order_acquire)) + 1;
  for (size_t k = 0; k < n; ++k) {
    const size_t victim = k == 0 ? shared : (size_t(worker) + k) % (n - 1);
    if (victim == size_t(worker)) continue;
    WorkQueue& queue = *queues_[victim];
    std::lock_guard lock(queue.mutex);
    if (queue.items.empty()) continue;
    *item = queue.items.front();
    queue.items.pop_front();
    queued_.fetch_sub(1, std::memory_order_relaxed);
    return true;
  }
  return false;
}

bool ThreadPool::ClaimRoot(int, Item* item) {
  const uint64_t version = jobs_version_.load(std::memory_order_acquire);
  if (cached_job && cached_version == version && cached_job->ClaimRoot(&item->task)) {
    item->job = cached_job.get();
    return true;
  }
  std::vector<std::shared_ptr<Job>> jobs;
  {
    std::lock_guard lock(jobs_mutex_);
    jobs = jobs_;
    cached_version = jobs_version_.load();
  }
  for (auto& job : jobs) {
    if (job->ClaimRoot(&item->task)) {
      item->job = job.get();
      cached_job = job;
      return true;
    }
  }
  cached_job.reset();
  return false;
}

bool ThreadPool::HasWork() {
  if (queued_.load() > 0) return true;
  std::lock_guard lock(jobs_mutex_);
  for (auto& job : jobs_) {
    if (job->HasRoots()) return true;
  }
  return false;
}

void ThreadPool::WorkerLoop(int worker) {
  current_worker = worker;
  std::vector<std::shared_ptr<void>> released;
  released_after_run = &released;
  Item item{};
  while (!stop_.load(std::memory_order_relaxed)) {
    if (worker >= active_.load(std::memory_order_relaxed)) {
      cached_job.reset();
      Park(worker);
      continue;
    }
    if (PopLocal(worker, &item) || Steal(worker, &item) || ClaimRoot(worker, &item)) {
      item.job->Run(item.task, worker);
      if (!released.empty()) released.clear();
      continue;
    }
    // Do not keep a finished job (and the memory it holds) alive while sleeping.
    cached_job.reset();
    released.clear();
    std::unique_lock lock(sleep_mutex_);
    sleepers_.fetch_add(1);  // sequentially consistent: pairs with Push (see there)
    if (!stop_.load() && !HasWork()) {
      // The timeout is a safety net for wake-ups that depend on memory being freed elsewhere;
      // every ordinary push notifies.
      sleep_cv_.wait_for(lock, std::chrono::milliseconds(50));
    }
    sleepers_.fetch_sub(1);
  }
  cached_job.reset();
  released_after_run = nullptr;
}

}  // namespace tessera::sched
