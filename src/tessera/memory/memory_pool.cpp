#include "tessera/memory/memory_pool.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "tessera/base/error.hpp"

namespace tessera::memory {

namespace {
// A zero-size allocation still returns a valid, aligned, non-null pointer.
alignas(kAlignment) uint8_t zero_size_area[kAlignment];

int64_t RoundUp(int64_t size, int64_t to) { return (size + to - 1) / to * to; }

// Large buffers are placed on 2 MiB boundaries and offered transparent huge pages: filling a
// 64 MiB column then takes 32 page faults instead of 16384.
constexpr int64_t kHugePage = int64_t(2) << 20;
constexpr int64_t kHugePageThreshold = int64_t(4) << 20;
}  // namespace

void MemoryPool::Account(int64_t delta) {
  const int64_t now = bytes_allocated_.fetch_add(delta, std::memory_order_relaxed) + delta;
  int64_t peak = peak_bytes_.load(std::memory_order_relaxed);
  while (now > peak && !peak_bytes_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
}

uint8_t* MemoryPool::Allocate(int64_t size) {
  if (size < 0) throw InvalidArgument("negative allocation size " + std::to_string(size));
  if (size == 0) return zero_size_area;
  const bool huge = size >= kHugePageThreshold;
  const int64_t alignment = huge ? kHugePage : kAlignment;
  void* data = std::aligned_alloc(size_t(alignment), size_t(RoundUp(size, alignment)));
  if (data == nullptr) {
    throw OutOfMemory("could not allocate " + std::to_string(size) + " bytes (" +
                      std::to_string(bytes_allocated() >> 20) + " MiB already held by tables)");
  }
  if (huge) ::madvise(data, size_t(RoundUp(size, alignment)), MADV_HUGEPAGE);
  num_allocations_.fetch_add(1, std::memory_order_relaxed);
  Account(size);
  return static_cast<uint8_t*>(data);
}

uint8_t* MemoryPool::Reallocate(uint8_t* data, int64_t old_size, int64_t new_size) {
  if (new_size == old_size) return data;
  uint8_t* fresh = Allocate(new_size);
  if (old_size > 0) std::memcpy(fresh, data, size_t(std::min(old_size, new_size)));
  Free(data, old_size);
  return fresh;
}

void MemoryPool::Free(uint8_t* data, int64_t size) {
  if (data == zero_size_area || size == 0) return;
  std::free(data);
  Account(-size);
}

MemoryPool* DefaultMemoryPool() {
  static MemoryPool pool;
  return &pool;
}

}  // namespace tessera::memory
