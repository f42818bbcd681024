// Definition of VisitFixedWidth (kept apart so data_type.hpp reads as an interface).
#pragma once

#include <cstdint>

#include "tessera/base/error.hpp"

namespace tessera {

template <typename Fn>
decltype(auto) VisitFixedWidth(DataType type, Fn&& fn) {
  switch (type.id()) {
    case TypeId::kBool: return fn(uint8_t{});
    case TypeId::kInt8: return fn(int8_t{});
    case TypeId::kInt16: return fn(int16_t{});
    case TypeId::kInt32: return fn(int32_t{});
    case TypeId::kInt64: return fn(int64_t{});
    case TypeId::kUInt8: return fn(uint8_t{});
    case TypeId::kUInt16: return fn(uint16_t{});
    case TypeId::kUInt32: return fn(uint32_t{});
    case TypeId::kUInt64: return fn(uint64_t{});
    case TypeId::kFloat32: return fn(float{});
    case TypeId::kFloat64: return fn(double{});
    case TypeId::kTimestamp: return fn(int64_t{});
    case TypeId::kDuration: return fn(int64_t{});
    case TypeId::kDate: return fn(int32_t{});
    case TypeId::kCategorical: return fn(int32_t{});
    case TypeId::kString: break;
  }
  throw TypeError("expected a fixed-width type, got " + type.ToString());
}

}  // namespace tessera
