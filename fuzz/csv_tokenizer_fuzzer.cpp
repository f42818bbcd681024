// libFuzzer target: the CSV tokenizer and reader on arbitrary bytes must end in a table or a
// tessera error, never a crash, hang or out-of-bounds access.
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

#include "tessera/base/error.hpp"
#include "tessera/io/csv/csv_reader.hpp"
#include "tessera/io/csv/tokenizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera::io;
  // The first byte picks options so separators, comments and block sizes vary.
  const uint8_t selector = size > 0 ? data[0] : 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  text.append(csv::kTokenizerPadding, '\0');
  csv::TokenizerConfig config;
  config.num_columns = 1 + selector % 5;
  if (selector & 0x20) config.comment = '#';
  config.sep = (selector & 0x40) ? ';' : ',';
  csv::Tokenizer tokenizer(config);
  csv::FieldBatch batch;
  int64_t position = 0;
  for (int round = 0; round < 10000 && position < int64_t(size); ++round) {
    batch.Clear();
    auto result = tokenizer.Tokenize(text.data(), int64_t(size), position, int64_t(size), true, 64, &batch);
    for (int64_t row = 0; row < batch.num_rows; ++row) {
      for (int c = 0; c < batch.num_columns; ++c) {
        if (batch.start(row, c) > batch.end(row, c) || batch.end(row, c) > size) __builtin_trap();
      }
    }
    if (result.status != csv::TokenizeStatus::kOk || result.next_offset <= position) break;
    position = result.next_offset;
  }
  // The whole reader, through a real file.
  char path[] = "/tmp/tessera-fuzz-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return 0;
  if (write(fd, data, size) != ssize_t(size)) {
    close(fd);
    unlink(path);
    return 0;
  }
  close(fd);
  CsvReadOptions options;
  options.blocksize = 1 + selector % 32;
  options.sep = config.sep;
  options.comment = config.comment;
  options.num_threads = 1;
  try {
    ReadCsvTable({path}, options);
  } catch (const tessera::Error&) {
  }
  unlink(path);
  return 0;
}
