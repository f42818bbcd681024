// The work-stealing pool runs every pushed and claimed task exactly once on any thread count.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "tessera/sched/thread_pool.hpp"

namespace tessera::sched {
namespace {

// A binary fan-out: root tasks 0..roots-1; task t < limit pushes children 2t+roots, 2t+roots+1.
class FanOutJob final : public Job {
 public:
  FanOutJob(ThreadPool* pool, uint32_t roots, uint32_t limit) : runs_(limit), pool_(pool), roots_(roots), limit_(limit) {}
  void Run(uint32_t task, int worker) override {
    runs_[task].fetch_add(1);
    std::vector<uint32_t> children;
    for (uint32_t c : {2 * task + roots_, 2 * task + roots_ + 1}) {
      if (c < limit_) children.push_back(c);
    }
    pool_->Push(this, children, worker);
    done_.fetch_add(1);
  }
  bool ClaimRoot(uint32_t* task) override {
    if (!claim_roots) return false;
    const uint32_t i = next_.fetch_add(1);
    if (i >= roots_) return false;
    *task = i;
    return true;
  }
  bool HasRoots() const override { return next_.load() < roots_; }

  bool claim_roots = true;
  std::atomic<uint32_t> done_{0};
  std::vector<std::atomic<int>> runs_;

 private:
  ThreadPool* pool_;
  uint32_t roots_, limit_;
  std::atomic<uint32_t> next_{0};
};

TEST(ThreadPoolTest, RunsEveryTaskOnceOnAnyThreadCount) {
  for (int threads = 1; threads <= 8; ++threads) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.num_threads(), threads);
    auto job = std::make_shared<FanOutJob>(&pool, 3, 20000);
    pool.AddJob(job);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (job->done_.load() < 20000 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_EQ(job->done_.load(), 20000u) << threads << " threads";
    pool.RemoveJob(job.get());
    for (auto& runs : job->runs_) ASSERT_EQ(runs.load(), 1);
  }
}

TEST(ThreadPoolTest, PushFromOutsideReachesAWorker) {
  ThreadPool pool(2);
  auto job = std::make_shared<FanOutJob>(&pool, 1, 1);
  job->claim_roots = false;
  const uint32_t task = 0;
  pool.Push(job.get(), std::span<const uint32_t>(&task, 1), -1);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (job->done_.load() < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(job->runs_[0].load(), 1);
}

// Root tasks that sleep briefly and record how many run at once.
class ConcurrencyJob final : public Job {
 public:
  explicit ConcurrencyJob(uint32_t roots) : runs_(roots), roots_(roots) {}
  void Run(uint32_t task, int worker) override {
    const int now = running_.fetch_add(1) + 1;
    int seen = peak_.load();
    while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    runs_[task].fetch_add(1);
    running_.fetch_sub(1);
    done_.fetch_add(1);
  }
  bool ClaimRoot(uint32_t* task) override {
    const uint32_t i = next_.fetch_add(1);
    if (i >= roots_) return false;
    *task = i;
    return true;
  }
  bool HasRoots() const override { return next_.load() < roots_; }
  void WaitFor(uint32_t count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (done_.load() < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  std::atomic<int> running_{0}, peak_{0};
  std::atomic<uint32_t> done_{0};
  std::vector<std::atomic<int>> runs_;

 private:
  uint32_t roots_;
  std::atomic<uint32_t> next_{0};
};

TEST(ThreadPoolTest, ResizeGrowsAndShrinksWhileRunning) {
  ThreadPool pool(1, 6);
  EXPECT_EQ(pool.num_threads(), 1);
  EXPECT_EQ(pool.max_threads(), 6);
  auto job = std::make_shared<ConcurrencyJob>(3000);
  pool.AddJob(job);
  job->WaitFor(100);
  EXPECT_EQ(job->peak_.load(), 1);
  pool.Resize(6);
  EXPECT_EQ(pool.num_threads(), 6);
  job->WaitFor(1500);
  EXPECT_GT(job->peak_.load(), 1);  // new workers took tasks
  pool.Resize(2);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // running tasks of parked workers end
  job->peak_.store(0);
  job->WaitFor(2500);
  EXPECT_LE(job->peak_.load(), 2);
  pool.Resize(100);  // clamped to the most it may grow to
  EXPECT_EQ(pool.num_threads(), 6);
  job->WaitFor(3000);
  ASSERT_EQ(job->done_.load(), 3000u);
  pool.RemoveJob(job.get());
  for (auto& runs : job->runs_) ASSERT_EQ(runs.load(), 1);
}

}  // namespace
}  // namespace tessera::sched
