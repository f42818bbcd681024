// Memory limits: spilling gives identical results, persisted results are read back, root tasks
// are held back, and values that cannot be spilled end in a clear OutOfMemory.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <thread>

#include "tessera/base/error.hpp"
#include "tessera/graph/evaluate.hpp"
#include "tessera/memory/memory_pool.hpp"
#include "tessera/sched/local_scheduler.hpp"

namespace tessera::sched {
namespace {

using namespace graph;
using namespace std::chrono_literals;

// A block of integers that can be spilled (or not, to provoke OutOfMemory).
class Blob final : public Value {
 public:
  Blob(std::vector<int64_t> values, bool serialisable) : values_(std::move(values)), serialisable_(serialisable) {}
  const std::vector<int64_t>& values() const { return values_; }
  int64_t nbytes() const override { return int64_t(values_.size() * sizeof(int64_t)); }
  std::string_view type_name() const override { return serialisable_ ? "test.blob" : ""; }
  void Serialize(ByteSink& out) const override { out.Write(values_.data(), values_.size() * sizeof(int64_t)); }
  static ValuePtr Deserialize(ByteReader& in) {
    std::vector<int64_t> values(size_t(in.remaining()) / sizeof(int64_t));
    in.Read(values.data(), values.size() * sizeof(int64_t));
    return std::make_shared<Blob>(std::move(values), true);
  }

