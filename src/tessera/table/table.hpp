// A Table is one partition: named columns of equal length plus an optional index column
// (absent = the implicit 0..n-1 RangeIndex of pandas). Immutable and shared as TablePtr; every
// "modification" returns a new Table that shares the untouched columns.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tessera/table/column.hpp"

namespace tessera {

struct Field {
  std::string name;
  DataType type;
  bool operator==(const Field& other) const { return name == other.name && type == other.type; }
};

/// Column names and types in order.
class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}

  const std::vector<Field>& fields() const { return fields_; }
  int num_fields() const { return int(fields_.size()); }
  const Field& field(int i) const { return fields_[size_t(i)]; }
  /// Position of a column, or -1.
  int FieldIndex(const std::string& name) const;
  bool operator==(const Schema& other) const { return fields_ == other.fields_; }
  /// "name: type" lines, as pandas' DataFrame.dtypes prints them.
  std::string ToString() const;

 private:
  std::vector<Field> fields_;
};

class Table;
using TablePtr = std::shared_ptr<const Table>;

class Table {
 public:
  /// Checks that names are unique and columns have equal lengths (throws InvalidArgument).
  static TablePtr Make(std::vector<std::string> names, std::vector<ColumnPtr> columns,
                       ColumnPtr index = nullptr, std::string index_name = "");
  /// A table of zero rows with the schema's columns.
  static TablePtr MakeEmpty(const Schema& schema);

  int64_t num_rows() const { return num_rows_; }
  int num_columns() const { return int(columns_.size()); }
  const Schema& schema() const { return schema_; }
  std::vector<std::string> column_names() const;
  const ColumnPtr& column(int i) const { return columns_[size_t(i)]; }
  /// Column by name; throws KeyError naming the available columns.
  const ColumnPtr& column(const std::string& name) const;
  const std::vector<ColumnPtr>& columns() const { return columns_; }

  bool has_index() const { return index_ != nullptr; }
  const ColumnPtr& index() const { return index_; }
  const std::string& index_name() const { return index_name_; }

  /// Rows [offset, offset + length) sharing buffers.
  TablePtr Slice(int64_t offset, int64_t length) const;
  /// The named columns, in the order given.
  TablePtr SelectColumns(const std::vector<std::string>& names) const;
  /// Adds or replaces a column (replacing keeps its position).
  TablePtr SetColumn(const std::string& name, ColumnPtr column) const;
  TablePtr DropColumn(const std::string& name) const;
  /// Moves a column into the index (as pandas' set_index without sorting).
  TablePtr SetIndex(const std::string& name) const;
  /// Moves the index back into the first column (as pandas' reset_index; "index" when unnamed).
  TablePtr ResetIndex() const;

  /// Bytes held by the rows of every column and the index.
  int64_t nbytes() const;
  /// pandas-like text: header, first and last rows around "...", then "[R rows x C columns]".
  std::string ToString(int64_t max_rows = 10) const;
  /// Equal schema, index and values (NaN equals NaN, as pandas' testing helpers treat it).
  bool Equals(const Table& other) const;

 private:
  Table() = default;

  Schema schema_;
  std::vector<ColumnPtr> columns_;
  ColumnPtr index_;
  std::string index_name_;
  int64_t num_rows_ = 0;
};

/// Stacks columns of one type; categoricals with different dictionaries get a merged one.
ColumnPtr ConcatenateColumns(const std::vector<ColumnPtr>& columns);
/// Stacks tables with identical column names and types (throws TypeError naming the mismatch).
TablePtr ConcatenateTables(const std::vector<TablePtr>& tables);

/// Value equality of two columns (type, length, nulls, values; NaN == NaN).
bool ColumnsEqual(const Column& a, const Column& b);
/// One value as pandas would print it ("NaN", "NaT", "<NA>", "2015-01-01 00:00:00", ...).
std::string FormatValue(const Column& column, int64_t i);

}  // namespace tessera
