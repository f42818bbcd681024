#include "tessera/compute/scalar.hpp"

#include <cmath>

#include "tessera/base/civil_time.hpp"
#include "tessera/base/error.hpp"

namespace tessera::compute {

double Scalar::ToDouble() const {
  if (is_null()) return std::nan("");
  if (auto* b = std::get_if<bool>(&value_)) return *b ? 1.0 : 0.0;
  if (auto* i = std::get_if<int64_t>(&value_)) return double(*i);
  if (auto* u = std::get_if<uint64_t>(&value_)) return double(*u);
  if (auto* d = std::get_if<double>(&value_)) return *d;
  throw TypeError("cannot convert a " + type_.ToString() + " scalar to a number");
}

std::string Scalar::ToString() const {
  if (is_null()) {
    if (type_.is_floating()) return "NaN";
    if (type_.is_temporal()) return "NaT";
    return "<NA>";
  }
  switch (type_.id()) {
    case TypeId::kTimestamp: return civil::FormatTimestampTicks(as_int64(), TicksPerSecond(type_.unit()));
    case TypeId::kDuration: return civil::FormatDurationTicks(as_int64(), TicksPerSecond(type_.unit()));
    case TypeId::kDate: return civil::FormatDate(as_int64());
    default: break;
  }
  if (auto* b = std::get_if<bool>(&value_)) return *b ? "True" : "False";
  if (auto* i = std::get_if<int64_t>(&value_)) return std::to_string(*i);
  if (auto* u = std::get_if<uint64_t>(&value_)) return std::to_string(*u);
  if (auto* d = std::get_if<double>(&value_)) {
    if (std::isnan(*d)) return "NaN";
    char text[64];
    std::snprintf(text, sizeof text, "%.17g", *d);
    return text;
  }
  return as_string();
}

std::optional<int> CompareScalars(const Scalar& a, const Scalar& b) {
  if (a.is_null() || b.is_null()) return std::nullopt;
  auto order = [](auto x, auto y) { return x < y ? -1 : x == y ? 0 : 1; };
  const DataType ta = a.type(), tb = b.type();
  if (ta == types::String() || tb == types::String()) {
    if (ta != tb) return std::nullopt;
    return order(a.as_string().compare(b.as_string()), 0);
  }
  if (ta.is_temporal() || tb.is_temporal()) {
    if (ta.id() != tb.id()) return std::nullopt;
    if (ta.unit() == tb.unit()) return order(a.as_int64(), b.as_int64());
    // Different units: the coarser value moves to the finer unit; one out of its range lies
    // beyond every value of the finer unit.
    const bool a_finer = ta.unit() > tb.unit();
    const int64_t coarse = a_finer ? b.as_int64() : a.as_int64();
    int64_t converted = 0;
    const int sign = ConvertTicks(coarse, a_finer ? tb.unit() : ta.unit(), a_finer ? ta.unit() : tb.unit(), &converted)
                         ? order(converted, a_finer ? a.as_int64() : b.as_int64())
                         : (coarse < 0 ? -1 : 1);
    return a_finer ? -sign : sign;
  }
  if (ta.is_signed_integer() && tb.is_signed_integer()) return order(a.as_int64(), b.as_int64());
  if (ta == types::UInt64() && tb == types::UInt64()) return order(a.as_uint64(), b.as_uint64());
  return order(a.ToDouble(), b.ToDouble());
}

}  // namespace tessera::compute
