// Finds field boundaries in CSV text without copying it. Rows are tokenized in batches of a few
// thousand into start/end offsets per field; converters then parse one column of a batch at a
// time with a loop specialised for its type. Quoted fields keep their quotes here; converters
// strip them (and unescape doubled quotes) only where a quote is present.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace tessera::io::csv {

struct TokenizerConfig {
  char sep = ',';
  char quote = '"';
  std::optional<char> comment;
  bool skip_blank_lines = true;
  int num_columns = 0;
  /// Lets rows without quotes take the 64-byte bitmask path; off only to cross-check it.
  bool fast_path = true;
};

/// Field boundaries of a batch of rows; offsets are relative to the tokenized buffer. Stored
/// column by column, so a converter walking one column reads memory sequentially.
struct FieldBatch {
  int num_columns = 0;
  int64_t num_rows = 0;
  int64_t capacity = 0;               // rows each column's slice of starts/ends can hold
  std::vector<uint32_t> starts;       // [column * capacity + row]
  std::vector<uint32_t> ends;         // one past the field's last byte
  std::vector<uint32_t> row_offsets;  // where each row starts (for error messages)
  std::vector<uint32_t> field_counts; // fields each row really had (fewer are filled empty)

  void Clear() { num_rows = 0; }
  uint32_t start(int64_t row, int column) const { return starts[size_t(column * capacity + row)]; }
  uint32_t end(int64_t row, int column) const { return ends[size_t(column * capacity + row)]; }
  /// The starts of one column's fields (num_rows entries).
  const uint32_t* column_starts(int column) const { return starts.data() + column * capacity; }
  const uint32_t* column_ends(int column) const { return ends.data() + column * capacity; }
};

enum class TokenizeStatus {
  kOk,                 // stopped at `limit`, after `max_rows` rows, or at the end of the data
  kNeedMoreData,       // the row at next_offset is not complete within the buffer
  kTooManyFields,      // the row at error_offset has more fields than columns
  kUnterminatedQuote,  // the quoted field in the row at error_offset never closes
};

struct TokenizeResult {
  TokenizeStatus status = TokenizeStatus::kOk;
  /// Where the first row not in the batch starts.
  int64_t next_offset = 0;
  /// For errors: the offending row's start, and for kTooManyFields the number of fields seen.
  int64_t error_offset = 0;
  int fields_seen = 0;
  /// Number of fields in the last row added to the batch (a header row's width).
  int last_row_fields = 0;
};

/// Bytes after the data that Tokenize may read (it scans 16 bytes at a time); the first of
/// them must also be writable.
inline constexpr int64_t kTokenizerPadding = 64;

class Tokenizer {
 public:
  explicit Tokenizer(const TokenizerConfig& config);

  /// Fills `batch` with the rows of data[0, size) that start at or after `offset` and before
  /// `limit`, up to `max_rows` rows. data[size, size + kTokenizerPadding) must be readable and
  /// data[size] writable (a sentinel is stored there). When `at_end` is false a row reaching the end of the data is incomplete and
  /// yields kNeedMoreData; when true, the data's end also ends the last row. Rows with fewer
  /// fields than columns get empty (missing) fields, as pandas fills them with NaN.
  TokenizeResult Tokenize(char* data, int64_t size, int64_t offset, int64_t limit, bool at_end,
                          int64_t max_rows, FieldBatch* batch) const;

 private:
  /// The first byte at or after p that ends an unquoted field (separator, line break, comment).
  const char* FindFieldEnd(const char* p) const;

  TokenizerConfig config_;
  bool special_[256] = {};  // bytes that end an unquoted field
};

}  // namespace tessera::io::csv
