// What a task is: a function (a registered operation named by a string, or a closure that only
// the current process can run), serialisable parameters, and arguments that are either
// references to other tasks' results or literal values. Tasks are data so a worker process can
// rebuild the callable from the operation registry; closures are allowed and marked as such.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tessera/graph/key.hpp"
#include "tessera/graph/value.hpp"

namespace tessera::graph {

using TaskId = uint32_t;
inline constexpr TaskId kNoTask = UINT32_MAX;

enum class ArgKind : uint8_t {
  kKey,       // reference to the task with key (id, payload) (resolved to kTask by Finalize)
  kTask,      // reference to the task `id` in the same graph
  kExternal,  // reference to external_keys()[id]: a result the scheduler already holds
  kValue,     // literal value: the graph's literals()[id]
  kInt64,     // inline literal: payload
  kDouble,    // inline literal: payload's bits
  kBool,      // inline literal: payload != 0
  kNone,      // inline literal None
};

/// One argument of a task: 16 bytes, no allocation for references and small scalars.
struct Arg {
  ArgKind kind = ArgKind::kNone;
  uint32_t id = 0;
  int64_t payload = 0;

  /// A reference to the result of the task named `key`.
  static Arg Ref(Key key) { return {ArgKind::kKey, key.name, key.index}; }
  static Arg Task(TaskId task) { return {ArgKind::kTask, task, 0}; }
  static Arg Int64(int64_t value) { return {ArgKind::kInt64, 0, value}; }
  static Arg Double(double value);
  static Arg Bool(bool value) { return {ArgKind::kBool, 0, value ? 1 : 0}; }
  static Arg NoneArg() { return {ArgKind::kNone, 0, 0}; }

  bool is_reference() const {
    return kind == ArgKind::kKey || kind == ArgKind::kTask || kind == ArgKind::kExternal;
  }
  Key referenced_key() const { return Key(id, payload); }  // kind == kKey only
  double double_value() const;
};

/// The inputs of one running task. `values[i]` holds the value of every reference and kValue
/// argument; inline scalars are read from the Arg itself. Built by the scheduler on the worker
/// thread that runs the task; valid only during the call.
class TaskInputs {
 public:
  TaskInputs(Key key, const Arg* args, size_t num_args, const ValuePtr* values,
             std::string_view params)
      : key_(key), args_(args), num_args_(num_args), values_(values), params_(params) {}

  Key key() const { return key_; }
  size_t size() const { return num_args_; }
  const Arg& arg(size_t i) const { return args_[i]; }
  const Arg* args() const { return args_; }
  std::string_view params() const { return params_; }
  /// The values array the scheduler filled (see the class comment).
  const ValuePtr* values() const { return values_; }

  /// Argument i as an integer (inline literal or an Int64Value result); TypeError otherwise.
  int64_t Int64(size_t i) const;
  /// Argument i as a double (accepts integers, as Python would).
  double Double(size_t i) const;
  bool Bool(size_t i) const;
  /// Argument i as a shared value (inline scalars are boxed on demand).
  ValuePtr Get(size_t i) const;
  /// Argument i as a concrete value type; TypeError naming the task key when it is not one.
  template <typename V>
  const V& As(size_t i) const {
    const V* typed = dynamic_cast<const V*>(Get(i).get());
    if (typed == nullptr) ThrowWrongType(i, typeid(V).name());
    return *typed;
  }

 private:
  [[noreturn]] void ThrowWrongType(size_t i, const char* wanted) const;

  Key key_;
  const Arg* args_;
  size_t num_args_;
  const ValuePtr* values_;
  std::string_view params_;
};

/// A registered operation: plain function pointer, so calling it costs no allocation.
/// Called on a scheduler worker thread; may block on I/O but must not wait for other tasks.
using OperationFn = ValuePtr (*)(const TaskInputs& inputs);

struct Operation {
  std::string name;
  OperationFn fn = nullptr;
};

/// Registers `fn` under `name` (e.g. "csv.read_block"). Idempotent for the same function;
/// InvalidArgument when the name is taken by another function. Thread-safe.
const Operation* RegisterOperation(std::string_view name, OperationFn fn);
/// The operation registered as `name`; KeyError listing how to register it when absent.
const Operation* FindOperation(std::string_view name);

/// A function only this process can run (a C++ lambda, a Python callable). A graph holding one
/// records that it needs the same process. Call runs on a scheduler worker thread, possibly
/// concurrently with other calls of the same closure; it may block on I/O but must not wait for
/// other tasks of the same scheduler.
class Closure {
 public:
  virtual ~Closure() = default;
  virtual ValuePtr Call(const TaskInputs& inputs) const = 0;
  /// Name shown in errors and task streams.
  virtual std::string_view name() const = 0;
  /// The same function as data, so a graph holding it can leave the process: the registered
  /// operation that does what Call does, given the parameters SerializeParams writes. Null when
  /// only this process can run the closure. (A closure may run its work directly in process and
  /// still have a data form: that keeps the local path free of per-task decoding.)
  virtual const Operation* operation() const { return nullptr; }
  /// The parameters for operation() (called only when it is set, when a graph is serialised).
  /// Throws NotImplemented naming what cannot be serialised.
  virtual std::string SerializeParams() const { return {}; }
};

/// The callable of a task: exactly one of `operation` and `closure` is set. `params` are the
/// operation's parameters shared by all its tasks (a task's own params, when it has some, win).
struct TaskFunction {
  const Operation* operation = nullptr;
  std::shared_ptr<const Closure> closure;
  std::shared_ptr<const std::string> params;

  bool needs_same_process() const { return closure != nullptr && closure->operation() == nullptr; }
  std::string_view name() const { return closure ? closure->name() : operation->name; }
  ValuePtr Call(const TaskInputs& inputs) const {
    return closure ? closure->Call(inputs) : operation->fn(inputs);
  }
};

}  // namespace tessera::graph
