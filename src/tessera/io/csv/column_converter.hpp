// Column converters turn the fields of one column of a tokenized batch into typed values,
// appending to a builder. One virtual call per column per batch; the per-row loop inside is
// specialised for the type.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tessera/io/csv/field_parsing.hpp"
#include "tessera/io/csv/tokenizer.hpp"
#include "tessera/table/column.hpp"

namespace tessera::io::csv {

/// What a converter needs besides the fields.
struct ConverterContext {
  const NaValues* na_values = nullptr;
  char quote = '"';
  /// Declared by the user: a value that does not fit is an error. Inferred: it widens the type.
  bool declared = false;
  /// strftime-style layout for timestamps that are not ISO 8601 (may be empty).
  std::string date_format;
};

/// Why a field did not fit the converter's type.
struct ConversionFailure {
  int64_t row = -1;  // row within the batch; -1 = no failure
  std::string value;
};

class ColumnConverter {
 public:
  virtual ~ColumnConverter() = default;
  /// Makes room for `rows` more rows, so Append's loop writes without checks.
  virtual void Reserve(int64_t rows) = 0;
  /// Converts column `column` of `batch` (offsets into `data`). On a field that does not fit,
  /// stops and returns its row; rows before it stay appended.
  virtual ConversionFailure Append(const char* data, const FieldBatch& batch, int column) = 0;
  virtual ColumnPtr Finish() = 0;
};

/// A converter producing `type` (bool, any integer or float, string, timestamp, date,
/// categorical). `expected_rows` and `expected_bytes` size the first allocation.
std::unique_ptr<ColumnConverter> MakeColumnConverter(DataType type, const ConverterContext& context,
                                                     int64_t expected_rows, int64_t expected_bytes);

/// Name of the kind of value a type expects, for error messages ("an integer", "a timestamp").
std::string DescribeExpectedValue(DataType type);

}  // namespace tessera::io::csv
