// Decoders and encoders of Parquet's value and level encodings, over raw page bytes. They know
// nothing of files or schemas: each reads a byte range and throws ParseError (with the caller's
// context added later) when the bytes run out or contradict themselves, so corrupt pages never
// read out of bounds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tessera::io::parquet {

/// The RLE / bit-packed hybrid encoding of levels, dictionary indices and RLE booleans.
class RleBitPackedDecoder {
 public:
  RleBitPackedDecoder(const uint8_t* data, int64_t size, int bit_width);
  /// Decodes the next `count` values into `out`; throws ParseError when the runs end first.
  template <typename T>
  void Decode(T* out, int64_t count);

 private:
  bool NextRun();

  const uint8_t* data_;
  const uint8_t* end_;
  int bit_width_;
  // The current run: `remaining_` values, either `repeated_value_` or bit-packed from `packed_`.
  int64_t remaining_ = 0;
  bool is_packed_ = false;
  uint64_t repeated_value_ = 0;
  const uint8_t* packed_ = nullptr;
  const uint8_t* packed_end_ = nullptr;
  int64_t packed_index_ = 0;
};

/// DELTA_BINARY_PACKED integers (INT32 values wrap in 32 bits, as the format defines).
class DeltaBinaryPackedDecoder {
 public:
  DeltaBinaryPackedDecoder(const uint8_t* data, int64_t size);
  int64_t total_count() const { return total_count_; }
  /// Decodes the next `count` values (at most total_count() in all).
  template <typename T>
  void Decode(T* out, int64_t count);
  /// The first byte after the values decoded so far (the whole encoded run once all are read).
  const uint8_t* position() const { return data_; }

 private:
  void StartBlock();
  void StartMiniblock();

  const uint8_t* data_;
  const uint8_t* end_;
  uint64_t block_size_ = 0;
  uint64_t miniblocks_per_block_ = 0;
  uint64_t values_per_miniblock_ = 0;
  int64_t total_count_ = 0;
  int64_t decoded_ = 0;
  uint64_t last_value_ = 0;
  uint64_t min_delta_ = 0;
  std::vector<uint8_t> bit_widths_;
  uint64_t miniblock_index_ = 0;      // within the current block
  uint64_t miniblock_remaining_ = 0;  // values left in the current miniblock
  const uint8_t* miniblock_data_ = nullptr;
  uint64_t miniblock_position_ = 0;
  int bit_width_ = 0;
};

/// Reads an unsigned LEB128 varint; throws ParseError past `end`.
uint64_t ReadUleb128(const uint8_t*& data, const uint8_t* end);
/// The number of bits needed for values up to `max_value`.
int BitWidth(uint64_t max_value);

/// Appends `count` values as an RLE / bit-packed hybrid run sequence of `bit_width` bits.
void EncodeRleBitPacked(const uint32_t* values, int64_t count, int bit_width, std::string* out);
/// Appends `count` bit-packed booleans (PLAIN BOOLEAN).
void EncodePlainBooleans(const uint8_t* values, int64_t count, std::string* out);

}  // namespace tessera::io::parquet
