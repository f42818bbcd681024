#include "tessera/memory/buffer.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace tessera::memory {

TEST(BufferTest, AlignedAndAccounted) {
  MemoryPool pool;
  {
    auto buffer = Buffer::Allocate(1000, &pool);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer->data()) % kAlignment, 0u);
    EXPECT_EQ(pool.bytes_allocated(), 1000);
    std::memset(buffer->mutable_data(), 7, 1000);
    buffer->Resize(5000);
    EXPECT_EQ(buffer->data()[999], 7);
    EXPECT_GE(pool.bytes_allocated(), 5000);
    buffer->ShrinkToFit();
    EXPECT_EQ(pool.bytes_allocated(), 5000);
  }
  EXPECT_EQ(pool.bytes_allocated(), 0);
  EXPECT_GE(pool.peak_bytes_allocated(), 5000);
}

TEST(BufferTest, ZeroSizeAndCopies) {
  MemoryPool pool;
  auto empty = Buffer::Allocate(0, &pool);
  EXPECT_NE(empty->data(), nullptr);
  EXPECT_EQ(pool.bytes_allocated(), 0);
  const char text[] = "hello";
  auto copy = Buffer::CopyOf(text, 5, &pool);
  EXPECT_EQ(std::memcmp(copy->data(), "hello", 5), 0);
  auto zeroed = Buffer::AllocateZeroed(16, &pool);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(zeroed->data()[i], 0);
}

TEST(BufferTest, WrapKeepsOwnerAliveAndIsNotCounted) {
  MemoryPool pool;
  auto owner = std::make_shared<std::vector<uint8_t>>(10, 3);
  auto wrapped = Buffer::Wrap(owner->data(), 10, owner);
  std::weak_ptr<std::vector<uint8_t>> weak = owner;
  owner.reset();
  EXPECT_FALSE(weak.expired());
  EXPECT_EQ(wrapped->data()[9], 3);
  EXPECT_EQ(pool.bytes_allocated(), 0);
}

}  // namespace tessera::memory
