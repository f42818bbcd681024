// Scalar values, the deserialiser registry and the tagged envelope used for spill files.
#include "tessera/graph/value.hpp"

#include <cstring>
#include <mutex>
#include <unordered_map>

#include "tessera/base/error.hpp"

namespace tessera::graph {

void Value::Serialize(ByteSink&) const {
  throw InvalidArgument("value of this type cannot be serialised (no type_name); it can only be used in the process that made it");
}

std::string Value::ToString() const { return "<value of " + std::to_string(nbytes()) + " bytes>"; }

namespace {

template <typename T>
T ReadScalar(ByteReader& in) {
  if (in.remaining() != int64_t(sizeof(T))) {
    throw IOError("corrupt serialised scalar: expected " + std::to_string(sizeof(T)) + " bytes, got " + std::to_string(in.remaining()));
  }
  return in.ReadRaw<T>();
}

std::string ReadRest(ByteReader& in) {
  std::string text(size_t(in.remaining()), '\0');
  in.Read(text.data(), text.size());
  return text;
}

struct Registry {
  std::mutex mutex;
  std::unordered_map<std::string, Deserializer> deserializers;
};

Registry& Deserializers() {
  static Registry* registry = [] {
    auto* r = new Registry();
    r->deserializers["int64"] = [](ByteReader& in) -> ValuePtr { return MakeInt64(ReadScalar<int64_t>(in)); };
    r->deserializers["float64"] = [](ByteReader& in) -> ValuePtr { return MakeDouble(ReadScalar<double>(in)); };
    r->deserializers["bool"] = [](ByteReader& in) -> ValuePtr { return MakeBool(ReadScalar<uint8_t>(in) != 0); };
    r->deserializers["string"] = [](ByteReader& in) -> ValuePtr { return MakeString(ReadRest(in)); };
    r->deserializers["none"] = [](ByteReader&) -> ValuePtr { return None(); };
    return r;
  }();
  return *registry;
}

}  // namespace

template <typename T>
int64_t ScalarValue<T>::nbytes() const {
  if constexpr (std::is_same_v<T, std::string>) {
    return int64_t(sizeof(T) + value_.capacity());
  } else {
    return int64_t(sizeof(T));
  }
}

template <typename T>
std::string_view ScalarValue<T>::type_name() const {
  if constexpr (std::is_same_v<T, int64_t>) return "int64";
  if constexpr (std::is_same_v<T, double>) return "float64";
  if constexpr (std::is_same_v<T, bool>) return "bool";
  if constexpr (std::is_same_v<T, std::string>) return "string";
}

template <typename T>
void ScalarValue<T>::Serialize(ByteSink& out) const {
  if constexpr (std::is_same_v<T, std::string>) {
    out.Write(value_);
  } else if constexpr (std::is_same_v<T, bool>) {
    out.WriteRaw(uint8_t(value_ ? 1 : 0));
  } else {
    out.WriteRaw(value_);
  }
}

template <typename T>
std::string ScalarValue<T>::ToString() const {
  if constexpr (std::is_same_v<T, std::string>) return "'" + value_ + "'";
  if constexpr (std::is_same_v<T, bool>) return value_ ? "True" : "False";
  if constexpr (std::is_same_v<T, int64_t>) return std::to_string(value_);
  if constexpr (std::is_same_v<T, double>) {
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.17g", value_);
    return buffer;
  }
}

template class ScalarValue<int64_t>;
template class ScalarValue<double>;
template class ScalarValue<bool>;
template class ScalarValue<std::string>;

ValuePtr MakeInt64(int64_t value) {
  // Small integers are common results (counts, flags); share them instead of allocating.
  static const auto* small = [] {
    auto* table = new std::shared_ptr<const Int64Value>[256];
    for (int i = 0; i < 256; ++i) table[i] = std::make_shared<const Int64Value>(i - 128);
    return table;
  }();
  if (value >= -128 && value < 128) return small[value + 128];
  return std::make_shared<const Int64Value>(value);
}

ValuePtr MakeDouble(double value) { return std::make_shared<const DoubleValue>(value); }

ValuePtr MakeBool(bool value) {
  static const ValuePtr kTrue = std::make_shared<const BoolValue>(true);
  static const ValuePtr kFalse = std::make_shared<const BoolValue>(false);
  return value ? kTrue : kFalse;
}

ValuePtr MakeString(std::string value) { return std::make_shared<const StringValue>(std::move(value)); }

ValuePtr None() {
  static const ValuePtr kNone = std::make_shared<const NoneValue>();
  return kNone;
}

void RegisterValueType(std::string_view type_name, Deserializer deserializer) {
  Registry& registry = Deserializers();
  std::lock_guard lock(registry.mutex);
  auto [it, inserted] = registry.deserializers.emplace(std::string(type_name), deserializer);
  if (!inserted && it->second != deserializer) {
    throw InvalidArgument("value type '" + std::string(type_name) + "' is already registered with another deserialiser; pick a unique type name");
  }
}

void SerializeTagged(const Value& value, ByteSink& out) {
  const std::string_view name = value.type_name();
  if (name.empty()) {
    throw InvalidArgument("cannot serialise a value without a type_name (" + value.ToString() + "); implement Value::type_name and register a deserialiser");
  }
  out.WriteRaw(uint32_t(name.size()));
  out.Write(name);
  value.Serialize(out);
}

void SerializeTagged(const Value& value, std::string* out) {
  StringSink sink(out);
  SerializeTagged(value, sink);
}

ValuePtr DeserializeTagged(ByteReader& in) {
  if (in.remaining() < int64_t(sizeof(uint32_t))) throw IOError("corrupt serialised value: shorter than its header");
  const uint32_t length = in.ReadRaw<uint32_t>();
  if (in.remaining() < int64_t(length)) throw IOError("corrupt serialised value: type name runs past the end");
  std::string name(length, '\0');
  in.Read(name.data(), length);
  Deserializer deserializer = nullptr;
  {
    Registry& registry = Deserializers();
    std::lock_guard lock(registry.mutex);
    auto it = registry.deserializers.find(name);
    if (it != registry.deserializers.end()) deserializer = it->second;
  }
  if (deserializer == nullptr) {
    throw IOError("no deserialiser registered for value type '" + name + "'; call RegisterValueType before reading it back");
  }
  return deserializer(in);
}

ValuePtr DeserializeTagged(std::string_view bytes) {
  StringReader reader(bytes);
  return DeserializeTagged(reader);
}

}  // namespace tessera::graph
