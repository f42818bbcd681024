#include "tessera/io/csv/type_inference.hpp"

namespace tessera::io::csv {

void InferredKind::Add(std::string_view field, const NaValues& na_values) {
  seen_row = true;
  if (na_values.Contains(field)) {
    seen_missing = true;
    return;
  }
  seen_value = true;
  const std::string_view text = TrimSpaces(field);
  if (is_bool) {
    bool b;
    is_bool = ParseBool(text, &b);
  }
  if (is_int) {
    int64_t i;
    is_int = ParseInt64(text, &i);
  }
  if (is_float && !is_int) {
    double d;
    is_float = ParseFloat64(text, &d);
  }
}

void InferredKind::Join(const InferredKind& other) {
  seen_value |= other.seen_value;
  seen_missing |= other.seen_missing;
  seen_row |= other.seen_row;
  is_bool &= other.is_bool;
  is_int &= other.is_int;
  is_float &= other.is_float;
}

DataType InferredKind::Resolve() const {
  if (!seen_row) return types::String();
  if (!seen_value) return types::Float64();
  if (is_bool) return types::Bool();
  if (is_int) return seen_missing ? types::Float64() : types::Int64();
  if (is_float) return types::Float64();
  return types::String();
}

DataType WidenTypes(DataType a, DataType b) {
  if (a == b) return a;
  const bool a_number = a == types::Int64() || a == types::Float64();
  const bool b_number = b == types::Int64() || b == types::Float64();
  if (a_number && b_number) return types::Float64();
  return types::String();
}

DataType WidenForValue(DataType current, std::string_view value, const NaValues& na_values) {
  InferredKind kind;
  kind.Add(value, na_values);
  if (current == types::Int64() && (kind.is_float || !kind.seen_value)) return types::Float64();
  return types::String();
}

}  // namespace tessera::io::csv
