// Page compression codecs of Parquet over Debian's libraries: snappy, gzip (zlib), zstd, raw LZ4
// (LZ4_RAW, and the older Hadoop-framed LZ4) and brotli.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tessera/io/parquet/parquet_footer_types.h"

namespace tessera::io::parquet {

using Codec = format::CompressionCodec::type;

/// Decompresses `input` into exactly `output_size` bytes at `output`; throws ParseError when the
/// data is corrupt or decompresses to another size, NotImplemented for LZO.
void Decompress(Codec codec, const uint8_t* input, int64_t input_size, uint8_t* output,
                int64_t output_size);

/// Compresses `input` with `codec` (UNCOMPRESSED copies it).
std::string Compress(Codec codec, std::string_view input);

/// Parses pandas' and pyarrow's compression names: "snappy", "gzip", "zstd", "lz4", "brotli",
/// "none"/"uncompressed"/"" (lz4 writes LZ4_RAW, as pyarrow does). Throws InvalidArgument.
Codec ParseCodec(const std::string& name);
/// "snappy", "gzip", ... for messages and explain().
std::string CodecName(Codec codec);

}  // namespace tessera::io::parquet
