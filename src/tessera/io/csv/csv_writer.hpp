// The CSV writer: one file per partition, as Dask's to_csv('out/*.csv') writes them, or one file
// for all partitions when the path has no '*'.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tessera/io/csv/csv_options.hpp"
#include "tessera/table/table.hpp"

namespace tessera::io {

/// Writes one table to `path` (parent directories are created). Values are written as pandas'
/// to_csv writes them: shortest round-trip floats, ISO timestamps, minimal quoting.
void WriteCsvTable(const Table& table, const std::string& path, const CsvWriteOptions& options = {});

/// Writes partition i to `pattern` with its '*' replaced by name_function(i) (default: i), and
/// returns the paths written. A pattern without '*' gets every partition, header once.
std::vector<std::string> WriteCsv(const std::vector<TablePtr>& partitions, const std::string& pattern,
                                  const CsvWriteOptions& options = {},
                                  const std::function<std::string(size_t)>& name_function = nullptr);

}  // namespace tessera::io
