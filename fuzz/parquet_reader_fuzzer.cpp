// libFuzzer target: the Parquet footer, page headers, decoders and codecs on arbitrary bytes
// must end in columns or a tessera error, never a crash, hang or out-of-bounds access.
#include <cstdint>

#include "tessera/base/error.hpp"
#include "tessera/io/file_system.hpp"
#include "tessera/io/parquet/parquet_file.hpp"
#include "tessera/memory/buffer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;
  auto source = io::OpenMemory("fuzz.parquet", memory::Buffer::CopyOf(data, int64_t(size)));
  try {
    const auto file = io::parquet::ParquetFile::Open(source);
    for (int g = 0; g < file->num_row_groups(); ++g) {
      // A footer may claim any row count; past a million rows the output buffers alone would
      // exceed the fuzzer's memory limit without exercising anything new.
      if (file->row_group_num_rows(g) > 1'000'000) continue;
      for (int c = 0; c < int(file->columns().size()); ++c) {
        file->ReadColumnChunk(g, c);
        file->Statistics(g, c);
      }
    }
  } catch (const Error&) {
    // ParseError, IOError, NotImplemented, IndexError: the expected outcomes for bad bytes.
  }
  return 0;
}
