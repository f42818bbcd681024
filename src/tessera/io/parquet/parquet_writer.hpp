// Writes a Table as one Parquet file: PLAIN-encoded data pages (v1) with RLE definition levels,
// compressed per page, one row group per `row_group_size` rows, min/max statistics and null
// counts per column chunk, and pandas' metadata naming the index column, so pyarrow, Polars and
// DuckDB read it back and readers can skip row groups.
#pragma once

#include <cstdint>
#include <string>

#include "tessera/table/table.hpp"

namespace tessera::io::parquet {

struct ParquetWriteOptions {
  /// "snappy" (default), "gzip", "zstd", "lz4", "brotli" or "none".
  std::string compression = "snappy";
  /// Rows per row group.
  int64_t row_group_size = int64_t(1) << 20;
  /// Writes the table's index (when it has one) as a column, named as pandas names it.
  bool write_index = true;
};

/// Writes `table` to `path` (parent directories created). Throws IOError naming the path, and
/// TypeError for columns Parquet cannot hold.
void WriteParquetTable(const Table& table, const std::string& path, const ParquetWriteOptions& options = {});

}  // namespace tessera::io::parquet
