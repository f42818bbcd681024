#include "tessera/io/parquet/compression.hpp"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>

#include "tessera/base/error.hpp"

namespace tessera::io::parquet {
namespace {

void CheckSize(const char* codec, int64_t got, int64_t expected) {
  if (got != expected) {
    throw ParseError(std::string(codec) + " page decompresses to " + std::to_string(got) +
                     " bytes, but its header says " + std::to_string(expected));
  }
}

void InflateGzip(const uint8_t* input, int64_t input_size, uint8_t* output, int64_t output_size) {
  z_stream stream{};
  // 15 + 32: a zlib or gzip header, detected automatically.
  if (inflateInit2(&stream, 15 + 32) != Z_OK) throw Internal("cannot initialise zlib");
  stream.next_in = const_cast<Bytef*>(input);
  stream.avail_in = uInt(input_size);
  stream.next_out = output;
  stream.avail_out = uInt(output_size);
  const int status = inflate(&stream, Z_FINISH);
  const int64_t produced = output_size - int64_t(stream.avail_out);
  inflateEnd(&stream);
  if (status != Z_STREAM_END && !(status == Z_BUF_ERROR && produced == output_size)) {
    throw ParseError("corrupt gzip page (zlib status " + std::to_string(status) + ")");
  }
  CheckSize("gzip", produced, output_size);
}

// Hadoop's LZ4 framing (the LZ4 codec before LZ4_RAW): blocks of a big-endian decompressed size,
// a big-endian compressed size and raw LZ4 data.
bool TryHadoopLz4(const uint8_t* input, int64_t input_size, uint8_t* output, int64_t output_size) {
  int64_t in = 0, out = 0;
  auto be32 = [&](int64_t at) {
    return (uint32_t(input[at]) << 24) | (uint32_t(input[at + 1]) << 16) |
           (uint32_t(input[at + 2]) << 8) | uint32_t(input[at + 3]);
  };
  while (in + 8 <= input_size) {
    const int64_t block_out = be32(in), block_in = be32(in + 4);
    in += 8;
    if (block_in > input_size - in || block_out > output_size - out) return false;
    const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(input + in),
                                      reinterpret_cast<char*>(output + out), int(block_in),
                                      int(output_size - out));
    if (n != block_out) return false;
    in += block_in;
    out += n;
  }
  return in == input_size && out == output_size;
}

}  // namespace

void Decompress(Codec codec, const uint8_t* input, int64_t input_size, uint8_t* output,
                int64_t output_size) {
  switch (codec) {
    case format::CompressionCodec::UNCOMPRESSED:
      CheckSize("uncompressed", input_size, output_size);
      std::copy(input, input + input_size, output);
      return;
    case format::CompressionCodec::SNAPPY: {
      size_t length = 0;
      const auto* in = reinterpret_cast<const char*>(input);
      if (!snappy::GetUncompressedLength(in, size_t(input_size), &length)) {
        throw ParseError("corrupt snappy page");
      }
      CheckSize("snappy", int64_t(length), output_size);
      if (!snappy::RawUncompress(in, size_t(input_size), reinterpret_cast<char*>(output))) {
        throw ParseError("corrupt snappy page");
      }
      return;
    }
    case format::CompressionCodec::GZIP:
      InflateGzip(input, input_size, output, output_size);
      return;
    case format::CompressionCodec::ZSTD: {
      const size_t n = ZSTD_decompress(output, size_t(output_size), input, size_t(input_size));
      if (ZSTD_isError(n)) throw ParseError(std::string("corrupt zstd page: ") + ZSTD_getErrorName(n));
      CheckSize("zstd", int64_t(n), output_size);
      return;
    }
    case format::CompressionCodec::LZ4_RAW:
    case format::CompressionCodec::LZ4: {
      if (codec == format::CompressionCodec::LZ4 &&
          TryHadoopLz4(input, input_size, output, output_size)) {
        return;
      }
      const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(input),
                                        reinterpret_cast<char*>(output), int(input_size),
                                        int(output_size));
      if (n < 0) throw ParseError("corrupt lz4 page");
      CheckSize("lz4", n, output_size);
      return;
    }
    case format::CompressionCodec::BROTLI: {
      size_t n = size_t(output_size);
      if (BrotliDecoderDecompress(size_t(input_size), input, &n, output) != BROTLI_DECODER_RESULT_SUCCESS) {
        throw ParseError("corrupt brotli page");
      }
      CheckSize("brotli", int64_t(n), output_size);
      return;
    }
    default:
      throw NotImplemented("Parquet compression " + CodecName(codec) +
                           " is not supported; rewrite the file with snappy, zstd, gzip, lz4 or brotli");
  }
}

