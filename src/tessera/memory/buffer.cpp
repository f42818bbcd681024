#include "tessera/memory/buffer.hpp"

#include <algorithm>
#include <cstring>

#include "tessera/base/error.hpp"

namespace tessera::memory {

std::shared_ptr<Buffer> Buffer::Allocate(int64_t size, MemoryPool* pool) {
  std::shared_ptr<Buffer> buffer(new Buffer());
  buffer->pool_ = pool;
  buffer->data_ = pool->Allocate(size);
  buffer->size_ = size;
  buffer->capacity_ = size;
  return buffer;
}

std::shared_ptr<Buffer> Buffer::AllocateZeroed(int64_t size, MemoryPool* pool) {
  auto buffer = Allocate(size, pool);
  if (size > 0) std::memset(buffer->data_, 0, size_t(size));
  return buffer;
}

std::shared_ptr<Buffer> Buffer::CopyOf(const void* data, int64_t size, MemoryPool* pool) {
  auto buffer = Allocate(size, pool);
  if (size > 0) std::memcpy(buffer->data_, data, size_t(size));
  return buffer;
}

std::shared_ptr<Buffer> Buffer::Wrap(const uint8_t* data, int64_t size,
                                     std::shared_ptr<const void> owner) {
  std::shared_ptr<Buffer> buffer(new Buffer());
  buffer->data_ = const_cast<uint8_t*>(data);
  buffer->size_ = size;
  buffer->capacity_ = size;
  buffer->owner_ = std::move(owner);
  return buffer;
}

Buffer::~Buffer() {
  if (pool_ != nullptr) pool_->Free(data_, capacity_);
}

void Buffer::Reserve(int64_t capacity) {
  if (capacity <= capacity_) return;
  if (pool_ == nullptr) throw Internal("cannot grow a borrowed buffer");
  const int64_t grown = std::max(capacity, capacity_ + capacity_ / 2);
  data_ = pool_->Reallocate(data_, capacity_, grown);
  capacity_ = grown;
}

void Buffer::Resize(int64_t size) {
  Reserve(size);
  size_ = size;
}

void Buffer::ShrinkToFit() {
  if (pool_ == nullptr || size_ == capacity_) return;
  data_ = pool_->Reallocate(data_, capacity_, size_);
  capacity_ = size_;
}

}  // namespace tessera::memory
