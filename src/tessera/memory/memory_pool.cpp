#include "tessera/memory/memory_pool.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tessera/base/error.hpp"

namespace tessera::memory {

namespace {
// A zero-size allocation still returns a valid, aligned, non-null pointer.
alignas(kAlignment) uint8_t zero_size_area[kAlignment];

int64_t RoundUp(int64_t size, int64_t to) { return (size + to - 1) / to * to; }

// Large buffers are mapped directly with their pages populated up front: the kernel fills them
// in one call instead of taking one page fault per 4 KiB as they are first written, which is
// most of the cost of building a large column in a virtual machine. (Transparent huge pages
// measured slower here: compaction costs more than the faults they save.)
constexpr int64_t kPageSize = 4096;
constexpr int64_t kMappedThreshold = MemoryPool::kLargeAllocationBytes;

// Set while a reservation handler runs on this thread: what it allocates (spilling) is not
// reserved again.
thread_local bool reserving = false;
}  // namespace

void MemoryPool::AddReservationHandler(const std::shared_ptr<ReservationHandler>& handler) {
  std::lock_guard lock(handlers_mutex_);
  std::erase_if(handlers_, [](const auto& weak) { return weak.expired(); });
  handlers_.push_back(handler);
  has_handlers_.store(true);
}

void MemoryPool::Reserve(int64_t size) {
  if (!has_handlers_.load(std::memory_order_relaxed) || reserving) return;
  std::vector<std::shared_ptr<ReservationHandler>> live;
  {
    std::lock_guard lock(handlers_mutex_);
    for (const auto& weak : handlers_) {
      if (auto handler = weak.lock()) live.push_back(std::move(handler));
    }
  }
  reserving = true;
  try {
    for (const auto& handler : live) handler->Reserve(size);
  } catch (...) {
    reserving = false;
    throw;
  }
  reserving = false;
}

void MemoryPool::ReleaseCachedMappings() {
  std::deque<std::pair<uint8_t*, int64_t>> release;
  {
    std::lock_guard<std::mutex> lock(large_mutex_);
    release.swap(cached_mappings_);
    cached_bytes_ = 0;
  }
  for (const auto& [mapping, length] : release) ::munmap(mapping, size_t(length));
}

void MemoryPool::Account(int64_t delta) {
  const int64_t now = bytes_allocated_.fetch_add(delta, std::memory_order_relaxed) + delta;
  for (std::atomic<int64_t>* high : {&peak_bytes_, &recent_peak_}) {
    int64_t peak = high->load(std::memory_order_relaxed);
    while (now > peak && !high->compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
  }
}

int64_t MemoryPool::TakeRecentPeak() { return recent_peak_.exchange(bytes_allocated()); }

uint8_t* MemoryPool::Allocate(int64_t size) {
  if (size < 0) throw InvalidArgument("negative allocation size " + std::to_string(size));
  if (size == 0) return zero_size_area;
  void* data = nullptr;
  if (size >= kMappedThreshold) {
    Reserve(size);
    data = MapLarge(size);
  } else {
    data = std::aligned_alloc(size_t(kAlignment), size_t(RoundUp(size, kAlignment)));
  }
  if (data == nullptr) {
    throw OutOfMemory("could not allocate " + std::to_string(size) + " bytes (" +
                      std::to_string(bytes_allocated() >> 20) + " MiB already held by tables)");
  }
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
  if (size >= kMappedThreshold) {
    UnmapLarge(data);
  } else {
    std::free(data);
  }
  Account(-size);
}

uint8_t* MemoryPool::MapLarge(int64_t size) {
  const int64_t length = RoundUp(size, kPageSize);
  {
    // The smallest kept mapping that fits without wasting more than a quarter of it.
    std::lock_guard<std::mutex> lock(large_mutex_);
    auto best = cached_mappings_.end();
    for (auto it = cached_mappings_.begin(); it != cached_mappings_.end(); ++it) {
      if (it->second >= length && it->second - length <= it->second / 4 &&
          (best == cached_mappings_.end() || it->second < best->second)) {
        best = it;
      }
    }
    if (best != cached_mappings_.end()) {
      uint8_t* data = best->first;
      cached_bytes_ -= best->second;
      mapped_lengths_[data] = best->second;
      cached_mappings_.erase(best);
      return data;
    }
  }
  void* data = ::mmap(nullptr, size_t(length), PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (data == MAP_FAILED) return nullptr;
  std::lock_guard<std::mutex> lock(large_mutex_);
  mapped_lengths_[static_cast<uint8_t*>(data)] = length;
  return static_cast<uint8_t*>(data);
}

void MemoryPool::UnmapLarge(uint8_t* data) {
  std::vector<std::pair<uint8_t*, int64_t>> release;
  {
    std::lock_guard<std::mutex> lock(large_mutex_);
    auto it = mapped_lengths_.find(data);
    TESSERA_DCHECK(it != mapped_lengths_.end());
    const int64_t length = it->second;
    mapped_lengths_.erase(it);
    if (length <= kMappingCacheBytes / 2) {
      cached_mappings_.emplace_back(data, length);
      cached_bytes_ += length;
      while (cached_bytes_ > kMappingCacheBytes) {
        release.push_back(cached_mappings_.front());
        cached_bytes_ -= cached_mappings_.front().second;
        cached_mappings_.pop_front();
      }
    } else {
      release.emplace_back(data, length);
    }
  }
  for (const auto& [mapping, length] : release) ::munmap(mapping, size_t(length));
}

MemoryPool::~MemoryPool() {
  for (const auto& [mapping, length] : cached_mappings_) ::munmap(mapping, size_t(length));
}

MemoryPool* DefaultMemoryPool() {
  static MemoryPool pool;
  return &pool;
}

}  // namespace tessera::memory