std::string Compress(Codec codec, std::string_view input) {
  std::string out;
  switch (codec) {
    case format::CompressionCodec::UNCOMPRESSED:
      return std::string(input);
    case format::CompressionCodec::SNAPPY:
      snappy::Compress(input.data(), input.size(), &out);
      return out;
    case format::CompressionCodec::GZIP: {
      z_stream stream{};
      if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw Internal("cannot initialise zlib");
      }
      out.resize(deflateBound(&stream, uLong(input.size())) + 32);
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
      stream.avail_in = uInt(input.size());
      stream.next_out = reinterpret_cast<Bytef*>(out.data());
      stream.avail_out = uInt(out.size());
      const int status = deflate(&stream, Z_FINISH);
      out.resize(stream.total_out);
      deflateEnd(&stream);
      if (status != Z_STREAM_END) throw Internal("gzip compression failed");
      return out;
    }
    case format::CompressionCodec::ZSTD: {
      out.resize(ZSTD_compressBound(input.size()));
      const size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), 1);
      if (ZSTD_isError(n)) throw Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
      out.resize(n);
      return out;
    }
    case format::CompressionCodec::LZ4_RAW: {
      out.resize(size_t(LZ4_compressBound(int(input.size()))));
      const int n = LZ4_compress_default(input.data(), out.data(), int(input.size()), int(out.size()));
      if (n <= 0) throw Internal("lz4 compression failed");
      out.resize(size_t(n));
      return out;
    }
    case format::CompressionCodec::BROTLI: {
      size_t n = BrotliEncoderMaxCompressedSize(input.size());
      out.resize(n);
      if (!BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW,
                                 BROTLI_MODE_GENERIC, input.size(),
                                 reinterpret_cast<const uint8_t*>(input.data()), &n,
                                 reinterpret_cast<uint8_t*>(out.data()))) {
        throw Internal("brotli compression failed");
      }
      out.resize(n);
      return out;
    }
    default:
      throw InvalidArgument("cannot write Parquet compression " + CodecName(codec));
  }
}

Codec ParseCodec(const std::string& name) {
  std::string lower;
  for (char c : name) lower.push_back(char(std::tolower(static_cast<unsigned char>(c))));
  if (lower.empty() || lower == "none" || lower == "uncompressed") return format::CompressionCodec::UNCOMPRESSED;
  if (lower == "snappy") return format::CompressionCodec::SNAPPY;
  if (lower == "gzip") return format::CompressionCodec::GZIP;
  if (lower == "zstd") return format::CompressionCodec::ZSTD;
  if (lower == "lz4" || lower == "lz4_raw") return format::CompressionCodec::LZ4_RAW;
  if (lower == "brotli") return format::CompressionCodec::BROTLI;
  throw InvalidArgument("compression='" + name +
                        "' is not a Parquet codec; use 'snappy', 'gzip', 'zstd', 'lz4', 'brotli' or None");
}

std::string CodecName(Codec codec) {
  switch (codec) {
    case format::CompressionCodec::UNCOMPRESSED: return "none";
    case format::CompressionCodec::SNAPPY: return "snappy";
    case format::CompressionCodec::GZIP: return "gzip";
    case format::CompressionCodec::LZO: return "lzo";
    case format::CompressionCodec::BROTLI: return "brotli";
    case format::CompressionCodec::LZ4: return "lz4 (hadoop)";
    case format::CompressionCodec::ZSTD: return "zstd";
    case format::CompressionCodec::LZ4_RAW: return "lz4";
  }
  return "codec " + std::to_string(int(codec));
}

}  // namespace tessera::io::parquet
