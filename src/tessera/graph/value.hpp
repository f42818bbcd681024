// Type-erased task results. The scheduler never looks inside a value: it asks for its size (for
// the memory limit) and, to spill it to disk or later send it over the network, for its bytes.
// Concrete values (tables, scalars, user types) implement Value; results are shared as
// ValuePtr = std::shared_ptr<const Value> and never mutated once produced.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tessera/base/byte_stream.hpp"

namespace tessera::graph {

/// A result held by the scheduler. Implementations must be immutable after construction and
/// safe to read from several threads at once.
class Value {
 public:
  virtual ~Value() = default;
  /// Bytes this value keeps alive (what the memory limit counts). Called from any worker thread,
  /// possibly concurrently; must not block.
  virtual int64_t nbytes() const = 0;
  /// Name under which a deserialiser is registered (RegisterValueType), or empty when the value
  /// cannot be serialised (it is then never spilled and cannot leave the process).
  virtual std::string_view type_name() const { return {}; }
  /// Writes the value's bytes to `out`. Called only when type_name() is non-empty, from any
  /// thread (the one that spills); may allocate but must not block on the scheduler.
  virtual void Serialize(ByteSink& out) const;
  /// Short human text for errors and tests.
  virtual std::string ToString() const;
};

using ValuePtr = std::shared_ptr<const Value>;

/// Rebuilds a value from the bytes Serialize wrote (exactly those: `in.remaining()` is their
/// count when the payload is not self-delimiting). May be called from any thread.
using Deserializer = ValuePtr (*)(ByteReader& in);

/// Registers the deserialiser for values whose type_name() is `type_name`. Idempotent for the
/// same function; thread-safe.
void RegisterValueType(std::string_view type_name, Deserializer deserializer);
/// Writes [type name length][type name][payload], so DeserializeTagged needs no other context.
/// Throws InvalidArgument when the value cannot be serialised.
void SerializeTagged(const Value& value, ByteSink& out);
void SerializeTagged(const Value& value, std::string* out);
/// Inverse of SerializeTagged; throws IOError for truncated input or an unregistered type.
ValuePtr DeserializeTagged(ByteReader& in);
ValuePtr DeserializeTagged(std::string_view bytes);

/// A scalar result (the values of small tasks, counts, sums).
template <typename T>
class ScalarValue final : public Value {
 public:
  explicit ScalarValue(T value) : value_(std::move(value)) {}
  const T& value() const { return value_; }
  int64_t nbytes() const override;
  std::string_view type_name() const override;
  void Serialize(ByteSink& out) const override;
  std::string ToString() const override;

 private:
  T value_;
};

using Int64Value = ScalarValue<int64_t>;
using DoubleValue = ScalarValue<double>;
using BoolValue = ScalarValue<bool>;
using StringValue = ScalarValue<std::string>;

extern template class ScalarValue<int64_t>;
extern template class ScalarValue<double>;
extern template class ScalarValue<bool>;
extern template class ScalarValue<std::string>;

/// "Nothing" (a task that returns void, Python's None).
class NoneValue final : public Value {
 public:
  int64_t nbytes() const override { return 0; }
  std::string_view type_name() const override { return "none"; }
  void Serialize(ByteSink&) const override {}
  std::string ToString() const override { return "None"; }
};

/// Shared instances for the common cases, so small tasks need not allocate.
ValuePtr MakeInt64(int64_t value);
ValuePtr MakeDouble(double value);
ValuePtr MakeBool(bool value);
ValuePtr MakeString(std::string value);
ValuePtr None();

}  // namespace tessera::graph
