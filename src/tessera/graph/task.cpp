// Argument accessors and the process-wide operation registry.
#include "tessera/graph/task.hpp"

#include <cstring>
#include <mutex>
#include <unordered_map>

#include "tessera/base/error.hpp"

namespace tessera::graph {

Arg Arg::Double(double value) {
  Arg arg{ArgKind::kDouble, 0, 0};
  std::memcpy(&arg.payload, &value, sizeof(value));
  return arg;
}

double Arg::double_value() const {
  double value;
  std::memcpy(&value, &payload, sizeof(value));
  return value;
}

int64_t TaskInputs::Int64(size_t i) const {
  const Arg& a = args_[i];
  if (a.kind == ArgKind::kInt64) return a.payload;
  if (a.kind == ArgKind::kBool) return a.payload;
  if (auto* v = dynamic_cast<const Int64Value*>(values_[i].get())) return v->value();
  if (auto* v = dynamic_cast<const BoolValue*>(values_[i].get())) return v->value();
  ThrowWrongType(i, "int64");
}

double TaskInputs::Double(size_t i) const {
  const Arg& a = args_[i];
  if (a.kind == ArgKind::kDouble) return a.double_value();
  if (a.kind == ArgKind::kInt64) return double(a.payload);
  if (auto* v = dynamic_cast<const DoubleValue*>(values_[i].get())) return v->value();
  if (auto* v = dynamic_cast<const Int64Value*>(values_[i].get())) return double(v->value());
  ThrowWrongType(i, "float64");
}

bool TaskInputs::Bool(size_t i) const {
  const Arg& a = args_[i];
  if (a.kind == ArgKind::kBool) return a.payload != 0;
  if (auto* v = dynamic_cast<const BoolValue*>(values_[i].get())) return v->value();
  ThrowWrongType(i, "bool");
}

ValuePtr TaskInputs::Get(size_t i) const {
  const Arg& a = args_[i];
  switch (a.kind) {
    case ArgKind::kInt64:
      return MakeInt64(a.payload);
    case ArgKind::kDouble:
      return MakeDouble(a.double_value());
    case ArgKind::kBool:
      return MakeBool(a.payload != 0);
    case ArgKind::kNone:
      return None();
    default:
      return values_[i];
  }
}

void TaskInputs::ThrowWrongType(size_t i, const char* wanted) const {
  const ValuePtr& value = values_[i];
  throw TypeError("argument " + std::to_string(i) + " of task " + key_.ToString() + " is not a " +
                  wanted + " (got " + (value ? value->ToString() : std::string("an inline literal")) +
                  "); check what the task producing it returns");
}

namespace {

struct OperationRegistry {
  std::mutex mutex;
  std::unordered_map<std::string, std::unique_ptr<Operation>> operations;
};

OperationRegistry& Operations() {
  static auto* registry = new OperationRegistry();
  return *registry;
}

}  // namespace

const Operation* RegisterOperation(std::string_view name, OperationFn fn) {
  OperationRegistry& registry = Operations();
  std::lock_guard lock(registry.mutex);
  auto it = registry.operations.find(std::string(name));
  if (it != registry.operations.end()) {
    if (it->second->fn != fn) {
      throw InvalidArgument("operation '" + std::string(name) + "' is already registered with another function; choose a unique name such as 'mylib." + std::string(name) + "'");
    }
    return it->second.get();
  }
  auto op = std::make_unique<Operation>(Operation{std::string(name), fn});
  const Operation* result = op.get();
  registry.operations.emplace(std::string(name), std::move(op));
  return result;
}

const Operation* FindOperation(std::string_view name) {
  OperationRegistry& registry = Operations();
  std::lock_guard lock(registry.mutex);
  auto it = registry.operations.find(std::string(name));
  if (it == registry.operations.end()) {
    throw KeyError("no operation registered as '" + std::string(name) + "'; register it with graph::RegisterOperation in every process that runs the graph");
  }
  return it->second.get();
}

}  // namespace tessera::graph
