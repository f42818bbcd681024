#include "tessera/base/byte_stream.hpp"

#include "tessera/base/error.hpp"

namespace tessera {

void ByteReader::Require(int64_t size, std::string_view what) const {
  if (size < 0 || size > remaining()) {
    throw IOError("serialised data is truncated or corrupt: " + std::string(what) + " needs " + std::to_string(size) +
                  " bytes, " + std::to_string(remaining()) + " remain");
  }
}

void StringReader::Read(void* dest, size_t size) {
  if (size > bytes_.size() - position_) {
    throw IOError("serialised data is truncated at byte " + std::to_string(position_) + " of " + std::to_string(bytes_.size()));
  }
  if (size > 0) std::memcpy(dest, bytes_.data() + position_, size);
  position_ += size;
}

}  // namespace tessera
