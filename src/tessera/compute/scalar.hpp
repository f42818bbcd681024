// One typed value, possibly null: the operand of column-scalar kernels (x + 1, fill_null(0)) and
// the result of reductions (sum, mean, ...).
#pragma once

#include <optional>

#include <cstdint>
#include <string>
#include <variant>

#include "tessera/table/data_type.hpp"

namespace tessera::compute {

class Scalar {
 public:
  /// A null of the given type.
  static Scalar Null(DataType type) { return Scalar(type, std::monostate{}); }
  static Scalar Bool(bool value) { return Scalar(types::Bool(), value); }
  static Scalar Int64(int64_t value) { return Scalar(types::Int64(), value); }
  static Scalar UInt64(uint64_t value) { return Scalar(types::UInt64(), value); }
  static Scalar Float64(double value) { return Scalar(types::Float64(), value); }
  static Scalar String(std::string value) { return Scalar(types::String(), std::move(value)); }
  /// Ticks of `unit` (nanoseconds unless given) since the epoch.
  static Scalar Timestamp(int64_t ticks, TimeUnit unit = TimeUnit::kNano) {
    return Scalar(types::Timestamp(unit), ticks);
  }
  static Scalar Duration(int64_t ticks, TimeUnit unit = TimeUnit::kNano) {
    return Scalar(types::Duration(unit), ticks);
  }
  /// Any integer-backed type (int8..int64, timestamp, duration, date) holding `value`.
  static Scalar OfInt(DataType type, int64_t value) { return Scalar(type, value); }
  /// The same for the types held as double (float32, float64), uint64 and text (string,
  /// categorical): how a scalar written as bytes is rebuilt with its exact type.
  static Scalar OfDouble(DataType type, double value) { return Scalar(type, value); }
  static Scalar OfUInt64(DataType type, uint64_t value) { return Scalar(type, value); }
  static Scalar OfString(DataType type, std::string value) { return Scalar(type, std::move(value)); }
  /// Which alternative holds the value: 0 null, 1 bool, 2 int64, 3 uint64, 4 double, 5 string.
  size_t storage_index() const { return value_.index(); }

  DataType type() const { return type_; }
  bool is_valid() const { return !std::holds_alternative<std::monostate>(value_); }
  bool is_null() const { return !is_valid(); }

  bool as_bool() const { return std::get<bool>(value_); }
  int64_t as_int64() const { return std::get<int64_t>(value_); }
  uint64_t as_uint64() const { return std::get<uint64_t>(value_); }
  double as_double() const { return std::get<double>(value_); }
  const std::string& as_string() const { return std::get<std::string>(value_); }
  /// The value converted to double (bool, any integer or float); NaN when null.
  double ToDouble() const;
  /// pandas-like text ("3", "2.5", "NaN", "2015-01-01 00:00:00", ...).
  std::string ToString() const;

  bool operator==(const Scalar& other) const {
    return type_ == other.type_ && value_ == other.value_;
  }

 private:
  using Value = std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string>;
  Scalar(DataType type, Value value) : type_(type), value_(std::move(value)) {}

  DataType type_;
  Value value_;
};

/// -1, 0 or 1 as a is below, equal to or above b; nullopt when either is null or they do not
/// compare (text with numbers, timestamps with other types). Numbers compare by value across
/// types (int64 exactly, mixed kinds as double); strings by bytes.
std::optional<int> CompareScalars(const Scalar& a, const Scalar& b);

}  // namespace tessera::compute
