// A Parquet file opened for reading: the footer is read and parsed once, the schema mapped to
// tessera types, and column chunks are then read on demand, each with one ranged read of exactly
// its bytes through the file's ByteSource, so projected columns cost only their own I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tessera/io/file_system.hpp"
#include "tessera/table/table.hpp"

namespace tessera::io::parquet {

struct ColumnDescriptor;
namespace format {
class FileMetaData;
}

/// One top-level column of a Parquet file as tessera sees it.
struct ParquetColumn {
  std::string name;
  DataType type;
  /// Empty for readable columns; otherwise why the column cannot be read (nested types).
  std::string unsupported;
};

/// Minimum and maximum of a column chunk from its statistics.
struct ColumnChunkStatistics {
  /// Two rows, minimum then maximum, of the column's type; null when the file has no bounds.
  ColumnPtr min_max;
  int64_t null_count = -1;  // -1 when unknown
};

class ParquetFile {
 public:
  /// Opens `path` with io::OpenInput and reads its footer. Throws IOError when the file cannot be
  /// read and ParseError naming the file when it is not Parquet or its footer is corrupt.
  static std::shared_ptr<const ParquetFile> Open(const std::string& path);
  static std::shared_ptr<const ParquetFile> Open(std::shared_ptr<ByteSource> source);
  ~ParquetFile();

  const std::string& path() const { return source_->path(); }
  /// The top-level columns in file order (nested ones included, marked unsupported).
  const std::vector<ParquetColumn>& columns() const { return columns_; }
  /// Position of a column by name, or -1.
  int ColumnIndex(const std::string& name) const;
  int64_t num_rows() const { return num_rows_; }
  int num_row_groups() const;
  int64_t row_group_num_rows(int row_group) const;
  /// Compressed bytes of one column chunk (what reading it transfers).
  int64_t column_chunk_bytes(int row_group, int column) const;
  /// Bounds and null count of one column chunk, decoded from its statistics.
  ColumnChunkStatistics Statistics(int row_group, int column) const;
  /// A key of the footer's key/value metadata ("pandas" holds pandas' schema), or nullopt.
  std::optional<std::string> Metadata(const std::string& key) const;

  /// Reads `columns` (positions in columns()) of one row group, in the order given. Throws
  /// ParseError / IOError / NotImplemented naming the file, row group and column.
  TablePtr ReadRowGroup(int row_group, const std::vector<int>& columns) const;
  /// Reads one column chunk.
  ColumnPtr ReadColumnChunk(int row_group, int column) const;

 private:
  ParquetFile();
  void BuildSchema();
  std::string Where(int row_group, int column) const;

  std::shared_ptr<ByteSource> source_;
  std::unique_ptr<format::FileMetaData> metadata_;
  std::vector<ParquetColumn> columns_;
  std::vector<ColumnDescriptor> descriptors_;  // parallel to columns_
  std::vector<int> leaf_index_;                // column chunk position of each column
  int64_t num_rows_ = 0;
};

using ParquetFilePtr = std::shared_ptr<const ParquetFile>;

}  // namespace tessera::io::parquet
