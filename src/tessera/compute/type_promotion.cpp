#include "tessera/compute/type_promotion.hpp"

#include <limits>
#include <string>
#include <variant>

#include "tessera/base/civil_time.hpp"
#include "tessera/base/error.hpp"
#include "tessera/base/timestamp_parse.hpp"

namespace tessera::compute {

namespace {

int IntegerBits(DataType type) { return type.ByteWidth() * 8; }

DataType SignedOfBits(int bits) {
  switch (bits) {
    case 8: return types::Int8();
    case 16: return types::Int16();
    case 32: return types::Int32();
    default: return types::Int64();
  }
}

}  // namespace

bool IsNumericOrBool(DataType type) { return type.is_numeric() || type.id() == TypeId::kBool; }

DataType PromoteNumeric(DataType a, DataType b) {
  if (!IsNumericOrBool(a) || !IsNumericOrBool(b)) {
    throw TypeError("expected numeric or bool types, got " + a.ToString() + " and " +
                    b.ToString());
  }
  if (a == b) return a;
  if (a.id() == TypeId::kBool) return b;
  if (b.id() == TypeId::kBool) return a;
  if (a.id() == TypeId::kFloat64 || b.id() == TypeId::kFloat64) return types::Float64();
  if (a.is_floating() || b.is_floating()) {
    // One is float32, the other an integer: float32 holds integers of up to 16 bits exactly.
    const DataType integer = a.is_floating() ? b : a;
    return IntegerBits(integer) <= 16 ? types::Float32() : types::Float64();
  }
  if (a.is_signed_integer() == b.is_signed_integer()) {
    return IntegerBits(a) >= IntegerBits(b) ? a : b;
  }
  const DataType signed_type = a.is_signed_integer() ? a : b;
  const DataType unsigned_type = a.is_signed_integer() ? b : a;
  if (IntegerBits(signed_type) > IntegerBits(unsigned_type)) return signed_type;
  if (IntegerBits(unsigned_type) == 64) return types::Float64();
  return SignedOfBits(IntegerBits(unsigned_type) * 2);
}

bool IntegerFits(__int128 value, DataType type) {
  switch (type.id()) {
    case TypeId::kBool: return value == 0 || value == 1;
    case TypeId::kInt8: return value >= INT8_MIN && value <= INT8_MAX;
    case TypeId::kInt16: return value >= INT16_MIN && value <= INT16_MAX;
    case TypeId::kInt32: return value >= INT32_MIN && value <= INT32_MAX;
    case TypeId::kInt64: return value >= INT64_MIN && value <= INT64_MAX;
    case TypeId::kUInt8: return value >= 0 && value <= UINT8_MAX;
    case TypeId::kUInt16: return value >= 0 && value <= UINT16_MAX;
    case TypeId::kUInt32: return value >= 0 && value <= UINT32_MAX;
    case TypeId::kUInt64: return value >= 0 && value <= __int128(UINT64_MAX);
    default: return false;
  }
}

DataType MinimalIntegerType(const Scalar& scalar) {
  const __int128 value = internal::IntegerScalarValue(scalar);
  const DataType candidates_non_negative[] = {types::UInt8(), types::UInt16(), types::UInt32(),
                                              types::UInt64()};
  const DataType candidates_negative[] = {types::Int8(), types::Int16(), types::Int32(),
                                          types::Int64()};
  for (DataType type : value >= 0 ? candidates_non_negative : candidates_negative) {
    if (IntegerFits(value, type)) return type;
  }
  return value >= 0 ? types::UInt64() : types::Int64();
}

DataType PromoteWithScalar(DataType column_type, const Scalar& scalar) {
  const DataType scalar_type = scalar.type();
  if (!IsNumericOrBool(column_type) || !IsNumericOrBool(scalar_type)) {
    throw TypeError("expected a numeric or bool column and scalar, got a " +
                    column_type.ToString() + " column and a " + scalar_type.ToString() +
                    " scalar");
  }
  if (scalar_type.id() == TypeId::kBool) return column_type;
  if (scalar_type.is_floating()) {
    return column_type.is_floating() ? column_type : types::Float64();
  }
  // An integer scalar.
  if (column_type.is_floating()) return column_type;
  if (column_type.id() == TypeId::kBool) return types::Int64();
  if (scalar.is_null()) return column_type;
  const __int128 value = internal::IntegerScalarValue(scalar);
  if (IntegerFits(value, column_type)) return column_type;
  // NumPy 1's value-based rule: the smallest type of the column's signedness that holds the
  // value (int8 column + 300 -> int16), or a signed type for a negative value.
  const DataType candidates_signed[] = {types::Int8(), types::Int16(), types::Int32(),
                                        types::Int64()};
  const DataType candidates_unsigned[] = {types::UInt8(), types::UInt16(), types::UInt32(),
                                          types::UInt64()};
  const bool want_signed = column_type.is_signed_integer() || value < 0;
  for (DataType type : want_signed ? candidates_signed : candidates_unsigned) {
    if (IntegerFits(value, type)) return PromoteNumeric(column_type, type);
  }
  return PromoteNumeric(column_type, MinimalIntegerType(scalar));
}

namespace internal {

__int128 IntegerScalarValue(const Scalar& scalar) {
  if (scalar.type().id() == TypeId::kBool) return scalar.as_bool() ? 1 : 0;
  // Scalar::UInt64 stores a uint64_t; every other integer-backed scalar stores an int64_t.
  if (scalar.type().id() == TypeId::kUInt64) {
    try {
      return scalar.as_uint64();
    } catch (const std::bad_variant_access&) {
    }
  }
  return scalar.as_int64();
}

bool TemporalScalarValue(DataType column_type, const Scalar& scalar, int64_t* value) {
  if (scalar.type().id() == column_type.id() && column_type.has_unit()) {
    if (!ConvertTicks(scalar.as_int64(), scalar.type().unit(), column_type.unit(), value)) {
      throw InvalidArgument(scalar.ToString() + " is out of bounds for a " + column_type.ToString() +
                            " column; use a coarser unit for the column (astype('" +
                            scalar.type().ToString() + "'))");
    }
    return true;
  }
  if (scalar.type() == column_type) {
    *value = scalar.as_int64();
    return true;
  }
  if (scalar.type().id() != TypeId::kString || column_type.id() == TypeId::kDuration) return false;
  int64_t nanos = 0;
  if (!ParseIsoTimestamp(scalar.as_string(), &nanos)) {
    throw InvalidArgument("'" + scalar.as_string() + "' cannot be used with a " +
                          column_type.ToString() +
                          " column: it is not an ISO 8601 timestamp (YYYY-MM-DD[ HH:MM[:SS]])");
  }
  if (column_type.id() == TypeId::kDate) {
    *value = civil::FloorDiv(nanos, civil::kNanosPerDay);
  } else {
    ConvertTicks(nanos, TimeUnit::kNano, column_type.unit(), value);
  }
  return true;
}

std::optional<TimeUnit> FinerScalarUnit(DataType column_type, const Scalar& scalar) {
  if (!column_type.has_unit() || scalar.is_null()) return std::nullopt;
  TimeUnit needed = column_type.unit();
  if (scalar.type().id() == column_type.id()) {
    // The coarsest unit, from the column's down to the scalar's, that holds the value exactly.
    const TimeUnit own = scalar.type().unit();
    needed = own;
    for (TimeUnit unit = column_type.unit(); unit < own; unit = TimeUnit(int(unit) + 1)) {
      if (scalar.as_int64() % (TicksPerSecond(own) / TicksPerSecond(unit)) == 0) {
        needed = unit;
        break;
      }
    }
  } else if (scalar.type().id() == TypeId::kString && column_type.id() == TypeId::kTimestamp) {
    int64_t nanos = 0;
    if (!ParseIsoTimestamp(scalar.as_string(), &nanos)) return std::nullopt;
    // The coarsest unit that holds the parsed value exactly.
    needed = TimeUnit::kNano;
    for (TimeUnit unit : {TimeUnit::kMicro, TimeUnit::kMilli, TimeUnit::kSecond}) {
      if (nanos % NanosPerTick(unit) != 0) break;
      needed = unit;
    }
  }
  if (needed <= column_type.unit()) return std::nullopt;
  return needed;
}

}  // namespace internal

}  // namespace tessera::compute
