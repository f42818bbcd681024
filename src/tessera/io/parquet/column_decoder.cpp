#include "tessera/io/parquet/column_decoder.hpp"

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "tessera/base/bits.hpp"
#include "tessera/base/error.hpp"
#include "tessera/io/parquet/compression.hpp"
#include "tessera/io/parquet/encoding.hpp"
#include "tessera/io/parquet/thrift_serialization.hpp"
#include "tessera/memory/buffer.hpp"

namespace tessera::io::parquet {
namespace {

using format::Encoding;
using format::Type;

// A page larger than this is taken for corruption rather than allocated.
constexpr int64_t kMaxPageBytes = int64_t(1) << 30;
constexpr int64_t kJulianDayOfEpoch = 2440588;
constexpr int64_t kNanosPerDay = 86'400'000'000'000;

std::string EncodingName(Encoding::type encoding) {
  auto it = format::_Encoding_VALUES_TO_NAMES.find(int(encoding));
  return it == format::_Encoding_VALUES_TO_NAMES.end() ? "encoding " + std::to_string(int(encoding))
                                                       : it->second;
}

std::string TypeName(Type::type type) {
  auto it = format::_Type_VALUES_TO_NAMES.find(int(type));
  return it == format::_Type_VALUES_TO_NAMES.end() ? "type " + std::to_string(int(type)) : it->second;
}

uint32_t LoadLe32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Bytes per value of the types decoded into fixed-width buffers; 0 for byte arrays, fixed-length
// byte arrays and INT96, which are decoded as strings first.
int FixedWidth(Type::type type) {
  switch (type) {
    case Type::BOOLEAN: return 1;
    case Type::INT32:
    case Type::FLOAT: return 4;
    case Type::INT64:
    case Type::DOUBLE: return 8;
    default: return 0;
  }
}

// Sets bits [start, start + length) of a zeroed bitmap, whole bytes at a time in the middle.
void SetBitRange(uint8_t* bitmap, int64_t start, int64_t length) {
  int64_t i = start;
  const int64_t end = start + length;
  for (; i < end && (i & 7) != 0; ++i) bits::SetBit(bitmap, i);
  const int64_t whole = (end - i) / 8;
  std::memset(bitmap + i / 8, 0xff, size_t(whole));
  for (i += whole * 8; i < end; ++i) bits::SetBit(bitmap, i);
}

void Need(int64_t have, int64_t need, const char* what) {
  if (need < 0 || have < need) {
    throw ParseError(std::string(what) + " needs " + std::to_string(need) + " bytes but the page has " +
                     std::to_string(have));
  }
}

// Moves `count` values of `width` bytes, decoded densely at the start of `out`, to the slots
// whose level says they are present; the other slots get `null_fill`. Runs backwards, in place.
template <typename T>
void SpreadTyped(T* out, const uint8_t* levels, int64_t num_values, int64_t count, uint8_t max_level,
                 T null_fill) {
  int64_t j = count - 1;
  for (int64_t i = num_values - 1; i >= 0; --i) {
    out[i] = levels[i] == max_level ? out[j--] : null_fill;
  }
}

class ChunkDecoder {
 public:
  ChunkDecoder(const ColumnDescriptor& column, format::CompressionCodec::type codec, int64_t num_rows)
      : column_(column), codec_(codec), num_rows_(num_rows), width_(FixedWidth(column.physical)) {
    if (column.physical == Type::FIXED_LEN_BYTE_ARRAY && column.type_length <= 0) {
      throw ParseError("FIXED_LEN_BYTE_ARRAY column has no type_length");
    }
    if (width_ > 0) {
      values_ = memory::Buffer::Allocate(std::max<int64_t>(num_rows * width_, 1));
    } else {
      offsets_ = memory::Buffer::Allocate((num_rows + 1) * 8);
      offsets_->mutable_data_as<int64_t>()[0] = 0;
      data_ = memory::Buffer::Allocate(64);
    }
    if (column.max_definition_level > 0) {
      validity_ = memory::Buffer::AllocateZeroed(std::max<int64_t>(bits::BytesForBits(num_rows), 1));
    }
  }

