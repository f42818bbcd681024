// A Parquet dataset: the files of paths, globs and (hive-partitioned) directories, planned into
// pieces of row groups that become the partitions of read_parquet. Hive directory values
// (`year=2015/`) become categorical columns with the dataset's values as categories.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tessera/io/parquet/parquet_file.hpp"

namespace tessera::io::parquet {

struct ParquetReadOptions {
  /// Columns to read (file or partition columns); empty = all.
  std::vector<std::string> columns;
  /// Column to make the index. Unset: pandas' index recorded in the files (as Dask's index=None);
  /// set to "" (index=False): no index.
  std::optional<std::string> index;
  /// Row groups per partition: 0 = one partition per file, n > 0 = n row groups, -1 = grouped
  /// up to `blocksize` uncompressed bytes (Dask's split_row_groups='infer').
  int64_t split_row_groups = -1;
  int64_t blocksize = int64_t(256) << 20;
};

/// The row groups of one file that form one partition.
struct ParquetPiece {
  int file = 0;
  std::vector<int> row_groups;
};

struct ParquetPlan {
  std::vector<ParquetFilePtr> files;
  std::vector<std::string> file_columns;           // columns of the files (the first file's order)
  std::vector<std::string> partition_keys;         // hive keys, outermost first
  std::vector<std::vector<std::string>> partition_values;  // per key: the categories, sorted
  std::vector<std::vector<int32_t>> file_partition_codes;  // per file, per key: its category code
  std::vector<int> selected;                       // file columns read (positions in file_columns)
  std::vector<int> selected_partitions;            // partition columns produced (positions in keys)
  int index_column = -1;                           // file column read as the index, or -1
  std::string index_name;                          // "" for pandas' unnamed __index_level_0__
  std::vector<ParquetPiece> pieces;
  int64_t total_row_groups = 0;

  /// The output's columns (selected file columns, then partition columns) and index.
  TablePtr Meta() const;
  /// Position of file column `name` in files[f]'s columns (names may come in another order).
  int FileColumn(int file, int column) const;
};

/// Lists the files (a path, a glob, a directory searched recursively; names starting with '_'
/// or '.' are skipped, as pyarrow does), reads every footer, checks the files agree on the
/// columns' types and plans the pieces. Throws IOError / ParseError naming the file, KeyError
/// naming a missing column.
ParquetPlan PlanParquet(const std::vector<std::string>& paths, const ParquetReadOptions& options);

/// Reads one piece: its row groups, the selected columns decoded in parallel, partition columns
/// and the index.
TablePtr ReadParquetPiece(const ParquetPlan& plan, size_t piece);

/// Whole-dataset eager read (ConcatenateTables of every piece).
TablePtr ReadParquetTable(const std::vector<std::string>& paths, const ParquetReadOptions& options);

}  // namespace tessera::io::parquet