 private:
  std::vector<int64_t> values_;
  bool serialisable_;
};

constexpr int64_t kBlobValues = 12500;  // 100 kB

ValuePtr MakeBlob(const TaskInputs& in) {
  std::vector<int64_t> values(kBlobValues);
  std::iota(values.begin(), values.end(), in.Int64(0) * 7);
  return std::make_shared<Blob>(std::move(values), in.Bool(1));
}

ValuePtr CombineBlobs(const TaskInputs& in) {
  const auto& a = in.As<Blob>(0).values();
  const auto& b = in.As<Blob>(1).values();
  std::vector<int64_t> values(a.size());
  for (size_t i = 0; i < a.size(); ++i) values[i] = a[i] * 3 + b[i] + int64_t(i);
  return std::make_shared<Blob>(std::move(values), true);
}

// A tree over `leaves` blobs; every result is 100 kB.
Graph BlobTree(int64_t leaves, bool serialisable, Key* root) {
  RegisterValueType("test.blob", &Blob::Deserialize);
  Graph graph;
  const uint32_t make = graph.AddOperation(RegisterOperation("test.make_blob", &MakeBlob));
  const uint32_t combine = graph.AddOperation(RegisterOperation("test.combine_blobs", &CombineBlobs));
  std::vector<Key> layer;
  for (int64_t i = 0; i < leaves; ++i) {
    graph.AddTask(Key::Make("blob", i), make, {Arg::Int64(i), Arg::Bool(serialisable)});
    layer.push_back(Key::Make("blob", i));
  }
  for (int level = 0; layer.size() > 1; ++level) {
    std::vector<Key> next;
    for (size_t i = 0; i + 1 < layer.size(); i += 2) {
      const Key key = Key::Make("combine-" + std::to_string(level), int64_t(next.size()));
      graph.AddTask(key, combine, {Arg::Ref(layer[i]), Arg::Ref(layer[i + 1])});
      next.push_back(key);
    }
    if (layer.size() % 2 == 1) next.push_back(layer.back());
    layer = std::move(next);
  }
  *root = layer[0];
  return graph;
}

TEST(SpillTest, TenPercentMemoryGivesIdenticalResultsAndSpills) {
  for (int threads : {1, 2, 4}) {
    Key root;
    Graph reference = BlobTree(64, true, &root);
    reference.Finalize();
    const auto expected = EvaluateSequential(reference, {root}).values[0];
    // Persist every leaf plus the root: 6.5 MB of data under a 650 kB limit.
    std::vector<Key> keys{root};
    for (int64_t i = 0; i < 64; ++i) keys.push_back(Key::Make("blob", i));
    const int64_t data_bytes = 65 * kBlobValues * 8;

    LocalSchedulerOptions options;
    options.num_threads = threads;
    options.memory.memory_limit = data_bytes / 10;
    std::string spill_directory;
    {
      LocalScheduler scheduler(options);
      auto handles = scheduler.Persist(BlobTree(64, true, &root), keys);
      for (auto& handle : handles) ASSERT_TRUE(handle->WaitFor(60s));
      EXPECT_EQ(dynamic_cast<const Blob&>(*handles[0]->Wait()).values(), dynamic_cast<const Blob&>(*expected).values());
      // Leaves come back from disk unchanged.
      for (int64_t i = 0; i < 64; ++i) {
        const ValuePtr leaf = handles[size_t(i) + 1]->Wait();  // may be the only owner once read back
        const auto& values = dynamic_cast<const Blob&>(*leaf).values();
        ASSERT_EQ(values[0], i * 7);
        ASSERT_EQ(values.back(), i * 7 + kBlobValues - 1);
      }
      const SchedulerStats stats = scheduler.stats();
      EXPECT_GT(stats.total_spilled_bytes, 0) << threads << " threads";
      EXPECT_GT(stats.total_read_back_bytes, 0);
      EXPECT_LE(stats.memory_bytes, options.memory.memory_limit);
      handles.clear();
      for (int i = 0; i < 2000 && scheduler.stats().memory_bytes + scheduler.stats().spilled_bytes != 0; ++i) {
        std::this_thread::sleep_for(1ms);
      }
      EXPECT_EQ(scheduler.stats().memory_bytes, 0);
      EXPECT_EQ(scheduler.stats().spilled_bytes, 0);
      spill_directory = scheduler.store().directory();
      ASSERT_FALSE(spill_directory.empty());
    }
    EXPECT_FALSE(std::filesystem::exists(spill_directory)) << "spill directory left behind";
  }
}

TEST(SpillTest, HighMemoryHoldsBackRootsUntilSpillingFreesIt) {
  LocalSchedulerOptions options;
  options.num_threads = 2;
  options.memory.memory_limit = 1000000;  // pause above 800 kB
  LocalScheduler scheduler(options);
  Key root;
  std::vector<Key> leaves;
  for (int64_t i = 0; i < 9; ++i) leaves.push_back(Key::Make("blob", i));
  // 900 kB of unspillable results held by the caller: no root of a new graph may start.
  auto pinned = scheduler.Persist(BlobTree(9, false, &root), leaves);
  for (auto& handle : pinned) handle->Wait();
  EXPECT_GT(scheduler.stats().memory_bytes, 800000);
  Graph next = BlobTree(2, true, &root);
  try {
    scheduler.Compute(std::move(next), {root});
    FAIL() << "roots ran above the pause threshold";
  } catch (const OutOfMemory& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be spilled"), std::string::npos) << e.what();
  }
  EXPECT_EQ(scheduler.stats().tasks_run, 9);  // nothing of the second graph ran
  // Spillable results above the threshold are moved to disk when roots are held back.
  pinned.clear();
  auto spillable = scheduler.Persist(BlobTree(9, true, &root), leaves);
  for (auto& handle : spillable) handle->Wait();
  Graph again = BlobTree(2, true, &root);
  const auto values = scheduler.Compute(std::move(again), {root});
  EXPECT_EQ(dynamic_cast<const Blob&>(*values[0]).values()[1], 1 * 3 + (7 + 1) + 1);  // a[1] * 3 + b[1] + 1
  EXPECT_GT(scheduler.stats().total_spilled_bytes, 0);
}

TEST(SpillTest, UnspillableValuesOverTheLimitFailClearly) {
  LocalSchedulerOptions options;
  options.num_threads = 2;
  options.memory.memory_limit = 250000;  // two and a half blobs
  LocalScheduler scheduler(options);
  Key root;
  std::vector<Key> keys;
  for (int64_t i = 0; i < 16; ++i) keys.push_back(Key::Make("blob", i));
  try {
    auto handles = scheduler.Persist(BlobTree(16, false, &root), keys);
    for (auto& handle : handles) handle->Wait();
    FAIL() << "no OutOfMemory";
  } catch (const OutOfMemory& e) {
    EXPECT_NE(std::string(e.what()).find("memory limit"), std::string::npos) << e.what();
  }
  // Usable afterwards with values that fit.
  for (int i = 0; i < 2000 && scheduler.stats().memory_bytes != 0; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(scheduler.stats().memory_bytes, 0);
  Graph small = BlobTree(1, false, &root);
  const auto values = scheduler.Compute(std::move(small), {root});
  EXPECT_EQ(dynamic_cast<const Blob&>(*values[0]).values().size(), size_t(kBlobValues));
}

}  // namespace
TEST(SpillTest, LargeAllocationsSpillResultsFirst) {
  LocalSchedulerOptions options;
  options.num_threads = 1;
  options.memory.memory_limit = 4000000;  // spill above 2.4 MB
  LocalScheduler scheduler(options);
  Key root;
  std::vector<Key> leaves;
  for (int64_t i = 0; i < 20; ++i) leaves.push_back(Key::Make("blob", i));
  auto held = scheduler.Persist(BlobTree(20, true, &root), leaves);  // 2 MB of spillable results
  for (auto& handle : held) handle->Wait();
  const int64_t spilled_before = scheduler.stats().total_spilled_bytes;
  // Working memory (not a result): the pool reserves it, and the store makes room by spilling.
  memory::MemoryPool* pool = memory::DefaultMemoryPool();
  const int64_t size = 2000000;
  uint8_t* buffer = pool->Allocate(size);
  EXPECT_GT(scheduler.stats().total_spilled_bytes, spilled_before);
  EXPECT_LE(scheduler.store().memory_in_use(), options.memory.memory_limit);
  pool->Free(buffer, size);
  // Spilled results read back unchanged.
  for (int64_t i = 0; i < 20; ++i) EXPECT_EQ(dynamic_cast<const Blob&>(*held[size_t(i)]->Wait()).values()[1], i * 7 + 1);
}

TEST(SpillTest, SpillDirectoriesOfDeadProcessesAreRemovedAtStart) {
  const auto base = std::filesystem::temp_directory_path() / ("tessera-spill-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(base);
  // A process that has exited: its pid names no live process (until reused, which takes a
  // full turn of the pid space).
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  waitpid(child, nullptr, 0);
  const auto dead = base / ("tessera-spill-" + std::to_string(child) + "-abc123");
  const auto alive = base / ("tessera-spill-" + std::to_string(getpid()) + "-def456");
  const auto foreign = base / "tessera-spill-notapid";
  for (const auto& dir : {dead, alive, foreign}) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "0.zst") << "spilled";
  }
  LocalSchedulerOptions options;
  options.memory.spill_directory = base.string();
  { LocalScheduler scheduler(options); }
  EXPECT_FALSE(std::filesystem::exists(dead)) << "a dead process's spill directory was left";
  EXPECT_TRUE(std::filesystem::exists(alive / "0.zst")) << "a live process's spill directory was removed";
  EXPECT_TRUE(std::filesystem::exists(foreign / "0.zst"));
  std::filesystem::remove_all(base);
}

}  // namespace tessera::sched