  void DecodePages(const uint8_t* chunk, int64_t size) {
    int64_t pos = 0;
    while (rows_ < num_rows_) {
      if (pos >= size) {
        throw ParseError("column chunk ends after " + std::to_string(rows_) + " of " +
                         std::to_string(num_rows_) + " values");
      }
      format::PageHeader header;
      pos += ReadPageHeader(chunk + pos, size - pos, &header);
      const int64_t compressed = header.compressed_page_size;
      const int64_t uncompressed = header.uncompressed_page_size;
      if (compressed < 0 || compressed > size - pos || uncompressed < 0 || uncompressed > kMaxPageBytes) {
        throw ParseError("page of " + std::to_string(compressed) + " bytes at offset " +
                         std::to_string(pos) + " runs past the end of the column chunk");
      }
      const uint8_t* page = chunk + pos;
      pos += compressed;
      switch (header.type) {
        case format::PageType::DICTIONARY_PAGE: {
          if (!header.__isset.dictionary_page_header) throw ParseError("dictionary page without its header");
          const uint8_t* data = Decompressed(page, compressed, uncompressed);
          DecodeDictionary(header.dictionary_page_header, data, uncompressed);
          break;
        }
        case format::PageType::DATA_PAGE: {
          if (!header.__isset.data_page_header) throw ParseError("data page without its header");
          const auto& h = header.data_page_header;
          const int64_t num_values = CheckValueCount(h.num_values);
          const uint8_t* data = Decompressed(page, compressed, uncompressed);
          const uint8_t* end = data + (codec_ == format::CompressionCodec::UNCOMPRESSED ? compressed : uncompressed);
          int64_t present = num_values;
          if (column_.max_definition_level > 0) {
            if (h.definition_level_encoding != Encoding::RLE) {
              throw NotImplemented("definition levels in " + EncodingName(h.definition_level_encoding) +
                                   " are not supported");
            }
            Need(end - data, 4, "definition levels");
            const int64_t length = LoadLe32(data);
            Need(end - data - 4, length, "definition levels");
            present = DecodeLevels(data + 4, length, num_values);
            data += 4 + length;
          }
          DecodeValues(h.encoding, data, end - data, num_values, present);
          break;
        }
        case format::PageType::DATA_PAGE_V2: {
          if (!header.__isset.data_page_header_v2) throw ParseError("data page v2 without its header");
          const auto& h = header.data_page_header_v2;
          const int64_t num_values = CheckValueCount(h.num_values);
          const int64_t repetition = h.repetition_levels_byte_length;
          const int64_t definition = h.definition_levels_byte_length;
          if (repetition < 0 || definition < 0 || repetition + definition > compressed ||
              repetition + definition > uncompressed) {
            throw ParseError("data page v2 level lengths exceed the page");
          }
          int64_t present = num_values;
          if (column_.max_definition_level > 0) {
            present = DecodeLevels(page + repetition, definition, num_values);
          }
          const uint8_t* values = page + repetition + definition;
          const int64_t values_compressed = compressed - repetition - definition;
          int64_t values_size = uncompressed - repetition - definition;
          const bool is_compressed = !h.__isset.is_compressed || h.is_compressed;
          if (is_compressed && codec_ != format::CompressionCodec::UNCOMPRESSED) {
            values = Decompress(values, values_compressed, values_size);
          } else {
            values_size = values_compressed;
          }
          DecodeValues(h.encoding, values, values_size, num_values, present);
          break;
        }
        default:
          break;  // index pages and page types of later versions carry no values for us
      }
    }
  }

  ColumnPtr Finish();

  // Decodes `count` dense values of `encoding` (no levels) at the current row.
  void DecodeValues(Encoding::type encoding, const uint8_t* data, int64_t size, int64_t num_values,
                    int64_t present) {
    if (width_ > 0) {
      uint8_t* out = values_->mutable_data() + rows_ * width_;
      DecodeFixed(encoding, data, size, present, out);
      if (present < num_values) SpreadFixed(out, num_values, present);
    } else {
      page_ends_.clear();
      last_value_.clear();
      DecodeBytes(encoding, data, size, present);
      auto* offsets = offsets_->mutable_data_as<int64_t>() + rows_;
      if (present == num_values) {
        for (int64_t i = 0; i < num_values; ++i) offsets[i + 1] = page_ends_[size_t(i)];
      } else {
        int64_t j = 0;
        const uint8_t max_level = uint8_t(column_.max_definition_level);
        for (int64_t i = 0; i < num_values; ++i) {
          offsets[i + 1] = levels_[size_t(i)] == max_level ? page_ends_[size_t(j++)] : offsets[i];
        }
      }
    }
    rows_ += num_values;
  }

