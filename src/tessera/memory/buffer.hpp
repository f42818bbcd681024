// Contiguous, 64-byte aligned bytes: the storage behind every column. A Buffer is written while it
// is being built (through a builder holding the only reference) and immutable once shared as
// std::shared_ptr<const Buffer>.
#pragma once

#include <cstdint>
#include <memory>

#include "tessera/memory/memory_pool.hpp"

namespace tessera::memory {

class Buffer {
 public:
  /// Allocates `size` bytes (contents undefined) from `pool`.
  static std::shared_ptr<Buffer> Allocate(int64_t size, MemoryPool* pool = DefaultMemoryPool());
  /// Allocates `size` bytes set to zero.
  static std::shared_ptr<Buffer> AllocateZeroed(int64_t size,
                                                MemoryPool* pool = DefaultMemoryPool());
  /// Copies `size` bytes from `data` into a new pool buffer.
  static std::shared_ptr<Buffer> CopyOf(const void* data, int64_t size,
                                        MemoryPool* pool = DefaultMemoryPool());
  /// Borrows memory owned by someone else (a NumPy array, a mapped file); `owner` keeps it alive.
  static std::shared_ptr<Buffer> Wrap(const uint8_t* data, int64_t size,
                                      std::shared_ptr<const void> owner);

  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer();

  const uint8_t* data() const { return data_; }
  uint8_t* mutable_data() { return data_; }
  int64_t size() const { return size_; }
  int64_t capacity() const { return capacity_; }
  template <typename T>
  const T* data_as() const { return reinterpret_cast<const T*>(data_); }
  template <typename T>
  T* mutable_data_as() { return reinterpret_cast<T*>(data_); }

  /// Grows capacity to at least `capacity` bytes (pool-owned buffers only), keeping contents.
  void Reserve(int64_t capacity);
  /// Sets the logical size, growing capacity when needed.
  void Resize(int64_t size);
  /// Gives back capacity beyond the logical size.
  void ShrinkToFit();

 private:
  Buffer() = default;

  uint8_t* data_ = nullptr;
  int64_t size_ = 0;
  int64_t capacity_ = 0;
  MemoryPool* pool_ = nullptr;           // set when the pool owns data_
  std::shared_ptr<const void> owner_;    // set when the memory is borrowed
};

using BufferPtr = std::shared_ptr<const Buffer>;

}  // namespace tessera::memory
