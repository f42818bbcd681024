// Memory accounting and spilling for the scheduler's results. Every result held counts towards
// the memory limit. Large serialisable results are "stored values": above the spill threshold
// the least recently used ones are serialised, compressed with zstd and written to a private
// temporary directory, and read back transparently when a task or a caller needs them. Small
// or non-serialisable results are only counted (they are never worth a file).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "tessera/graph/value.hpp"
#include "tessera/memory/memory_pool.hpp"
#include "tessera/sched/events.hpp"

namespace tessera::sched {

struct MemoryOptions {
  /// Bytes of results the scheduler may hold in memory (0: `ram_fraction` of physical RAM).
  int64_t memory_limit = 0;
  double ram_fraction = 0.5;
  /// Above this fraction of the limit, least recently used results are spilled to disk...
  double spill_fraction = 0.6;
  /// ...and above this fraction new root tasks are held back until memory falls.
  double pause_fraction = 0.8;
  /// Results smaller than this are never spilled (their bytes are still counted).
  int64_t spill_min_bytes = 4096;
  /// Where spill files go (a fresh sub-directory is made and removed); empty: $TMPDIR or /tmp.
  std::string spill_directory;
  int zstd_level = 1;
  /// The pool whose allocations count against the limit too (null: the default pool).
  memory::MemoryPool* pool = nullptr;
};

class SpillStore;

/// One managed result: in memory, on disk, or both (a file is kept after reading back, so
/// spilling it again is free). Destroying the last reference forgets it and deletes its file.
class StoredValue : public std::enable_shared_from_this<StoredValue> {
 public:
  ~StoredValue();
  graph::Key key() const { return key_; }
  int64_t nbytes() const { return nbytes_; }

 private:
  friend class SpillStore;
  StoredValue() = default;

  std::shared_ptr<SpillStore> store_;
  graph::Key key_;
  int64_t nbytes_ = 0;
  // Guarded by the store's mutex:
  graph::ValuePtr value_;
  std::string path_;
  bool in_lru_ = false;
  bool spilling_ = false;
  std::list<StoredValue*>::iterator lru_position_;
};

using StoredValuePtr = std::shared_ptr<StoredValue>;

/// Memory in use is the larger of the results held (what the store counts) and everything the
/// memory pool holds (results, the working memory of running tasks, mappings kept for reuse,
/// which are given back first under pressure), plus what admitted tasks are expected to
/// allocate still (see RunningTask). Large
/// allocations reserve first: the store spills results to make room and, on a thread running
/// a task, waits while other tasks still run and may give memory back. When no other task
/// could, the allocation proceeds: one task's working set larger than the limit means
/// partitions too large for it, and failing would not make them smaller.
class SpillStore : public memory::ReservationHandler, public std::enable_shared_from_this<SpillStore> {
 public:
  /// `events` may be null; it must outlive the store.
  static std::shared_ptr<SpillStore> Make(const MemoryOptions& options, EventStream* events);
  ~SpillStore();

  /// Whether a result of `nbytes` is managed (spillable) rather than only counted.
  bool Manages(const graph::Value& value, int64_t nbytes) const {
    return nbytes >= options_.spill_min_bytes && !value.type_name().empty();
  }
  /// Takes a managed result; spills older ones when above the spill threshold. Throws
  /// OutOfMemory when memory stays above the limit with nothing left to spill. Any thread.
  StoredValuePtr Put(graph::Key key, graph::ValuePtr value, int64_t nbytes);
  /// The value, read back from disk when it was spilled (marks it recently used). Any thread;
  /// blocks on file I/O when reading back.
  graph::ValuePtr Get(StoredValue& stored);
  /// Counts (or uncounts, negative) bytes of results that are not managed. Any thread.
  void AddUnmanaged(int64_t delta) { memory_bytes_.fetch_add(delta, std::memory_order_relaxed); }

