#include "tessera/io/parquet/encoding.hpp"

#include <algorithm>
#include <cstring>

#include "tessera/base/error.hpp"

namespace tessera::io::parquet {
namespace {

// Reads `bit_width` (<= 57) bits starting at bit `bit_index` of [data, end), loading only
// bytes inside the range.
inline uint64_t ReadBits(const uint8_t* data, const uint8_t* end, uint64_t bit_index,
                         int bit_width) {
  const uint8_t* p = data + (bit_index >> 3);
  uint64_t word = 0;
  const int64_t available = end - p;
  if (available >= 8) {
    std::memcpy(&word, p, 8);
  } else if (available > 0) {
    std::memcpy(&word, p, size_t(available));
  }
  const uint64_t mask = bit_width == 64 ? ~uint64_t{0} : (uint64_t{1} << bit_width) - 1;
  return (word >> (bit_index & 7)) & mask;
}

}  // namespace

uint64_t ReadUleb128(const uint8_t*& data, const uint8_t* end) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (data >= end) throw ParseError("varint runs past the end of the page");
    const uint8_t byte = *data++;
    value |= uint64_t(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  throw ParseError("varint longer than 10 bytes");
}

int BitWidth(uint64_t max_value) { return max_value == 0 ? 0 : 64 - __builtin_clzll(max_value); }

RleBitPackedDecoder::RleBitPackedDecoder(const uint8_t* data, int64_t size, int bit_width)
    : data_(data), end_(data + size), bit_width_(bit_width) {
  if (bit_width < 0 || bit_width > 32) {
    throw ParseError("RLE bit width " + std::to_string(bit_width) + " is outside 0..32");
  }
}

bool RleBitPackedDecoder::NextRun() {
  if (data_ >= end_) return false;
  const uint64_t header = ReadUleb128(data_, end_);
  if (header & 1) {
    // Bit-packed groups of 8; the final group may be cut short by the end of the data.
    const uint64_t groups = header >> 1;
    const int64_t bytes = int64_t(std::min<uint64_t>(groups * uint64_t(bit_width_), uint64_t(end_ - data_)));
    is_packed_ = true;
    packed_ = data_;
    packed_end_ = data_ + bytes;
    packed_index_ = 0;
    remaining_ = bit_width_ == 0 ? int64_t(std::min<uint64_t>(groups * 8, uint64_t(1) << 40))
                                 : bytes * 8 / bit_width_;
    data_ += bytes;
  } else {
    const int bytes = (bit_width_ + 7) / 8;
    if (end_ - data_ < bytes) throw ParseError("RLE run value runs past the end of the page");
    uint64_t value = 0;
    std::memcpy(&value, data_, size_t(bytes));
    data_ += bytes;
    is_packed_ = false;
    repeated_value_ = value;
    remaining_ = int64_t(std::min<uint64_t>(header >> 1, uint64_t(1) << 40));
  }
  return true;
}

template <typename T>
void RleBitPackedDecoder::Decode(T* out, int64_t count) {
  while (count > 0) {
    if (remaining_ == 0 && !NextRun()) {
      throw ParseError("RLE data ends " + std::to_string(count) + " values early");
    }
    const int64_t n = std::min(count, remaining_);
    if (is_packed_) {
      uint64_t bit = uint64_t(packed_index_) * uint64_t(bit_width_);
      for (int64_t i = 0; i < n; ++i, bit += uint64_t(bit_width_)) {
        out[i] = T(ReadBits(packed_, packed_end_, bit, bit_width_));
      }
      packed_index_ += n;
    } else {
      std::fill(out, out + n, T(repeated_value_));
    }
    out += n;
    count -= n;
    remaining_ -= n;
  }
}

template void RleBitPackedDecoder::Decode<uint8_t>(uint8_t*, int64_t);
template void RleBitPackedDecoder::Decode<uint32_t>(uint32_t*, int64_t);

DeltaBinaryPackedDecoder::DeltaBinaryPackedDecoder(const uint8_t* data, int64_t size)
    : data_(data), end_(data + size) {
  block_size_ = ReadUleb128(data_, end_);
  miniblocks_per_block_ = ReadUleb128(data_, end_);
  const uint64_t total = ReadUleb128(data_, end_);
  const uint64_t first = ReadUleb128(data_, end_);
  if (block_size_ == 0 || block_size_ % 128 != 0 || miniblocks_per_block_ == 0 ||
      block_size_ % miniblocks_per_block_ != 0 ||
      (block_size_ / miniblocks_per_block_) % 32 != 0 || block_size_ > (1u << 20)) {
    throw ParseError("DELTA_BINARY_PACKED header has an invalid block size " +
                     std::to_string(block_size_) + " with " +
                     std::to_string(miniblocks_per_block_) + " miniblocks");
  }
  if (total > (uint64_t(1) << 40)) throw ParseError("DELTA_BINARY_PACKED value count is too large");
  values_per_miniblock_ = block_size_ / miniblocks_per_block_;
  total_count_ = int64_t(total);
  last_value_ = (first >> 1) ^ (~(first & 1) + 1);  // zigzag
}

void DeltaBinaryPackedDecoder::StartBlock() {
  const uint64_t zigzag = ReadUleb128(data_, end_);
  min_delta_ = (zigzag >> 1) ^ (~(zigzag & 1) + 1);
  if (uint64_t(end_ - data_) < miniblocks_per_block_) {
    throw ParseError("DELTA_BINARY_PACKED block header runs past the end of the page");
  }
  bit_widths_.assign(data_, data_ + miniblocks_per_block_);
  data_ += miniblocks_per_block_;
  miniblock_index_ = 0;
}

void DeltaBinaryPackedDecoder::StartMiniblock() {
  if (miniblock_index_ == 0 || miniblock_index_ == miniblocks_per_block_) StartBlock();
  bit_width_ = bit_widths_[miniblock_index_++];
  if (bit_width_ > 64) throw ParseError("DELTA_BINARY_PACKED bit width is above 64");
  // The last miniblock holding values may be cut short by the end of the page.
  const uint64_t bytes = std::min<uint64_t>(values_per_miniblock_ * uint64_t(bit_width_) / 8,
                                            uint64_t(end_ - data_));
  miniblock_data_ = data_;
  data_ += bytes;
  miniblock_remaining_ = values_per_miniblock_;
  miniblock_position_ = 0;
}

template <typename T>
void DeltaBinaryPackedDecoder::Decode(T* out, int64_t count) {
  if (count > total_count_ - decoded_) {
    throw ParseError("DELTA_BINARY_PACKED run holds " + std::to_string(total_count_) +
                     " values, fewer than the page needs");
  }
  int64_t i = 0;
  if (decoded_ == 0 && count > 0) {
    out[i++] = T(last_value_);
    ++decoded_;
  }
  for (; i < count; ++i, ++decoded_) {
    if (miniblock_remaining_ == 0) StartMiniblock();
    uint64_t packed = 0;
    if (bit_width_ > 0) {
      const uint64_t bit = miniblock_position_ * uint64_t(bit_width_);
      const uint8_t* miniblock_end = data_;
      if (bit_width_ <= 56) {
        packed = ReadBits(miniblock_data_, miniblock_end, bit, bit_width_);
      } else {  // wide deltas span up to 9 bytes: read them in two parts
        const uint64_t low = ReadBits(miniblock_data_, miniblock_end, bit, 32);
        const uint64_t high = ReadBits(miniblock_data_, miniblock_end, bit + 32, bit_width_ - 32);
        packed = low | (high << 32);
      }
    }
    ++miniblock_position_;
    --miniblock_remaining_;
    last_value_ += min_delta_ + packed;
    out[i] = T(last_value_);
  }
}

template void DeltaBinaryPackedDecoder::Decode<int32_t>(int32_t*, int64_t);
template void DeltaBinaryPackedDecoder::Decode<int64_t>(int64_t*, int64_t);

void EncodeRleBitPacked(const uint32_t* values, int64_t count, int bit_width, std::string* out) {
  auto put_varint = [out](uint64_t v) {
    while (v >= 0x80) {
      out->push_back(char(uint8_t(v) | 0x80));
      v >>= 7;
    }
    out->push_back(char(v));
  };
  const int value_bytes = (bit_width + 7) / 8;
  int64_t i = 0;
  while (i < count) {
    int64_t run = 1;
    while (i + run < count && values[i + run] == values[i]) ++run;
    if (run >= 8 || i + run == count) {
      put_varint(uint64_t(run) << 1);
      const uint32_t v = values[i];
      for (int b = 0; b < value_bytes; ++b) out->push_back(char(uint8_t(v >> (8 * b))));
      i += run;
      continue;
    }
    // A bit-packed stretch up to the next run of 8 equal values, in whole groups of 8.
    int64_t end = i;
    while (end < count) {
      int64_t same = 1;
      while (end + same < count && values[end + same] == values[end] && same < 8) ++same;
      if (same >= 8) break;
      end += same;
    }
    const int64_t groups = std::min<int64_t>((end - i + 7) / 8, 63);
    put_varint((uint64_t(groups) << 1) | 1);
    const size_t start = out->size();
    out->resize(start + size_t(groups * bit_width), '\0');
    auto* packed = reinterpret_cast<uint8_t*>(out->data() + start);
    const int64_t n = std::min(groups * 8, count - i);
    for (int64_t k = 0; k < n; ++k) {
      const uint64_t bit = uint64_t(k) * uint64_t(bit_width);
      for (int b = 0; b < bit_width; ++b) {
        if ((values[i + k] >> b) & 1) packed[(bit + uint64_t(b)) >> 3] |= uint8_t(1u << ((bit + uint64_t(b)) & 7));
      }
    }
    i += n;
  }
}

void EncodePlainBooleans(const uint8_t* values, int64_t count, std::string* out) {
  const size_t start = out->size();
  out->resize(start + size_t((count + 7) / 8), '\0');
  auto* bits = reinterpret_cast<uint8_t*>(out->data() + start);
  for (int64_t i = 0; i < count; ++i) {
    if (values[i]) bits[i >> 3] |= uint8_t(1u << (i & 7));
  }
}

}  // namespace tessera::io::parquet
