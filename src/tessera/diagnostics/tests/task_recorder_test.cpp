// The recorder and the profiler on a real scheduler: every task, state and prefix accounted,
// JSON documents that parse, and stack samples from the running kernels.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "tessera/diagnostics/sampling_profiler.hpp"
#include "tessera/diagnostics/task_recorder.hpp"
#include "tessera/graph/tests/graph_shapes.hpp"
#include "tessera/sched/local_scheduler.hpp"

namespace tessera::diagnostics {

// Spins on the CPU long enough to be sampled (not inlined, so it is a frame of its own). It
// takes a lock now and then, as kernels allocate: ThreadSanitizer delivers signals only when
// the thread calls into a function it intercepts.
__attribute__((noinline)) double SpinForProfiler(int64_t milliseconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(milliseconds);
  std::mutex mutex;
  double x = 1;
  while (std::chrono::steady_clock::now() < end) {
    std::lock_guard lock(mutex);
    x = std::sqrt(x + 1.5);
  }
  return x;
}

namespace {

using nlohmann::json;

TEST(TaskRecorderTest, RecordsEveryTaskItsStateAndPrefix) {
  sched::LocalScheduler scheduler({2, {}});
  auto recorder = std::make_shared<TaskRecorder>(2, scheduler.stats().memory_limit);
  scheduler.events().Subscribe(recorder);
  graph::Key root;
  graph::Graph tree = graph::testing::TreeReduction(64, &root);
  scheduler.Compute(std::move(tree), {root});
  scheduler.events().Flush();

  EXPECT_EQ(recorder->Tasks().size(), 127u);
  int64_t total = 0, finished = 0, released = 0;
  for (const PrefixProgress& p : recorder->Progress()) {
    total += p.total;
    finished += p.finished;
    released += p.released;
    EXPECT_EQ(p.erred, 0);
  }
  EXPECT_EQ(total, 127);
  EXPECT_EQ(finished, 127);
  EXPECT_EQ(released, 126);  // all but the root

  const json stream = json::parse(recorder->TaskStreamJson(-1));
  ASSERT_EQ(stream["tasks"].size(), 127u);
  for (const auto& task : stream["tasks"]) {
    EXPECT_LE(task["start"].get<double>(), task["stop"].get<double>());
    EXPECT_GE(task["worker"].get<int>(), 0);
    EXPECT_EQ(task["status"], "ok");
  }
  // asking from the last stop on returns nothing new
  const double last = stream["tasks"].back()["stop"].get<double>();
  EXPECT_TRUE(json::parse(recorder->TaskStreamJson(last))["tasks"].empty());

  const json progress = json::parse(recorder->ProgressJson());
  int64_t memory = 0, done_released = 0;
  for (const auto& p : progress["prefixes"]) {
    memory += p["memory"].get<int64_t>();
    done_released += p["released"].get<int64_t>();
    EXPECT_EQ(p["waiting"], 0);
    EXPECT_EQ(p["processing"], 0);
  }
  EXPECT_EQ(memory, 1);  // the root is the only result still held
  EXPECT_EQ(done_released, 126);

  const json graph = json::parse(recorder->GraphJson());
  EXPECT_FALSE(graph["grouped"].get<bool>());
  EXPECT_EQ(graph["nodes"].size(), 127u);
  EXPECT_EQ(graph["edges"].size(), 126u);
  const json grouped = json::parse(recorder->GraphJson(10));
  EXPECT_TRUE(grouped["grouped"].get<bool>());
  int64_t counted = 0;
  for (const auto& node : grouped["nodes"]) counted += node["count"].get<int64_t>();
  EXPECT_EQ(counted, 127);

  const json workers = json::parse(recorder->WorkersJson());
  ASSERT_EQ(workers["workers"].size(), 2u);
  EXPECT_EQ(workers["workers"][0]["done"].get<int64_t>() + workers["workers"][1]["done"].get<int64_t>(), 127);
  const json summary = json::parse(recorder->SummaryJson());
  EXPECT_EQ(summary["tasks_total"], 127);
  EXPECT_EQ(summary["tasks_done"], 127);
  scheduler.events().Unsubscribe(recorder.get());
}

TEST(TaskRecorderTest, CountsErrorsAndSpills) {
  sched::MemoryOptions memory;
  memory.memory_limit = 1 << 20;
  memory.spill_min_bytes = 1;
  sched::LocalScheduler scheduler({2, memory});
  auto recorder = std::make_shared<TaskRecorder>(2, memory.memory_limit);
  scheduler.events().Subscribe(recorder);
  struct Fail final : graph::Closure {
    graph::ValuePtr Call(const graph::TaskInputs&) const override { throw InvalidArgument("broken task"); }
    std::string_view name() const override { return "fail"; }
  };
  graph::Graph g;
  g.AddTask(graph::Key::Make("failing"), g.AddClosure(std::make_shared<Fail>()), {});
  g.Finalize();
  EXPECT_THROW(scheduler.Compute(std::move(g), {graph::Key::Make("failing")}), InvalidArgument);
  scheduler.events().Flush();
  int64_t erred = 0;
  for (const auto& p : recorder->Progress()) erred += p.erred;
  EXPECT_EQ(erred, 1);
  const json stream = json::parse(recorder->TaskStreamJson(-1));
  ASSERT_EQ(stream["tasks"].size(), 1u);
  EXPECT_EQ(stream["tasks"][0]["status"], "error");
  scheduler.events().Unsubscribe(recorder.get());
}

TEST(SamplingProfilerTest, SamplesRunningTasksByPrefix) {
  sched::LocalScheduler scheduler({2, {}});
  SamplingProfiler profiler(200);
  EXPECT_THROW(SamplingProfiler second, InvalidArgument);  // one per process
  struct Busy final : graph::Closure {
    graph::ValuePtr Call(const graph::TaskInputs&) const override { return graph::MakeDouble(SpinForProfiler(150)); }
    std::string_view name() const override { return "busy"; }
  };
  graph::Graph g;
  const uint32_t busy = g.AddClosure(std::make_shared<Busy>());
  std::vector<graph::Key> keys;
  for (int i = 0; i < 4; ++i) {
    keys.push_back(graph::Key::Make("busy-work", i));
    g.AddTask(keys.back(), busy, {});
  }
  g.Finalize();
  const int64_t origin = sched::NowNs();
  scheduler.Compute(std::move(g), keys);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the sampler drains its ring
  EXPECT_GT(profiler.num_samples(), 10);
  const json flame = json::parse(profiler.FlameJson(origin, "", 0, -1));
  EXPECT_GT(flame["samples"].get<int64_t>(), 10);
  EXPECT_EQ(flame["prefixes"], json::array({"busy-work"}));
  // the spinning function is on the sampled stacks, by name
  std::function<bool(const json&)> has_spin = [&](const json& node) {
    if (node["name"].get<std::string>().find("SpinForProfiler") != std::string::npos) return true;
    for (const auto& child : node["children"]) {
      if (has_spin(child)) return true;
    }
    return false;
  };
  EXPECT_TRUE(has_spin(flame["root"])) << flame.dump().substr(0, 2000);
  EXPECT_EQ(json::parse(profiler.FlameJson(origin, "no-such-prefix", 0, -1))["samples"], 0);

  // stacks sampled elsewhere (Python frames) merge into the same tree by name
  profiler.AddSample(sched::NowNs(), "python-task", {"module.outer", "module.inner"});
  profiler.AddSample(sched::NowNs(), "python-task", {"module.outer"});
  const json python = json::parse(profiler.FlameJson(origin, "python-task", 0, -1));
  EXPECT_EQ(python["samples"], 2);
  ASSERT_EQ(python["root"]["children"].size(), 1u);
  EXPECT_EQ(python["root"]["children"][0]["name"], "module.outer");
  EXPECT_EQ(python["root"]["children"][0]["value"], 2);
  EXPECT_EQ(python["root"]["children"][0]["children"][0]["name"], "module.inner");
}

}  // namespace
}  // namespace tessera::diagnostics
