// Logical column types. Storage follows NumPy and Arrow: fixed-width values in one contiguous
// array (bool as one byte per value, as NumPy does), strings as int64 offsets + UTF-8 bytes,
// timestamps and durations as int64 counts of their time unit (s, ms, us or ns, as NumPy's
// datetime64[unit] and Arrow's timestamp(unit)), dates as int32 days since 1970-01-01, and
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
  kTimestamp,    // int64 ticks of the type's unit since the epoch, naive (datetime64[unit])
  kDuration,     // int64 ticks of the type's unit (timedelta64[unit])
  kDate,         // int32 days since the epoch
  kCategorical,  // int32 codes (-1 never stored; nulls live in the validity bitmap)
};

/// The resolution of timestamps and durations, coarsest first (so a larger value is finer).
enum class TimeUnit : uint8_t { kSecond, kMilli, kMicro, kNano };

/// Ticks of `unit` in one second: 1, 1e3, 1e6, 1e9.
constexpr int64_t TicksPerSecond(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond: return 1;
    case TimeUnit::kMilli: return 1'000;
    case TimeUnit::kMicro: return 1'000'000;
    case TimeUnit::kNano: return 1'000'000'000;
  }
  return 1'000'000'000;
}
/// Nanoseconds in one tick of `unit`.
constexpr int64_t NanosPerTick(TimeUnit unit) { return 1'000'000'000 / TicksPerSecond(unit); }
/// The finer of two units (pandas converts both operands to it).
constexpr TimeUnit FinerUnit(TimeUnit a, TimeUnit b) { return a > b ? a : b; }
/// "s", "ms", "us", "ns".
std::string_view TimeUnitName(TimeUnit unit);

/// `value` ticks of `from` as ticks of `to`, as NumPy's and pandas' astype convert: exact toward
/// a finer unit (false when the result leaves int64), rounded toward the past toward a coarser
/// one.
constexpr bool ConvertTicks(int64_t value, TimeUnit from, TimeUnit to, int64_t* out) {
  if (from == to) {
    *out = value;
    return true;
  }
  if (to > from) {
    return !__builtin_mul_overflow(value, TicksPerSecond(to) / TicksPerSecond(from), out);
  }
  const int64_t factor = TicksPerSecond(from) / TicksPerSecond(to);
  const int64_t quotient = value / factor;
  *out = (value % factor != 0 && value < 0) ? quotient - 1 : quotient;
  return true;
}

/// A column's type. A small value type; categorical dictionaries live in the column.
/// Timestamps and durations also carry a TimeUnit; where none is given it is nanoseconds
/// (TypeId::kTimestamp alone is datetime64[ns]), as NumPy's plain 'datetime64' in pandas.
class DataType {
 public:
  constexpr DataType() = default;
  constexpr DataType(TypeId id) : id_(id) {}  // NOLINT: implicit on purpose (DataType x = TypeId::kInt64)
  /// A timestamp or duration of `unit`; other types ignore the unit.
  constexpr DataType(TypeId id, TimeUnit unit)
      : id_(id), unit_(id == TypeId::kTimestamp || id == TypeId::kDuration ? unit : TimeUnit::kNano) {}

  constexpr TypeId id() const { return id_; }
  /// The time unit of a timestamp or duration (nanoseconds for every other type).
  constexpr TimeUnit unit() const { return unit_; }
  constexpr bool operator==(const DataType& other) const { return id_ == other.id_ && unit_ == other.unit_; }
  constexpr bool operator!=(const DataType& other) const { return !(*this == other); }

  /// pandas / NumPy spelling: "int64", "float64", "bool", "string", "datetime64[us]", ...
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
  /// A timestamp or a duration (the types with a time unit).
  constexpr bool has_unit() const { return id_ == TypeId::kTimestamp || id_ == TypeId::kDuration; }

 private:
  TypeId id_ = TypeId::kInt64;
  TimeUnit unit_ = TimeUnit::kNano;
};

/// Parses a dtype name as pandas accepts it ("int64", "Int64", "float", "str", "string",
/// "object", "bool", "category", ...), timestamps and durations in NumPy's spellings with a
/// unit of s, ms, us or ns: "datetime64[us]", "M8[s]", "<M8[ns]", "timedelta64[ms]", "m8[ns]";
/// "datetime64", "datetime", "timedelta64" and "timedelta" without a unit are nanoseconds, as
/// in NumPy and pandas. Throws TypeError naming the options.
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
inline constexpr DataType Timestamp(TimeUnit unit = TimeUnit::kNano) { return {TypeId::kTimestamp, unit}; }
inline constexpr DataType Duration(TimeUnit unit = TimeUnit::kNano) { return {TypeId::kDuration, unit}; }
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