 private:
  int64_t CheckValueCount(int64_t num_values) {
    if (num_values < 0 || num_values > num_rows_ - rows_) {
      throw ParseError("a page holds " + std::to_string(num_values) + " values but only " +
                       std::to_string(num_rows_ - rows_) + " of the row group's rows remain");
    }
    return num_values;
  }

  const uint8_t* Decompress(const uint8_t* page, int64_t compressed, int64_t uncompressed) {
    if (uncompressed > scratch_capacity_) {
      scratch_.reset(new uint8_t[size_t(uncompressed)]);
      scratch_capacity_ = uncompressed;
    }
    parquet::Decompress(codec_, page, compressed, scratch_.get(), uncompressed);
    return scratch_.get();
  }

  const uint8_t* Decompressed(const uint8_t* page, int64_t compressed, int64_t uncompressed) {
    if (codec_ == format::CompressionCodec::UNCOMPRESSED) return page;
    return Decompress(page, compressed, uncompressed);
  }

  // Decodes the definition levels of a page into levels_, sets the validity bits and returns the
  // number of present values.
  int64_t DecodeLevels(const uint8_t* data, int64_t size, int64_t num_values) {
    levels_.resize(size_t(num_values));
    RleBitPackedDecoder(data, size, BitWidth(uint64_t(column_.max_definition_level)))
        .Decode(levels_.data(), num_values);
    const uint8_t max_level = uint8_t(column_.max_definition_level);
    uint8_t* validity = validity_->mutable_data();
    int64_t present = 0;
    for (int64_t i = 0; i < num_values; ++i) present += levels_[size_t(i)] == max_level;
    if (present == num_values) {
      SetBitRange(validity, rows_, num_values);  // the common case: no nulls in the page
    } else {
      for (int64_t i = 0; i < num_values; ++i) {
        if (levels_[size_t(i)] == max_level) bits::SetBit(validity, rows_ + i);
      }
    }
    null_count_ += num_values - present;
    return present;
  }

  void DecodeDictionary(const format::DictionaryPageHeader& header, const uint8_t* data, int64_t size) {
    if (header.encoding != Encoding::PLAIN && header.encoding != Encoding::PLAIN_DICTIONARY) {
      throw NotImplemented("dictionary page in " + EncodingName(header.encoding) + " is not supported");
    }
    if (header.num_values < 0) throw ParseError("dictionary page has a negative value count");
    const int64_t count = header.num_values;
    // Every PLAIN value takes at least a bit (a byte array at least its 4-byte length): a count
    // the page cannot hold is corrupt, and is refused before anything is sized by it.
    if (count > size * 8 || (width_ <= 0 && count > size / 4)) {
      throw ParseError("dictionary page claims " + std::to_string(count) + " values in " + std::to_string(size) + " bytes");
    }
    if (width_ > 0) {
      dictionary_fixed_.resize(size_t(std::max<int64_t>(count * width_, 1)));
      DecodeFixed(Encoding::PLAIN, data, size, count, dictionary_fixed_.data());
    } else {
      // Decode the entries with the byte-array decoder into a separate store.
      std::swap(page_ends_, dictionary_ends_);
      page_ends_.clear();
      auto saved_data = data_;
      const int64_t saved_size = data_size_;
      data_ = memory::Buffer::Allocate(std::max<int64_t>(size, 64));
      data_size_ = 0;
      last_value_.clear();
      DecodeBytes(Encoding::PLAIN, data, size, count);
      dictionary_data_ = data_;
      std::swap(page_ends_, dictionary_ends_);
      data_ = saved_data;
      data_size_ = saved_size;
    }
    dictionary_count_ = count;
    has_dictionary_ = true;
  }

  void DecodeIndices(const uint8_t* data, int64_t size, int64_t count) {
    if (!has_dictionary_) throw ParseError("dictionary-encoded page without a dictionary page");
    Need(size, 1, "dictionary indices");
    indices_.resize(size_t(count));
    RleBitPackedDecoder(data + 1, size - 1, data[0]).Decode(indices_.data(), count);
    for (int64_t i = 0; i < count; ++i) {
      if (indices_[size_t(i)] >= uint64_t(dictionary_count_)) {
        throw ParseError("dictionary index " + std::to_string(indices_[size_t(i)]) +
                         " is past the dictionary's " + std::to_string(dictionary_count_) + " entries");
      }
    }
  }

