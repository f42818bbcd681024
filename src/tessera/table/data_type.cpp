#include "tessera/table/data_type.hpp"

#include <string>

#include "tessera/base/error.hpp"

namespace tessera {

std::string_view TimeUnitName(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond: return "s";
    case TimeUnit::kMilli: return "ms";
    case TimeUnit::kMicro: return "us";
    case TimeUnit::kNano: return "ns";
  }
  return "ns";
}

std::string DataType::ToString() const {
  switch (id_) {
    case TypeId::kBool: return "bool";
    case TypeId::kInt8: return "int8";
    case TypeId::kInt16: return "int16";
    case TypeId::kInt32: return "int32";
    case TypeId::kInt64: return "int64";
    case TypeId::kUInt8: return "uint8";
    case TypeId::kUInt16: return "uint16";
    case TypeId::kUInt32: return "uint32";
    case TypeId::kUInt64: return "uint64";
    case TypeId::kFloat32: return "float32";
    case TypeId::kFloat64: return "float64";
    case TypeId::kString: return "string";
    case TypeId::kTimestamp: return "datetime64[" + std::string(TimeUnitName(unit_)) + "]";
    case TypeId::kDuration: return "timedelta64[" + std::string(TimeUnitName(unit_)) + "]";
    case TypeId::kDate: return "date32[day]";
    case TypeId::kCategorical: return "category";
  }
  return "unknown";
}

int DataType::ByteWidth() const {
  switch (id_) {
    case TypeId::kBool:
    case TypeId::kInt8:
    case TypeId::kUInt8: return 1;
    case TypeId::kInt16:
    case TypeId::kUInt16: return 2;
    case TypeId::kInt32:
    case TypeId::kUInt32:
    case TypeId::kFloat32:
    case TypeId::kDate:
    case TypeId::kCategorical: return 4;
    case TypeId::kInt64:
    case TypeId::kUInt64:
    case TypeId::kFloat64:
    case TypeId::kTimestamp:
    case TypeId::kDuration: return 8;
    case TypeId::kString: return 0;
  }
  return 0;
}

bool DataType::is_signed_integer() const {
  return id_ == TypeId::kInt8 || id_ == TypeId::kInt16 || id_ == TypeId::kInt32 ||
         id_ == TypeId::kInt64;
}

bool DataType::is_unsigned_integer() const {
  return id_ == TypeId::kUInt8 || id_ == TypeId::kUInt16 || id_ == TypeId::kUInt32 ||
         id_ == TypeId::kUInt64;
}

bool DataType::is_integer() const { return is_signed_integer() || is_unsigned_integer(); }

namespace {

// NumPy's spellings of datetime64 / timedelta64 with an optional unit: "datetime64[us]",
// "M8[us]", "<M8[us]" (little-endian marker), "timedelta64[s]", "m8[s]". Returns false when
// `name` is none of them.
bool ParseTemporalName(std::string_view name, DataType* type) {
  if (!name.empty() && (name.front() == '<' || name.front() == '=')) name.remove_prefix(1);
  TimeUnit unit = TimeUnit::kNano;
  const size_t bracket = name.find('[');
  if (bracket != std::string_view::npos) {
    if (name.back() != ']') return false;
    const std::string_view unit_name = name.substr(bracket + 1, name.size() - bracket - 2);
    bool known = false;
    for (TimeUnit candidate : {TimeUnit::kSecond, TimeUnit::kMilli, TimeUnit::kMicro, TimeUnit::kNano}) {
      if (unit_name == TimeUnitName(candidate)) {
        unit = candidate;
        known = true;
      }
    }
    if (!known) {
      throw TypeError("unsupported time unit '" + std::string(unit_name) + "' in dtype '" +
                      std::string(name) + "'; use s, ms, us or ns");
    }
    name = name.substr(0, bracket);
  }
  if (name == "datetime64" || name == "M8") {
    *type = types::Timestamp(unit);
  } else if (name == "timedelta64" || name == "m8") {
    *type = types::Duration(unit);
  } else {
    return false;
  }
  return true;
}

}  // namespace

DataType ParseDataType(std::string_view name) {
  DataType temporal;
  if (ParseTemporalName(name, &temporal)) return temporal;
  struct Alias {
    std::string_view name;
    TypeId id;
  };
  static constexpr Alias kAliases[] = {
      {"bool", TypeId::kBool},          {"boolean", TypeId::kBool},
      {"int8", TypeId::kInt8},          {"Int8", TypeId::kInt8},
      {"int16", TypeId::kInt16},        {"Int16", TypeId::kInt16},
      {"int32", TypeId::kInt32},        {"Int32", TypeId::kInt32},
      {"int64", TypeId::kInt64},        {"Int64", TypeId::kInt64},
      {"int", TypeId::kInt64},          {"uint8", TypeId::kUInt8},
      {"UInt8", TypeId::kUInt8},        {"uint16", TypeId::kUInt16},
      {"UInt16", TypeId::kUInt16},      {"uint32", TypeId::kUInt32},
      {"UInt32", TypeId::kUInt32},      {"uint64", TypeId::kUInt64},
      {"UInt64", TypeId::kUInt64},      {"float32", TypeId::kFloat32},
      {"Float32", TypeId::kFloat32},    {"float64", TypeId::kFloat64},
      {"Float64", TypeId::kFloat64},    {"float", TypeId::kFloat64},
      {"str", TypeId::kString},         {"string", TypeId::kString},
      {"object", TypeId::kString},      {"datetime", TypeId::kTimestamp},
      {"timedelta", TypeId::kDuration},
      {"date", TypeId::kDate},          {"date32[day]", TypeId::kDate},
      {"category", TypeId::kCategorical},
  };
  for (const auto& alias : kAliases) {
    if (alias.name == name) return alias.id;
  }
  throw TypeError("unknown dtype '" + std::string(name) +
                  "'; use one of bool, int8..int64, uint8..uint64, float32, float64, string, "
                  "datetime64[s|ms|us|ns] (or M8[unit]), timedelta64[s|ms|us|ns] (or m8[unit]), "
                  "date, category");
}

}  // namespace tessera