  /// Spills least recently used values until memory in use <= `target` bytes or nothing is
  /// left to spill; returns the bytes of values moved out. Values also held elsewhere (inputs
  /// of running tasks, results the caller holds) are skipped, as spilling them frees nothing
  /// now, unless `include_held`: then results alone are brought down to `target`. Any
  /// thread; does file I/O.
  int64_t SpillDownTo(int64_t target, bool include_held = false);
  /// ReservationHandler: makes room for `bytes` more before the pool allocates them.
  void Reserve(int64_t bytes) override;
  /// Gives freed heap memory back to the operating system when much of the pool's memory was
  /// freed since its highest use (so an idle process does not keep the peak of its last
  /// computation). Called when a computation ends. Any thread.
  void TrimIfMuchFreed();
  /// Marks the calling thread as running a task while alive (tasks waiting for memory wait only
  /// while others run).
  class RunningTask {
   public:
    explicit RunningTask(SpillStore& store);
    ~RunningTask();
    /// Admits the task's working memory, about `bytes` to allocate, once they fit under the
    /// limit (after spilling) or no other task runs that could give memory back; its large
    /// allocations then draw on the admission first. Admitting whole tasks keeps two large
    /// ones from starting together and each holding half of what both need.
    void Admit(int64_t bytes);
    RunningTask(const RunningTask&) = delete;
    RunningTask& operator=(const RunningTask&) = delete;

   private:
    SpillStore& store_;
    bool outer_;
  };
  enum class Waiter { kNotATask, kRunningTask, kArrivingTask };
  // Spills until `bytes` more fit under the limit; a task then waits while another task runs
  // that is not waiting itself.
  void WaitForRoom(int64_t bytes, Waiter waiter);

  int64_t memory_limit() const { return limit_; }
  /// Bytes of results held in memory.
  int64_t memory_bytes() const { return memory_bytes_.load(std::memory_order_relaxed); }
  /// Results, or everything the pool has handed out or keeps mapped for reuse, whichever is
  /// larger (see the class).
  int64_t memory_in_use() const {
    return std::max(memory_bytes(), pool_->bytes_allocated() + pool_->cached_bytes()) + admitted_.load(std::memory_order_relaxed);
  }
  /// Bytes currently only on disk.
  int64_t spilled_bytes() const { return spilled_bytes_.load(std::memory_order_relaxed); }
  /// Bytes written to disk since the store was made (cumulative).
  int64_t total_spilled_bytes() const { return total_spilled_.load(std::memory_order_relaxed); }
  int64_t total_read_back_bytes() const { return total_read_back_.load(std::memory_order_relaxed); }
  /// Above the pause fraction: roots should be held back.
  bool MemoryHigh() const { return memory_in_use() > pause_bytes_; }
  /// Results alone are above the pause fraction.
  bool ResultsHigh() const { return memory_bytes() > pause_bytes_; }
  int64_t spill_threshold() const { return spill_bytes_; }
  const std::string& directory() const { return directory_; }
  /// Stops publishing spill events (the event stream is going away). Any thread.
  void DetachEvents() { events_.store(nullptr); }

 private:
  friend class StoredValue;
  SpillStore(const MemoryOptions& options, EventStream* events);
  void Forget(StoredValue* stored);
  bool SpillOne(bool include_held);
  void Touch(StoredValue* stored);

  MemoryOptions options_;
  memory::MemoryPool* pool_;
  std::atomic<EventStream*> events_;
  int64_t limit_ = 0;
  int64_t spill_bytes_ = 0;
  int64_t pause_bytes_ = 0;
  std::string directory_;
  std::atomic<uint64_t> next_file_{0};

  std::mutex mutex_;
  std::list<StoredValue*> lru_;  // front = most recently used, in memory and spillable

  std::atomic<int64_t> memory_bytes_{0};
  std::atomic<int64_t> spilled_bytes_{0};
  std::atomic<int64_t> total_spilled_{0};
  std::atomic<int64_t> total_read_back_{0};
  std::atomic<int64_t> admitted_{0};
  std::atomic<int> running_tasks_{0};
  std::atomic<int> waiting_tasks_{0};
};

/// Physical memory of the machine in bytes.
int64_t PhysicalMemoryBytes();

}  // namespace tessera::sched
