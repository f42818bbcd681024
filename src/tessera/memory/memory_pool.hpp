// Tracked allocator: every column buffer is allocated here, so the bytes a process holds in
// tables are known exactly (the scheduler's memory limit and the dashboard read these counters).
#pragma once

#include <atomic>
#include <cstdint>

namespace tessera::memory {

/// Alignment of every allocation: one cache line, and what Arrow and SIMD loads want.
inline constexpr int64_t kAlignment = 64;

/// Thread-safe allocator that counts the bytes it has handed out.
/// Allocate/Reallocate/Free may be called from any thread.
class MemoryPool {
 public:
  MemoryPool() = default;
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

 private:
  void Account(int64_t delta);

  std::atomic<int64_t> bytes_allocated_{0};
  std::atomic<int64_t> peak_bytes_{0};
  std::atomic<int64_t> num_allocations_{0};
};

/// The process-wide pool used when no pool is given.
MemoryPool* DefaultMemoryPool();

}  // namespace tessera::memory
