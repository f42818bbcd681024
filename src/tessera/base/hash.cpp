#include "tessera/base/hash.hpp"

#include <xxhash.h>

namespace tessera {

uint64_t HashBytes(const void* data, size_t size, uint64_t seed) {
  return XXH3_64bits_withSeed(data, size, seed);
}

}  // namespace tessera
