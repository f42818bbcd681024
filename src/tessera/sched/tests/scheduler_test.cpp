// The local scheduler against the sequential reference: random DAGs on 1..8 threads, standard
// shapes and their peak memory, errors, cancellation, persisted results and events.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>

#include "tessera/base/error.hpp"
#include "tessera/graph/cull.hpp"
#include "tessera/graph/evaluate.hpp"
#include "tessera/graph/fuse.hpp"
#include "tessera/graph/tests/graph_shapes.hpp"
#include "tessera/sched/local_scheduler.hpp"
#include "tessera/sched/interrupt.hpp"
#include "tessera/sched/progress_bar.hpp"

namespace tessera::sched {
namespace {

using namespace graph;
using namespace std::chrono_literals;

int64_t AsInt(const ValuePtr& v) { return dynamic_cast<const Int64Value&>(*v).value(); }

// A worker may still be dropping its last reference to a state just after the caller woke up,
// so bookkeeping checks wait (bounded) for it to settle.
template <typename Predicate>
bool Eventually(Predicate predicate, int max_ms = 2000) {
  for (int i = 0; i < max_ms; ++i) {
    if (predicate()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return predicate();
}

// Computes with a watchdog: a hang fails the test instead of blocking ctest.
std::vector<ValuePtr> ComputeWithin(Scheduler& scheduler, Graph graph, const std::vector<Key>& keys) {
  auto handles = scheduler.Submit(std::move(graph), keys);
  std::vector<ValuePtr> values;
  for (auto& handle : handles) {
    if (!handle->WaitFor(60s)) {
      ADD_FAILURE() << "timed out waiting for " << handle->key().ToString();
      scheduler.CancelAll();
      return {};
    }
    values.push_back(handle->Wait());
  }
  return values;
}

TEST(LocalSchedulerTest, RandomDagsMatchTheSequentialReference) {
  std::mt19937_64 rng(2024);
  for (int threads = 1; threads <= 8; ++threads) {
    LocalScheduler scheduler({threads, {}});
    for (int trial = 0; trial < 15; ++trial) {
      const int64_t n = 1 + int64_t(rng() % 400);
      std::vector<Key> outputs;
      Graph graph = testing::RandomDag(rng, n, 1 + int(rng() % 5), &outputs);
      // Ask for a random subset of keys, sometimes intermediate ones.
      std::vector<Key> keys = outputs;
      keys.push_back(Key::Make("random", int64_t(rng() % uint64_t(n))));
      const auto expected = EvaluateSequential(graph, keys);
      // Alternate the culled graph and its fused form (closures of chained stages).
      Graph copy = trial % 2 == 0 ? graph::Cull(graph, keys) : graph::FuseLinearChains(graph::Cull(graph, keys), keys);
      const auto values = ComputeWithin(scheduler, std::move(copy), keys);
      ASSERT_EQ(values.size(), keys.size());
      for (size_t i = 0; i < keys.size(); ++i) ASSERT_EQ(AsInt(values[i]), AsInt(expected.values[i])) << keys[i].ToString();
    }
  }
}

TEST(LocalSchedulerTest, StandardShapesGiveReferenceResults) {
  for (int threads : {1, 2, 4}) {
    LocalScheduler scheduler({threads, {}});
    Key root;
    for (int shape = 0; shape < 4; ++shape) {
      Graph graph = shape == 0   ? testing::TreeReduction(5000, &root)
                    : shape == 1 ? testing::MapReduce(2000, &root)
                    : shape == 2 ? testing::Chains(20, 200, &root)
                                 : testing::AllToAll(40, &root);
      const int64_t expected = AsInt(EvaluateSequential(graph, {root}).values[0]);
      const auto values = ComputeWithin(scheduler, std::move(graph), {root});
      ASSERT_EQ(values.size(), 1u);
      EXPECT_EQ(AsInt(values[0]), expected) << "shape " << shape << " on " << threads << " threads";
    }
  }
}

TEST(LocalSchedulerTest, TreeReductionHoldsFewResults) {
  for (int threads : {1, 2, 4}) {
    LocalScheduler scheduler({threads, {}});
    Key root;
    Graph graph = testing::TreeReduction(1 << 14, &root);
    ComputeWithin(scheduler, std::move(graph), {root});
    // O(log N + threads): 14 levels, a few results per thread in flight (a breadth-first order
    // would hold thousands). Threads preempted on a busy machine delay their branch, so allow a
    // few partial sums per level on top of the sequential log2(N), and more per thread when
    // there are more threads than cores (a descheduled thread's branch waits a whole time slice).
    const int cores = std::max(1, int(std::thread::hardware_concurrency()));
    const int per_thread = 4 * std::max(1, (threads + cores - 1) / cores);
    EXPECT_LE(scheduler.stats().peak_results_held, 2 * 14 + 2 + per_thread * threads) << threads << " threads";
    // One thread follows the static order exactly: one partial sum per level.
    if (threads == 1) {
      EXPECT_LE(scheduler.stats().peak_results_held, 14 + 2);
    }
    EXPECT_TRUE(Eventually([&] { return scheduler.stats().memory_bytes == 0; }));  // all released
  }
}

TEST(LocalSchedulerTest, ChainsAndMapReduceReleaseIntermediates) {
  LocalScheduler scheduler({2, {}});
  Key root;
  Graph chains = testing::Chains(50, 100, &root);
  ComputeWithin(scheduler, std::move(chains), {root});
  EXPECT_LE(scheduler.stats().peak_results_held, 50 + 8);
  Graph map_reduce = testing::MapReduce(500, &root);
  ComputeWithin(scheduler, std::move(map_reduce), {root});
  EXPECT_LE(scheduler.stats().peak_results_held, 500 + 8);
}

ValuePtr FailOn(const TaskInputs& in) {
  if (in.Int64(0) == 13) throw TypeError("thirteen is unlucky");
  if (in.Int64(0) == 14) throw std::out_of_range("fourteen is out of range");
  return MakeInt64(in.Int64(0));
}

Graph FailingGraph(int64_t bad) {
  Graph graph;
  const uint32_t fail = graph.AddOperation(RegisterOperation("test.fail_on", &FailOn));
  const uint32_t mix = testing::MixFunction(&graph);
  const uint32_t name = InternName("maybe-fail");
  std::vector<Arg> all;
  for (int64_t i = 0; i < 100; ++i) {
    graph.AddTask(Key(name, i), fail, {Arg::Int64(i == 50 ? bad : 100 + i)});
    all.push_back(Arg::Ref(Key(name, i)));
  }
  graph.AddTask(Key::Make("gather-all"), mix, all);
  return graph;
}

TEST(LocalSchedulerTest, ErrorsKeepTheirTypeAndNameTheKey) {
  for (int threads : {1, 3}) {
    LocalScheduler scheduler({threads, {}});
    try {
      scheduler.Compute(FailingGraph(13), {Key::Make("gather-all")});
      FAIL() << "no error";
    } catch (const TypeError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("thirteen is unlucky"), std::string::npos) << message;
      EXPECT_NE(message.find("('maybe-fail', 50)"), std::string::npos) << message;
    }
    EXPECT_THROW(scheduler.Compute(FailingGraph(14), {Key::Make("gather-all")}), std::out_of_range);
    // Still usable, and nothing leaked from the failed runs.
    const auto values = scheduler.Compute(FailingGraph(50), {Key::Make("gather-all")});
    Key root;
    Graph tree_graph = testing::TreeReduction(100, &root);
    const auto tree = scheduler.Compute(std::move(tree_graph), {root});
    EXPECT_EQ(values.size(), 1u);
    EXPECT_EQ(tree.size(), 1u);
    EXPECT_TRUE(Eventually([&] { return scheduler.stats().memory_bytes == 0; }));
  }
}

ValuePtr Sleepy(const TaskInputs& in) {
  std::this_thread::sleep_for(2ms);
  return MakeInt64(in.Int64(0));
}

// 2000 sleeping tasks feeding one sum, long enough to interrupt; the sum's key is `name`-sum.
Graph SleepyFanIn(const std::string& name) {
  Graph graph;
  const uint32_t sleepy = graph.AddOperation(RegisterOperation("test.sleepy", &Sleepy));
  const uint32_t mix = testing::MixFunction(&graph);
  std::vector<Arg> all;
  for (int64_t i = 0; i < 2000; ++i) {
    graph.AddTask(Key::Make(name, i), sleepy, {Arg::Int64(i)});
    all.push_back(Arg::Ref(Key::Make(name, i)));
  }
  graph.AddTask(Key::Make(name + "-sum"), mix, all);
  return graph;
}

std::atomic<int> flaky_attempts{0};

// Fails its first three attempts.
ValuePtr Flaky(const TaskInputs& in) {
  if (flaky_attempts.fetch_add(1) < 3) throw InvalidArgument("sporadic failure");
  return MakeInt64(in.Int64(0) + 1);
}

TEST(LocalSchedulerTest, RetriesRerunAFailingTask) {
  LocalScheduler scheduler({2, {}});
  const Operation* flaky = RegisterOperation("test.flaky", &Flaky);
  auto flaky_graph = [&] {
    Graph graph;
    graph.AddTask(Key::Make("flaky"), graph.AddOperation(flaky), {Arg::Int64(41)});
    return graph;
  };
  flaky_attempts = 0;
  EXPECT_THROW(scheduler.Compute(flaky_graph(), {Key::Make("flaky")}, {.retries = 2}), InvalidArgument);
  EXPECT_EQ(flaky_attempts.load(), 3);  // the first run and two retries
  flaky_attempts = 0;
  const auto values = scheduler.Compute(flaky_graph(), {Key::Make("flaky")}, {.retries = 3});
  EXPECT_EQ(AsInt(values[0]), 42);
  EXPECT_EQ(flaky_attempts.load(), 4);
}

TEST(LocalSchedulerTest, ThreadsGrowAndShrinkKeepingHeldResults) {
  LocalScheduler scheduler({1, {}, 4});
  EXPECT_EQ(scheduler.num_threads(), 1);
  Key root;
  Graph tree = testing::TreeReduction(200, &root);
  auto held = scheduler.Persist(std::move(tree), {root});
  ASSERT_TRUE(held[0]->WaitFor(60s));
  scheduler.SetNumThreads(4);
  EXPECT_EQ(scheduler.num_threads(), 4);
  EXPECT_EQ(ComputeWithin(scheduler, SleepyFanIn("grown"), {Key::Make("grown-sum")}).size(), 1u);
  scheduler.SetNumThreads(2);
  EXPECT_EQ(scheduler.num_threads(), 2);
  EXPECT_EQ(scheduler.Find(root), held[0]);  // held results survive scaling
  EXPECT_EQ(ComputeWithin(scheduler, SleepyFanIn("shrunk"), {Key::Make("shrunk-sum")}).size(), 1u);
}

TEST(LocalSchedulerTest, CancelStopsPromptlyAndStaysUsable) {
  LocalScheduler scheduler({2, {}});
  Graph graph = SleepyFanIn("sleepy");
  auto handles = scheduler.Submit(std::move(graph), {Key::Make("sleepy-sum")});
  std::this_thread::sleep_for(20ms);
  handles[0]->Cancel();
  ASSERT_TRUE(handles[0]->WaitFor(30s));
  EXPECT_EQ(handles[0]->status(), ResultStatus::kCancelled);
  EXPECT_THROW(handles[0]->Wait(), Cancelled);
  EXPECT_LT(scheduler.stats().tasks_run, 2000);
  Key root;
  Graph tree = testing::TreeReduction(10, &root);
  EXPECT_EQ(ComputeWithin(scheduler, std::move(tree), {root}).size(), 1u);
}

TEST(LocalSchedulerTest, InterruptCancelsRunningComputations) {
  LocalScheduler scheduler({2, {}});
  Graph graph = SleepyFanIn("interrupted");
  {
    InterruptGuard guard(scheduler);
    EXPECT_THROW(InterruptGuard second(scheduler), InvalidArgument);
    auto handles = scheduler.Submit(std::move(graph), {Key::Make("interrupted-sum")});
    std::this_thread::sleep_for(10ms);
    std::raise(SIGINT);
    ASSERT_TRUE(handles[0]->WaitFor(30s));
    EXPECT_THROW(handles[0]->Wait(), Cancelled);
    EXPECT_EQ(guard.interrupts(), 1);
  }
  Key root;
  Graph tree = testing::TreeReduction(10, &root);
  EXPECT_EQ(ComputeWithin(scheduler, std::move(tree), {root}).size(), 1u);
}

TEST(LocalSchedulerTest, PersistedResultsFeedLaterGraphsUntilReleased) {
  LocalScheduler scheduler({2, {}});
  Key root;
  Graph tree = testing::TreeReduction(64, &root);
  const int64_t expected = AsInt(EvaluateSequential(tree, {root}).values[0]);
  auto persisted = scheduler.Persist(std::move(tree), {root});
  ASSERT_TRUE(persisted[0]->WaitFor(30s));
  EXPECT_EQ(scheduler.Find(root), persisted[0]);

  Graph next;
  const uint32_t mix = testing::MixFunction(&next);
  next.AddTask(Key::Make("after"), mix, {Arg::Ref(root)});
  const auto values = scheduler.Compute(std::move(next), {Key::Make("after")});
  Graph reference;
  reference.AddTask(Key::Make("after"), testing::MixFunction(&reference), {Arg::Int64(expected)});
  reference.Finalize();
  EXPECT_EQ(AsInt(values[0]), AsInt(EvaluateSequential(reference, {Key::Make("after")}).values[0]));

  persisted.clear();
  EXPECT_TRUE(Eventually([&] { return scheduler.Find(root) == nullptr; }));
  Graph orphan;
  orphan.AddTask(Key::Make("orphan"), testing::MixFunction(&orphan), {Arg::Ref(root)});
  EXPECT_THROW(scheduler.Compute(std::move(orphan), {Key::Make("orphan")}), InvalidArgument);
}

class Collector final : public EventObserver {
 public:
  void OnEvents(std::span<const Event> events) override {
    std::lock_guard lock(mutex);
    this->events.insert(this->events.end(), events.begin(), events.end());
  }
  std::mutex mutex;
  std::vector<Event> events;
};

TEST(LocalSchedulerTest, EventsReportEveryTask) {
  LocalScheduler scheduler({2, {}});
  auto collector = std::make_shared<Collector>();
  std::ostringstream bar_text;
  auto bar = std::make_shared<ProgressBar>(bar_text, 20, 0);
  scheduler.events().Subscribe(collector);
  scheduler.events().Subscribe(bar);
  Key root;
  Graph tree = testing::TreeReduction(100, &root);
  ComputeWithin(scheduler, std::move(tree), {root});
  for (int i = 0; i < 100 && bar->finished() < 199; ++i) {
    scheduler.events().Flush();
    std::this_thread::sleep_for(2ms);
  }
  scheduler.events().Flush();
  int starts = 0, finishes = 0, compute_starts = 0, releases = 0;
  int64_t queued = 0;
  {
    std::lock_guard lock(collector->mutex);
    for (const Event& e : collector->events) {
      if (e.type == EventType::kTasksQueued) queued += e.bytes;
      if (e.type == EventType::kRelease) ++releases;
      if (e.type == EventType::kTaskStart) ++starts;
      if (e.type == EventType::kTaskFinish) {
        ++finishes;
        EXPECT_GE(e.end_ns, e.start_ns);
        EXPECT_GE(e.thread, 0);
        EXPECT_EQ(e.bytes, int64_t(sizeof(int64_t)));
      }
      if (e.type == EventType::kComputeStart) {
        ++compute_starts;
        EXPECT_EQ(e.bytes, 199);
      }
    }
  }
  EXPECT_EQ(starts, 199);
  EXPECT_EQ(finishes, 199);
  EXPECT_EQ(compute_starts, 1);
  EXPECT_EQ(queued, 199);    // tasks announced per name add up to the graph
  EXPECT_EQ(releases, 198);  // every intermediate is freed; the root is the output
  EXPECT_EQ(bar->finished(), 199);
  EXPECT_NE(bar_text.str().find("100%"), std::string::npos) << bar_text.str();
  // The drain thread adds memory samples (managed, spilled and resident bytes) while subscribed.
  // (The drain thread delivers them on its own; a generous bound for sanitizer builds.)
  bool sampled = Eventually([&] {
    std::lock_guard lock(collector->mutex);
    for (const Event& e : collector->events) {
      if (e.type == EventType::kMemory && e.rss > 0) return true;
    }
    return false;
  }, 20000);
  EXPECT_TRUE(sampled);
  scheduler.events().Unsubscribe(collector.get());
  scheduler.events().Unsubscribe(bar.get());
}

}  // namespace
}  // namespace tessera::sched
