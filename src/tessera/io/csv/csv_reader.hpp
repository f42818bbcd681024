// The CSV reader. Planning reads each file's header and samples its start, middle and end to
// infer column types, then splits every file into byte-range blocks (one partition each).
// Blocks are parsed independently and in parallel: a block starts at the first line break after
// its nominal start and owns every row that starts before its nominal end. Because a line break
// inside a quoted field can fool that guess, each block reports where it really started and
// ended; ReadCsv checks that consecutive blocks meet and re-reads a block from the right place
// when they do not, so quoted newlines never corrupt rows.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "tessera/io/csv/csv_options.hpp"
#include "tessera/io/file_system.hpp"
#include "tessera/table/table.hpp"

namespace tessera::io {

struct CsvFile {
  std::shared_ptr<ByteSource> source;
  /// Offset of the first data row (after byte-order mark, skipped lines and header).
  int64_t data_start = 0;
};

/// A byte range of one file; the partition holds the rows that start inside it.
struct CsvBlock {
  int file = 0;
  int64_t begin = 0;
  int64_t end = 0;
};

/// Everything needed to read any block on its own (later: one task per block).
struct CsvPlan {
  CsvReadOptions options;
  std::vector<CsvFile> files;
  std::vector<CsvBlock> blocks;
  /// Every column of the files, in file order.
  std::vector<std::string> file_columns;
  /// Positions (in file_columns) of the columns read, in output order.
  std::vector<int> selected;
  /// Output column types, and whether the user declared them (else inferred).
  std::vector<DataType> types;
  std::vector<bool> declared;
  /// Average bytes per field per selected column, from the samples (sizes string buffers).
  std::vector<double> average_field_bytes;
  /// Average bytes per row in the samples (sizes column builders).
  double average_row_bytes = 64.0;

  Schema schema() const;
};

/// One parsed block. Errors are kept, not thrown: a block whose start was a wrong guess is
/// re-read, and only errors of blocks that really start where they claim are reported.
struct CsvBlockResult {
  TablePtr table;
  int64_t first_row_offset = 0;  // where the block's first row starts in the file
  int64_t end_offset = 0;        // where the row after its last row starts
  std::exception_ptr error;
};

/// Lists files, reads headers, infers types. Throws on missing files, unreadable or empty
/// files, mismatched headers, unknown columns in usecols/parse_dates, bad options.
CsvPlan PlanCsv(const std::vector<std::string>& paths, const CsvReadOptions& options);

/// Parses block `block_index` of `plan`. `start` overrides where its first row starts (used to
/// re-read after a wrong guess); `types` overrides the column types; at most `max_rows` rows.
CsvBlockResult ReadCsvBlock(const CsvPlan& plan, size_t block_index, int64_t start = -1,
                            const std::vector<DataType>* types = nullptr,
                            int64_t max_rows = INT64_MAX);

/// Throws the error kept in `result` (if any) as a ParseError naming file, line and column.
void RethrowCsvBlockError(const CsvPlan& plan, const CsvBlockResult& result);

/// Reads every block in parallel and returns one table per block, all with one schema (a file
/// without data rows contributes none; with no rows at all, one empty table).
std::vector<TablePtr> ReadCsv(const std::vector<std::string>& paths,
                              const CsvReadOptions& options = {});
/// The same, concatenated into one table.
TablePtr ReadCsvTable(const std::vector<std::string>& paths, const CsvReadOptions& options = {});

}  // namespace tessera::io
