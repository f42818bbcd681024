// The CSV writer: one file per partition, as Dask's to_csv('out/*.csv') writes them, or one file
// for all partitions when the path has no '*'.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tessera/io/csv/csv_options.hpp"
#include "tessera/io/file_system.hpp"
#include "tessera/table/table.hpp"

namespace tessera::io {

/// Streams tables into one CSV file (local, or an s3:// / gs:// object): a header, then the
/// rows of each table in turn.
class CsvWriter {
 public:
  /// Creates or truncates `path` (and its parent directories), reached with
  /// options.storage_options.
  CsvWriter(const std::string& path, const CsvWriteOptions& options = {});
  ~CsvWriter();
  /// The header line from the table's index name and column names (when options.header).
  void WriteHeader(const Table& table);
  void WriteRows(const Table& table);
  /// Flushes and closes; throws IOError when the data could not all be written.
  void Close();

 private:
  void Flush();

  CsvWriteOptions options_;
  std::unique_ptr<OutputStream> file_;
  std::string buffer_;
};

/// Writes one table to `path` (parent directories are created). Values are written as pandas'
/// to_csv writes them: shortest round-trip floats, ISO timestamps, minimal quoting.
void WriteCsvTable(const Table& table, const std::string& path, const CsvWriteOptions& options = {});

/// Writes partition i to `pattern` with its '*' replaced by name_function(i) (default: i), and
/// returns the paths written. A pattern without '*' gets every partition, header once.
std::vector<std::string> WriteCsv(const std::vector<TablePtr>& partitions, const std::string& pattern,
                                  const CsvWriteOptions& options = {},
                                  const std::function<std::string(size_t)>& name_function = nullptr);

}  // namespace tessera::io