  void DecodeFixed(Encoding::type encoding, const uint8_t* data, int64_t size, int64_t count, uint8_t* out) {
    switch (encoding) {
      case Encoding::PLAIN:
        if (column_.physical == Type::BOOLEAN) {
          Need(size, (count + 7) / 8, "PLAIN booleans");
          for (int64_t i = 0; i < count; ++i) out[i] = bits::GetBit(data, i);
        } else {
          Need(size, count * width_, "PLAIN values");
          std::memcpy(out, data, size_t(count * width_));
        }
        return;
      case Encoding::PLAIN_DICTIONARY:
      case Encoding::RLE_DICTIONARY:
        DecodeIndices(data, size, count);
        switch (width_) {
          case 1: Gather(reinterpret_cast<uint8_t*>(out), count); return;
          case 4: Gather(reinterpret_cast<uint32_t*>(out), count); return;
          default: Gather(reinterpret_cast<uint64_t*>(out), count); return;
        }
      case Encoding::RLE:
        if (column_.physical == Type::BOOLEAN) {
          Need(size, 4, "RLE booleans");
          const int64_t length = LoadLe32(data);
          Need(size - 4, length, "RLE booleans");
          RleBitPackedDecoder(data + 4, length, 1).Decode(out, count);
          return;
        }
        break;
      case Encoding::DELTA_BINARY_PACKED:
        if (column_.physical == Type::INT32) {
          DeltaBinaryPackedDecoder(data, size).Decode(reinterpret_cast<int32_t*>(out), count);
          return;
        }
        if (column_.physical == Type::INT64) {
          DeltaBinaryPackedDecoder(data, size).Decode(reinterpret_cast<int64_t*>(out), count);
          return;
        }
        break;
      case Encoding::BYTE_STREAM_SPLIT:
        if (column_.physical != Type::BOOLEAN) {
          Need(size, count * width_, "BYTE_STREAM_SPLIT values");
          for (int b = 0; b < width_; ++b) {
            const uint8_t* stream = data + b * count;
            for (int64_t i = 0; i < count; ++i) out[i * width_ + b] = stream[i];
          }
          return;
        }
        break;
      default:
        break;
    }
    throw NotImplemented(EncodingName(encoding) + " encoding of " + TypeName(column_.physical) +
                         " values is not supported");
  }

  template <typename T>
  void Gather(T* out, int64_t count) {
    const T* dictionary = reinterpret_cast<const T*>(dictionary_fixed_.data());
    for (int64_t i = 0; i < count; ++i) out[i] = dictionary[indices_[size_t(i)]];
  }

  void SpreadFixed(uint8_t* out, int64_t num_values, int64_t present) {
    const uint8_t max_level = uint8_t(column_.max_definition_level);
    switch (column_.physical) {
      case Type::BOOLEAN:
        SpreadTyped<uint8_t>(out, levels_.data(), num_values, present, max_level, 0);
        return;
      case Type::INT32:
        SpreadTyped<int32_t>(reinterpret_cast<int32_t*>(out), levels_.data(), num_values, present, max_level, 0);
        return;
      case Type::FLOAT:
        SpreadTyped<float>(reinterpret_cast<float*>(out), levels_.data(), num_values, present, max_level,
                           std::nanf(""));
        return;
      case Type::DOUBLE:
        SpreadTyped<double>(reinterpret_cast<double*>(out), levels_.data(), num_values, present, max_level,
                            std::nan(""));
        return;
      default:
        SpreadTyped<int64_t>(reinterpret_cast<int64_t*>(out), levels_.data(), num_values, present, max_level, 0);
        return;
    }
  }

  void Append(const uint8_t* bytes, int64_t length) {
    if (data_size_ + length > data_->capacity()) {
      data_->Reserve(std::max(data_size_ + length, data_->capacity() * 2));
    }
    std::memcpy(data_->mutable_data() + data_size_, bytes, size_t(length));
    data_size_ += length;
    page_ends_.push_back(data_size_);
  }

