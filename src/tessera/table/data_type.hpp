// Logical column types. Storage follows NumPy and Arrow: fixed-width values in one contiguous
// array (bool as one byte per value, as NumPy does), strings as int64 offsets + UTF-8 bytes,
// timestamps and durations as int64 nanoseconds, dates as int32 days since 1970-01-01, and
// categoricals as int32 codes into a dictionary of strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tessera {

enum class TypeId : uint8_t {
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat32,
  kFloat64,
  kString,
  kTimestamp,    // int64 ns since the epoch, naive (pandas datetime64[ns])
  kDuration,     // int64 ns (pandas timedelta64[ns])
  kDate,         // int32 days since the epoch
  kCategorical,  // int32 codes (-1 never stored; nulls live in the validity bitmap)
};

/// A column's type. A small value type; categorical dictionaries live in the column.
class DataType {
 public:
  constexpr DataType() = default;
  constexpr DataType(TypeId id) : id_(id) {}  // NOLINT: implicit on purpose (DataType x = TypeId::kInt64)

  constexpr TypeId id() const { return id_; }
  constexpr bool operator==(const DataType& other) const { return id_ == other.id_; }
  constexpr bool operator!=(const DataType& other) const { return id_ != other.id_; }

  /// pandas / NumPy spelling: "int64", "float64", "bool", "string", "datetime64[ns]", ...
  std::string ToString() const;
  /// Bytes per value for fixed-width types; 0 for strings.
  int ByteWidth() const;

  bool is_integer() const;
  bool is_signed_integer() const;
  bool is_unsigned_integer() const;
  bool is_floating() const { return id_ == TypeId::kFloat32 || id_ == TypeId::kFloat64; }
  bool is_numeric() const { return is_integer() || is_floating(); }
  bool is_temporal() const {
    return id_ == TypeId::kTimestamp || id_ == TypeId::kDuration || id_ == TypeId::kDate;
  }
  bool is_fixed_width() const { return id_ != TypeId::kString; }

 private:
  TypeId id_ = TypeId::kInt64;
};

/// Parses a dtype name as pandas accepts it ("int64", "Int64", "float", "str", "string",
/// "object", "bool", "datetime64[ns]", "category", ...). Throws TypeError naming the options.
DataType ParseDataType(std::string_view name);

namespace types {
inline constexpr DataType Bool() { return TypeId::kBool; }
inline constexpr DataType Int8() { return TypeId::kInt8; }
inline constexpr DataType Int16() { return TypeId::kInt16; }
inline constexpr DataType Int32() { return TypeId::kInt32; }
inline constexpr DataType Int64() { return TypeId::kInt64; }
inline constexpr DataType UInt8() { return TypeId::kUInt8; }
inline constexpr DataType UInt16() { return TypeId::kUInt16; }
inline constexpr DataType UInt32() { return TypeId::kUInt32; }
inline constexpr DataType UInt64() { return TypeId::kUInt64; }
inline constexpr DataType Float32() { return TypeId::kFloat32; }
inline constexpr DataType Float64() { return TypeId::kFloat64; }
inline constexpr DataType String() { return TypeId::kString; }
inline constexpr DataType Timestamp() { return TypeId::kTimestamp; }
inline constexpr DataType Duration() { return TypeId::kDuration; }
inline constexpr DataType Date() { return TypeId::kDate; }
inline constexpr DataType Categorical() { return TypeId::kCategorical; }
}  // namespace types

/// Calls fn(T{}) with the C++ storage type of a fixed-width type: bool -> uint8_t, int8 ->
/// int8_t, ..., timestamp/duration -> int64_t, date -> int32_t, categorical -> int32_t.
/// Dispatch happens once per column, never per value.
template <typename Fn>
decltype(auto) VisitFixedWidth(DataType type, Fn&& fn);

}  // namespace tessera

#include "tessera/table/data_type_visit.hpp"
