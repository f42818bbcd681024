// Hashing of raw bytes and fixed-width values (xxHash3), used by hash partitioning and group-by.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tessera {

uint64_t HashBytes(const void* data, size_t size, uint64_t seed = 0);

/// Cheap, well-mixed hash of one 64-bit value (the xxHash3 avalanche on a single word).
inline uint64_t HashInt64(uint64_t value, uint64_t seed = 0) {
  uint64_t h = value ^ (seed + 0x9E3779B97F4A7C15ull);
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

/// Combines a running row hash with the hash of the next column's value.
inline uint64_t HashCombine(uint64_t seed, uint64_t value) {
  return seed ^ (value + 0x9E3779B97F4A7C15ull + (seed << 6) + (seed >> 2));
}

}  // namespace tessera