  void DecodeBytes(Encoding::type encoding, const uint8_t* data, int64_t size, int64_t count) {
    const bool fixed = column_.physical != Type::BYTE_ARRAY;
    const int64_t fixed_length = column_.physical == Type::INT96 ? 12 : column_.type_length;
    page_ends_.reserve(size_t(count));
    switch (encoding) {
      case Encoding::PLAIN: {
        if (fixed) {
          Need(size, count * fixed_length, "PLAIN fixed-length values");
          data_->Reserve(data_size_ + count * fixed_length);
          for (int64_t i = 0; i < count; ++i) Append(data + i * fixed_length, fixed_length);
          return;
        }
        data_->Reserve(data_size_ + size);
        const uint8_t* end = data + size;
        for (int64_t i = 0; i < count; ++i) {
          Need(end - data, 4, "PLAIN string length");
          const int64_t length = LoadLe32(data);
          Need(end - data - 4, length, "PLAIN string");
          Append(data + 4, length);
          data += 4 + length;
        }
        return;
      }
      case Encoding::PLAIN_DICTIONARY:
      case Encoding::RLE_DICTIONARY: {
        DecodeIndices(data, size, count);
        const uint8_t* dictionary = dictionary_data_->data();
        for (int64_t i = 0; i < count; ++i) {
          const uint32_t index = indices_[size_t(i)];
          const int64_t begin = index == 0 ? 0 : dictionary_ends_[index - 1];
          Append(dictionary + begin, dictionary_ends_[index] - begin);
        }
        return;
      }
      case Encoding::DELTA_LENGTH_BYTE_ARRAY: {
        if (fixed) break;
        DeltaBinaryPackedDecoder lengths(data, size);
        lengths_.resize(size_t(count));
        lengths.Decode(lengths_.data(), count);
        const uint8_t* bytes = lengths.position();
        const uint8_t* end = data + size;
        for (int64_t i = 0; i < count; ++i) {
          const int64_t length = lengths_[size_t(i)];
          Need(end - bytes, length, "DELTA_LENGTH_BYTE_ARRAY string");
          Append(bytes, length);
          bytes += length;
        }
        return;
      }
      case Encoding::DELTA_BYTE_ARRAY: {
        DeltaBinaryPackedDecoder prefixes(data, size);
        prefix_lengths_.resize(size_t(count));
        prefixes.Decode(prefix_lengths_.data(), count);
        const uint8_t* suffix_start = prefixes.position();
        const uint8_t* end = data + size;
        DeltaBinaryPackedDecoder suffixes(suffix_start, end - suffix_start);
        lengths_.resize(size_t(count));
        suffixes.Decode(lengths_.data(), count);
        const uint8_t* bytes = suffixes.position();
        for (int64_t i = 0; i < count; ++i) {
          const int64_t prefix = prefix_lengths_[size_t(i)];
          const int64_t length = lengths_[size_t(i)];
          if (prefix < 0 || prefix > int64_t(last_value_.size())) {
            throw ParseError("DELTA_BYTE_ARRAY prefix of " + std::to_string(prefix) +
                             " bytes is longer than the previous value");
          }
          Need(end - bytes, length, "DELTA_BYTE_ARRAY suffix");
          last_value_.resize(size_t(prefix));
          last_value_.append(reinterpret_cast<const char*>(bytes), size_t(length));
          bytes += length;
          if (fixed && int64_t(last_value_.size()) != fixed_length) {
            throw ParseError("DELTA_BYTE_ARRAY value has the wrong length for its fixed-length column");
          }
          Append(reinterpret_cast<const uint8_t*>(last_value_.data()), int64_t(last_value_.size()));
        }
        return;
      }
      case Encoding::BYTE_STREAM_SPLIT: {
        if (!fixed) break;
        Need(size, count * fixed_length, "BYTE_STREAM_SPLIT values");
        last_value_.resize(size_t(fixed_length));
        for (int64_t i = 0; i < count; ++i) {
          for (int64_t b = 0; b < fixed_length; ++b) last_value_[size_t(b)] = char(data[b * count + i]);
          Append(reinterpret_cast<const uint8_t*>(last_value_.data()), fixed_length);
        }
        return;
      }
      default:
        break;
    }
    throw NotImplemented(EncodingName(encoding) + " encoding of " + TypeName(column_.physical) +
                         " values is not supported");
  }

  ColumnPtr FinishBytes(BufferPtr validity);

  const ColumnDescriptor& column_;
  format::CompressionCodec::type codec_;
  int64_t num_rows_;
  int width_;
  int64_t rows_ = 0;
  int64_t null_count_ = 0;

