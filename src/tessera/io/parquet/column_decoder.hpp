// Decodes one column chunk (its dictionary and data pages) of a flat column straight into a
// tessera Column: values land in 64-byte aligned pool buffers, nulls in an Arrow-order validity
// bitmap built from the definition levels.
#pragma once

#include <cstdint>
#include <string>

#include "tessera/io/parquet/parquet_footer_types.h"
#include "tessera/table/column.hpp"

namespace tessera::io::parquet {

/// How a leaf column's physical values become a tessera type.
struct ColumnDescriptor {
  std::string name;
  format::Type::type physical = format::Type::INT64;
  int type_length = 0;       // bytes per FIXED_LEN_BYTE_ARRAY value
  int max_definition_level = 0;  // 1 for nullable columns
  DataType type;             // what the column reads as
  int decimal_scale = -1;    // >= 0: a decimal read as float64 (value / 10^scale)
  bool float16 = false;      // FIXED_LEN_BYTE_ARRAY(2) half floats, read as float32
};

/// Decodes the pages in `chunk` (the chunk's bytes, starting at its first page) holding
/// `num_rows` values of `column`. Throws ParseError / NotImplemented without context; the caller
/// adds the file, row group and column.
ColumnPtr DecodeColumnChunk(const ColumnDescriptor& column, const format::ColumnMetaData& metadata,
                            const uint8_t* chunk, int64_t chunk_size, int64_t num_rows);

/// Decodes one PLAIN value (a statistics bound) of `column` as a one-row column.
ColumnPtr DecodePlainValue(const ColumnDescriptor& column, const std::string& bytes);

}  // namespace tessera::io::parquet
