// Parquet's level and value encodings against the worked examples of the format specification
// and against the encoder, plus corrupt input that must raise ParseError.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/base/error.hpp"
#include "tessera/io/parquet/compression.hpp"
#include "tessera/io/parquet/encoding.hpp"

namespace tessera::io::parquet {
namespace {

TEST(ParquetRle, DecodesABitPackedRunOfTheSpecification) {
  // 0..7 at 3 bits: one group of 8, header (1 << 1) | 1.
  const std::vector<uint8_t> bytes = {0x03, 0x88, 0xC6, 0xFA};
  std::vector<uint32_t> out(8);
  RleBitPackedDecoder(bytes.data(), int64_t(bytes.size()), 3).Decode(out.data(), 8);
  EXPECT_EQ(out, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(ParquetRle, DecodesRepeatedRunsAcrossCalls) {
  // 100 x 5 then 3 x 1 at 3 bits.
  const std::vector<uint8_t> bytes = {0xC8, 0x01, 0x05, 0x06, 0x01};
  RleBitPackedDecoder decoder(bytes.data(), int64_t(bytes.size()), 3);
  std::vector<uint8_t> out(103);
  decoder.Decode(out.data(), 60);
  decoder.Decode(out.data() + 60, 43);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(out[size_t(i)], 5) << i;
  EXPECT_EQ(out[100], 1);
  EXPECT_EQ(out[102], 1);
}

TEST(ParquetRle, RoundTripsTheEncoderAtEveryWidth) {
  for (int width : {1, 2, 5, 8, 13, 20, 32}) {
    std::vector<uint32_t> values;
    const uint64_t mask = width == 32 ? 0xffffffffu : (uint64_t{1} << width) - 1;
    for (int i = 0; i < 1000; ++i) {
      // Runs and noise mixed, so both run kinds appear.
      values.push_back(uint32_t((i / 37) % 3 == 0 ? 7 & mask : (uint64_t(i) * 2654435761u) & mask));
    }
    std::string encoded;
    EncodeRleBitPacked(values.data(), int64_t(values.size()), width, &encoded);
    std::vector<uint32_t> decoded(values.size());
    RleBitPackedDecoder(reinterpret_cast<const uint8_t*>(encoded.data()), int64_t(encoded.size()), width)
        .Decode(decoded.data(), int64_t(decoded.size()));
    EXPECT_EQ(decoded, values) << "width " << width;
  }
}

TEST(ParquetRle, RaisesWhenTheRunsEndEarly) {
  const std::vector<uint8_t> bytes = {0x06, 0x01};  // 3 x 1
  std::vector<uint32_t> out(4);
  RleBitPackedDecoder decoder(bytes.data(), int64_t(bytes.size()), 1);
  EXPECT_THROW(decoder.Decode(out.data(), 4), ParseError);
  const std::vector<uint8_t> value_cut = {0x06};
  EXPECT_THROW(RleBitPackedDecoder(value_cut.data(), 1, 8).Decode(out.data(), 1), ParseError);
}

TEST(ParquetDeltaBinaryPacked, DecodesTheSpecificationsFirstExample) {
  // 1, 2, 3, 4, 5: block 128, 4 miniblocks, 5 values, first 1; min delta 1, widths 0.
  const std::vector<uint8_t> bytes = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0};
  DeltaBinaryPackedDecoder decoder(bytes.data(), int64_t(bytes.size()));
  ASSERT_EQ(decoder.total_count(), 5);
  std::vector<int64_t> out(5);
  decoder.Decode(out.data(), 5);
  EXPECT_EQ(out, (std::vector<int64_t>{1, 2, 3, 4, 5}));
}

TEST(ParquetDeltaBinaryPacked, DecodesTheSpecificationsSecondExample) {
  // 7, 5, 3, 1, 2, 3, 4, 5: min delta -2, relative deltas 0 0 0 3 3 3 3 at 2 bits.
  std::vector<uint8_t> bytes = {0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0, 0, 0, 0xC0, 0x3F};
  bytes.resize(bytes.size() + 6, 0);  // the rest of the 32-value miniblock
  DeltaBinaryPackedDecoder decoder(bytes.data(), int64_t(bytes.size()));
  std::vector<int32_t> out(8);
  decoder.Decode(out.data(), 3);
  decoder.Decode(out.data() + 3, 5);
  EXPECT_EQ(out, (std::vector<int32_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  EXPECT_EQ(decoder.position(), bytes.data() + bytes.size());
}

TEST(ParquetDeltaBinaryPacked, RejectsBadHeadersAndOverreads) {
  const std::vector<uint8_t> bad_block = {0x07, 0x04, 0x05, 0x02};
  EXPECT_THROW(DeltaBinaryPackedDecoder(bad_block.data(), int64_t(bad_block.size())), ParseError);
  const std::vector<uint8_t> bytes = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0};
  DeltaBinaryPackedDecoder decoder(bytes.data(), int64_t(bytes.size()));
  std::vector<int64_t> out(6);
  EXPECT_THROW(decoder.Decode(out.data(), 6), ParseError);
  const std::vector<uint8_t> truncated = {0x80, 0x01, 0x04, 0x05, 0x02};
  DeltaBinaryPackedDecoder cut(truncated.data(), int64_t(truncated.size()));
  EXPECT_THROW(cut.Decode(out.data(), 5), ParseError);
}

TEST(ParquetCompression, EveryCodecRoundTripsAndRejectsGarbage) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "row " + std::to_string(i % 97) + ";";
  for (const char* name : {"none", "snappy", "gzip", "zstd", "lz4", "brotli"}) {
    const Codec codec = ParseCodec(name);
    const std::string packed = Compress(codec, text);
    std::string unpacked(text.size(), '\0');
    Decompress(codec, reinterpret_cast<const uint8_t*>(packed.data()), int64_t(packed.size()),
               reinterpret_cast<uint8_t*>(unpacked.data()), int64_t(unpacked.size()));
    EXPECT_EQ(unpacked, text) << name;
    if (codec != format::CompressionCodec::UNCOMPRESSED) {
      const std::string garbage(64, '\x7f');
      EXPECT_THROW(Decompress(codec, reinterpret_cast<const uint8_t*>(garbage.data()), 64,
                              reinterpret_cast<uint8_t*>(unpacked.data()), int64_t(unpacked.size())),
                   ParseError)
          << name;
    }
  }
  EXPECT_THROW(ParseCodec("lzma"), InvalidArgument);
}

}  // namespace
}  // namespace tessera::io::parquet
