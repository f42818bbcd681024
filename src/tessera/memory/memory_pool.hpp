// Tracked allocator: every column buffer is allocated here, so the bytes a process holds in
// tables are known exactly (the scheduler's memory limit and the dashboard read these counters).
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include <atomic>
#include <cstdint>

namespace tessera::memory {

/// Alignment of every allocation: one cache line, and what Arrow and SIMD loads want.
inline constexpr int64_t kAlignment = 64;

/// Asked before every large allocation from a pool, on the allocating thread, whether `bytes`
/// more may be allocated: it makes room (spills results), waits for room, or throws
/// OutOfMemory. This is how a memory limit covers the working memory of tasks (sort
/// permutations, gathered columns, pieces in flight), not only the results they keep.
class ReservationHandler {
 public:
  virtual ~ReservationHandler() = default;
  virtual void Reserve(int64_t bytes) = 0;
};

/// Thread-safe allocator that counts the bytes it has handed out.
/// Allocate/Reallocate/Free may be called from any thread.
class MemoryPool {
 public:
  MemoryPool() = default;
  /// Unmaps the kept mappings (buffers still allocated from the pool must be freed first).
  ~MemoryPool();
  MemoryPool(const MemoryPool&) = delete;
  MemoryPool& operator=(const MemoryPool&) = delete;

  /// Returns `size` bytes aligned to kAlignment; throws OutOfMemory when the system refuses.
  uint8_t* Allocate(int64_t size);
  /// Grows or shrinks an allocation made here, keeping its first min(old, new) bytes.
  uint8_t* Reallocate(uint8_t* data, int64_t old_size, int64_t new_size);
  void Free(uint8_t* data, int64_t size);

  int64_t bytes_allocated() const { return bytes_allocated_.load(std::memory_order_relaxed); }
  int64_t peak_bytes_allocated() const { return peak_bytes_.load(std::memory_order_relaxed); }
  int64_t num_allocations() const { return num_allocations_.load(std::memory_order_relaxed); }
  /// The most bytes allocated at once since the previous call (or since the pool was made);
  /// starts the next period at what is allocated now.
  int64_t TakeRecentPeak();
  /// Bytes of freed large mappings kept for reuse (resident, but not held by any table).
  int64_t cached_bytes() const { return cached_bytes_.load(std::memory_order_relaxed); }

  /// Most bytes of freed mappings kept for reuse.
  static constexpr int64_t kMappingCacheBytes = int64_t(64) << 20;
  /// Allocations of at least this many bytes are mapped directly and reserved first.
  static constexpr int64_t kLargeAllocationBytes = int64_t(256) << 10;

  /// Consults `handler` before each large allocation while it is alive (it is held weakly).
  /// Thread-safe.
  void AddReservationHandler(const std::shared_ptr<ReservationHandler>& handler);
  /// Gives the kept mappings back to the operating system. Thread-safe.
  void ReleaseCachedMappings();

 private:
  void Account(int64_t delta);
  uint8_t* MapLarge(int64_t size);
  void UnmapLarge(uint8_t* data);

  void Reserve(int64_t size);

  std::atomic<int64_t> bytes_allocated_{0};
  std::atomic<int64_t> peak_bytes_{0};
  std::atomic<int64_t> recent_peak_{0};
  std::atomic<int64_t> num_allocations_{0};

  // Large buffers: the length of every live mapping, and freed mappings kept for reuse (oldest
  // first). Reusing a mapping skips the page faults and page zeroing of a fresh one, which
  // cost more than the work of a kernel that writes a large temporary (group ids, gathers).
  mutable std::mutex large_mutex_;
  std::unordered_map<uint8_t*, int64_t> mapped_lengths_;
  std::deque<std::pair<uint8_t*, int64_t>> cached_mappings_;
  std::atomic<int64_t> cached_bytes_{0};  // written under large_mutex_

  std::mutex handlers_mutex_;
  std::vector<std::weak_ptr<ReservationHandler>> handlers_;
  std::atomic<bool> has_handlers_{false};
};

/// The process-wide pool used when no pool is given.
MemoryPool* DefaultMemoryPool();

}  // namespace tessera::memory