  std::shared_ptr<memory::Buffer> values_;    // fixed-width values
  std::shared_ptr<memory::Buffer> offsets_;   // byte arrays: num_rows + 1 offsets into data_
  std::shared_ptr<memory::Buffer> data_;      // byte arrays: the bytes
  int64_t data_size_ = 0;
  std::shared_ptr<memory::Buffer> validity_;

  std::unique_ptr<uint8_t[]> scratch_;
  int64_t scratch_capacity_ = 0;
  std::vector<uint8_t> levels_;
  std::vector<uint32_t> indices_;
  std::vector<int64_t> page_ends_;
  std::vector<int32_t> lengths_;
  std::vector<int32_t> prefix_lengths_;
  std::string last_value_;

  bool has_dictionary_ = false;
  int64_t dictionary_count_ = 0;
  std::vector<uint8_t> dictionary_fixed_;
  std::vector<int64_t> dictionary_ends_;
  std::shared_ptr<memory::Buffer> dictionary_data_;
};

// A big-endian two's complement integer of `length` bytes as a double.
double BigEndianToDouble(const uint8_t* bytes, int64_t length) {
  if (length == 0) return 0;
  if (length <= 8) {
    int64_t v = (bytes[0] & 0x80) ? -1 : 0;
    for (int64_t i = 0; i < length; ++i) v = int64_t(uint64_t(v) << 8) | bytes[i];
    return double(v);
  }
  // Wider decimals: accumulate the magnitude of the two's complement value.
  const bool negative = bytes[0] & 0x80;
  double v = 0;
  int carry = 1;
  std::vector<uint8_t> magnitude(bytes, bytes + length);
  if (negative) {
    for (int64_t i = length - 1; i >= 0; --i) {
      const int sum = int(uint8_t(~magnitude[size_t(i)])) + carry;
      magnitude[size_t(i)] = uint8_t(sum);
      carry = sum >> 8;
    }
  }
  for (uint8_t b : magnitude) v = v * 256 + b;
  return negative ? -v : v;
}

float HalfToFloat(uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  float value;
  if (exponent == 0) {
    value = std::ldexp(float(mantissa), -24);
  } else if (exponent == 31) {
    value = mantissa ? std::nanf("") : INFINITY;
  } else {
    value = std::ldexp(float(mantissa | 0x400), exponent - 25);
  }
  return (h & 0x8000) ? -value : value;
}

ColumnPtr ChunkDecoder::FinishBytes(BufferPtr validity) {
  const int64_t n = num_rows_;
  const auto* offsets = offsets_->data_as<int64_t>();
  const uint8_t* data = data_->data();
  auto is_valid = [&](int64_t i) { return validity == nullptr || bits::GetBit(validity->data(), i); };
  if (column_.decimal_scale >= 0 || column_.float16) {
    auto out = memory::Buffer::Allocate(std::max<int64_t>(n * 8, 1));
    const double scale = std::pow(10.0, column_.decimal_scale);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t length = offsets[i + 1] - offsets[i];
      double v = std::nan("");
      if (is_valid(i)) {
        if (column_.float16) {
          if (length != 2) throw ParseError("FLOAT16 value is not 2 bytes");
          v = HalfToFloat(uint16_t(data[offsets[i]] | (data[offsets[i] + 1] << 8)));
        } else {
          v = BigEndianToDouble(data + offsets[i], length) / scale;
        }
      }
      if (column_.float16) {
        out->mutable_data_as<float>()[i] = float(v);
      } else {
        out->mutable_data_as<double>()[i] = v;
      }
    }
    if (column_.float16) out->Resize(std::max<int64_t>(n * 4, 1));
    return Column::Make(column_.type, n, std::move(out), std::move(validity), null_count_);
  }
  if (column_.physical == Type::INT96) {
    auto out = memory::Buffer::Allocate(std::max<int64_t>(n * 8, 1));
    auto* ticks = out->mutable_data_as<int64_t>();
    for (int64_t i = 0; i < n; ++i) {
      if (!is_valid(i) || offsets[i + 1] - offsets[i] != 12) {
        ticks[i] = 0;
        continue;
      }
      int64_t nanos;
      int32_t julian_day;
      std::memcpy(&nanos, data + offsets[i], 8);
      std::memcpy(&julian_day, data + offsets[i] + 8, 4);
      ticks[i] = (int64_t(julian_day) - kJulianDayOfEpoch) * kNanosPerDay + nanos;
    }
    return Column::Make(column_.type, n, std::move(out), std::move(validity), null_count_);
  }
  data_->Resize(data_size_);
  return Column::Make(types::String(), n, std::move(data_), std::move(validity), null_count_,
                      std::move(offsets_));
}

// Copies int32 values into a narrower integer type (the file's logical type says they fit).
template <typename T>
BufferPtr Narrow(const int32_t* values, int64_t n) {
  auto out = memory::Buffer::Allocate(std::max<int64_t>(n * int64_t(sizeof(T)), 1));
  T* dest = out->mutable_data_as<T>();
  for (int64_t i = 0; i < n; ++i) dest[i] = T(values[i]);
  return out;
}

template <typename T>
BufferPtr DecimalToDouble(const T* values, int64_t n, int scale, const uint8_t* validity) {
  auto out = memory::Buffer::Allocate(std::max<int64_t>(n * 8, 1));
  const double divisor = std::pow(10.0, scale);
  double* dest = out->mutable_data_as<double>();
  for (int64_t i = 0; i < n; ++i) {
    dest[i] = validity && !bits::GetBit(validity, i) ? std::nan("") : double(values[i]) / divisor;
  }
  return out;
}

ColumnPtr ChunkDecoder::Finish() {
  BufferPtr validity = null_count_ > 0 ? BufferPtr(validity_) : nullptr;
  if (width_ == 0) return FinishBytes(std::move(validity));
  const int64_t n = num_rows_;
  const uint8_t* valid_bits = validity ? validity->data() : nullptr;
  BufferPtr values = values_;
  if (column_.decimal_scale >= 0) {
    values = column_.physical == Type::INT32
                 ? DecimalToDouble(values_->data_as<int32_t>(), n, column_.decimal_scale, valid_bits)
                 : DecimalToDouble(values_->data_as<int64_t>(), n, column_.decimal_scale, valid_bits);
  } else if (column_.physical == Type::INT32) {
    const int32_t* v = values_->data_as<int32_t>();
    switch (column_.type.id()) {
      case TypeId::kInt8: values = Narrow<int8_t>(v, n); break;
      case TypeId::kInt16: values = Narrow<int16_t>(v, n); break;
      case TypeId::kUInt8: values = Narrow<uint8_t>(v, n); break;
      case TypeId::kUInt16: values = Narrow<uint16_t>(v, n); break;
      case TypeId::kDuration: {  // TIME(MILLIS) is an int32 of milliseconds
        auto wide = memory::Buffer::Allocate(std::max<int64_t>(n * 8, 1));
        for (int64_t i = 0; i < n; ++i) wide->mutable_data_as<int64_t>()[i] = v[i];
        values = wide;
        break;
      }
      default: break;
    }
  }
  return Column::Make(column_.type, n, std::move(values), std::move(validity), null_count_);
}

}  // namespace

