// How C++ values become scheduler values and back: integers, floats, bools and strings map to
// the graph layer's serialisable scalars, tables to TableValue, and any other type T to
// AnyValue<T> (kept in this process, never spilled).
#pragma once

#include <string>
#include <type_traits>
#include <typeinfo>

#include "tessera/base/error.hpp"
#include "tessera/graph/value.hpp"

namespace tessera {

/// A C++ object of any type held as a task result in this process.
template <typename T>
class AnyValue final : public graph::Value {
 public:
  explicit AnyValue(T value) : value_(std::move(value)) {}
  const T& value() const { return value_; }
  /// Only the object itself is counted: its heap contents are unknown to the scheduler.
  int64_t nbytes() const override { return int64_t(sizeof(T)); }

 private:
  T value_;
};

[[noreturn]] void ThrowUnboxError(const graph::Value* value, const char* wanted);

/// Box: T -> ValuePtr. Unbox: ValuePtr -> T (TypeError when the value holds something else).
template <typename T, typename Enable = void>
struct ValueTraits {
  static graph::ValuePtr Box(T value) { return std::make_shared<const AnyValue<T>>(std::move(value)); }
  static T Unbox(const graph::ValuePtr& value) {
    if (auto* any = dynamic_cast<const AnyValue<T>*>(value.get())) return any->value();
    ThrowUnboxError(value.get(), typeid(T).name());
  }
};

template <>
struct ValueTraits<graph::ValuePtr> {
  static graph::ValuePtr Box(graph::ValuePtr value) { return value ? value : graph::None(); }
  static graph::ValuePtr Unbox(const graph::ValuePtr& value) { return value; }
};

template <>
struct ValueTraits<bool> {
  static graph::ValuePtr Box(bool value) { return graph::MakeBool(value); }
  static bool Unbox(const graph::ValuePtr& value) {
    if (auto* v = dynamic_cast<const graph::BoolValue*>(value.get())) return v->value();
    ThrowUnboxError(value.get(), "bool");
  }
};

template <typename T>
struct ValueTraits<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
  static graph::ValuePtr Box(T value) { return graph::MakeInt64(int64_t(value)); }
  static T Unbox(const graph::ValuePtr& value) {
    if (auto* v = dynamic_cast<const graph::Int64Value*>(value.get())) return T(v->value());
    ThrowUnboxError(value.get(), "integer");
  }
};

template <typename T>
struct ValueTraits<T, std::enable_if_t<std::is_floating_point_v<T>>> {
  static graph::ValuePtr Box(T value) { return graph::MakeDouble(double(value)); }
  static T Unbox(const graph::ValuePtr& value) {
    if (auto* v = dynamic_cast<const graph::DoubleValue*>(value.get())) return T(v->value());
    if (auto* v = dynamic_cast<const graph::Int64Value*>(value.get())) return T(v->value());
    ThrowUnboxError(value.get(), "float");
  }
};

template <>
struct ValueTraits<std::string> {
  static graph::ValuePtr Box(std::string value) { return graph::MakeString(std::move(value)); }
  static std::string Unbox(const graph::ValuePtr& value) {
    if (auto* v = dynamic_cast<const graph::StringValue*>(value.get())) return v->value();
    ThrowUnboxError(value.get(), "string");
  }
};

}  // namespace tessera
