// Type inference for CSV columns, following pandas: all-missing -> float64, integers ->
// int64 (float64 once a value is missing), any decimal point or exponent -> float64, True/False
// -> bool, anything else -> string. Kinds only ever widen, so samples and blocks can be joined
// in any order with the same result.
#pragma once

#include <string_view>

#include "tessera/io/csv/field_parsing.hpp"
#include "tessera/table/data_type.hpp"

namespace tessera::io::csv {

/// What the values of a column seen so far allow.
struct InferredKind {
  bool seen_value = false;    // some non-missing value
  bool seen_missing = false;  // some missing value
  bool seen_row = false;      // any row at all
  bool is_bool = true;        // every value was True/False
  bool is_int = true;         // every value was an integer
  bool is_float = true;       // every value was a number

  /// Folds one (unquoted) field in.
  void Add(std::string_view field, const NaValues& na_values);
  void Join(const InferredKind& other);
  /// The column type these values read as. A column with no rows at all reads as string
  /// (pandas gives object), one whose values are all missing as float64.
  DataType Resolve() const;
};

/// The wider of two types when one block read a column as `a` and another as `b`
/// (int64 + float64 -> float64; otherwise, differing types -> string).
DataType WidenTypes(DataType a, DataType b);

/// The next wider type to try when a value does not fit an inferred type.
DataType WidenForValue(DataType current, std::string_view value, const NaValues& na_values);

}  // namespace tessera::io::csv