ColumnPtr DecodeColumnChunk(const ColumnDescriptor& column, const format::ColumnMetaData& metadata,
                            const uint8_t* chunk, int64_t chunk_size, int64_t num_rows) {
  ChunkDecoder decoder(column, metadata.codec, num_rows);
  decoder.DecodePages(chunk, chunk_size);
  return decoder.Finish();
}

ColumnPtr DecodePlainValue(const ColumnDescriptor& column, const std::string& bytes) {
  ColumnDescriptor required = column;
  required.max_definition_level = 0;
  ChunkDecoder decoder(required, format::CompressionCodec::UNCOMPRESSED, 1);
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (column.physical == Type::BYTE_ARRAY) {
    // Statistics store byte arrays without PLAIN's length prefix.
    std::string prefixed(4, '\0');
    const uint32_t length = uint32_t(bytes.size());
    std::memcpy(prefixed.data(), &length, 4);
    prefixed += bytes;
    decoder.DecodeValues(Encoding::PLAIN, reinterpret_cast<const uint8_t*>(prefixed.data()),
                         int64_t(prefixed.size()), 1, 1);
  } else {
    decoder.DecodeValues(Encoding::PLAIN, data, int64_t(bytes.size()), 1, 1);
  }
  return decoder.Finish();
}

}  // namespace tessera::io::parquet
