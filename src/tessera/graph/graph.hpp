// A task graph: tasks stored in flat arrays indexed by integer TaskId (keys, function index,
// arguments, dependencies and dependents in compressed rows), so a million-task graph is a few
// large allocations rather than millions of small ones. Built by AddTask, then Finalize()
// resolves key references, validates (missing dependencies, cycles) and computes static
// priorities; afterwards the graph is immutable and may be read from any number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "tessera/graph/task.hpp"

namespace tessera::graph {

class Graph {
 public:
  Graph() = default;
  Graph(Graph&&) = default;
  Graph& operator=(Graph&&) = default;

  /// Pre-sizes the arrays (optional; avoids regrowth when the size is known).
  void Reserve(size_t num_tasks, size_t num_args);

  /// Registers a callable with this graph and returns the index AddTask takes. The same
  /// operation or closure object always gets the same index.
  uint32_t AddFunction(TaskFunction function);
  uint32_t AddOperation(const Operation* operation) { return AddFunction({operation, nullptr, nullptr}); }
  /// An operation with parameters shared by all tasks that use the returned index (each call
  /// adds a new function).
  uint32_t AddOperation(const Operation* operation, std::string params);
  uint32_t AddClosure(std::shared_ptr<const Closure> closure) {
    return AddFunction({nullptr, std::move(closure), nullptr});
  }
  /// Stores a literal value in the graph and returns the argument that refers to it.
  Arg AddLiteral(ValuePtr value);

  /// Adds a task computing `key`. References (Arg::Ref) may name tasks added later. Throws
  /// InvalidArgument for a duplicate key or after Finalize(). Returns the task's id.
  TaskId AddTask(Key key, uint32_t function, std::span<const Arg> args, std::string params = {});
  TaskId AddTask(Key key, uint32_t function, std::initializer_list<Arg> args) {
    return AddTask(key, function, std::span<const Arg>(args.begin(), args.size()));
  }

  /// Says whether a key that is not in the graph is held elsewhere (by the scheduler's store).
  using ExternalResolver = std::function<bool(const Key&)>;
  /// Resolves references, builds dependencies and dependents, validates and orders. A reference
  /// to a key neither in the graph nor accepted by `is_external` is an InvalidArgument naming
  /// both keys; a cycle is an InvalidArgument listing the keys on it. Call once.
  void Finalize(const ExternalResolver& is_external = nullptr);
  bool finalized() const { return finalized_; }

  size_t num_tasks() const { return keys_.size(); }
  Key key(TaskId task) const { return keys_[task]; }
  const std::vector<Key>& keys() const { return keys_; }
  const TaskFunction& function(TaskId task) const { return functions_[function_[task]]; }
  uint32_t function_index(TaskId task) const { return function_[task]; }
  const std::vector<TaskFunction>& functions() const { return functions_; }
  std::span<const Arg> args(TaskId task) const {
    return {args_.data() + arg_begin_[task], args_.data() + arg_begin_[task + 1]};
  }
  /// The task's parameters: its own, else its function's (empty when neither has any).
  std::string_view params(TaskId task) const;
  /// The parameters given to AddTask for this task alone (empty when none).
  std::string_view own_params(TaskId task) const;
  const std::vector<ValuePtr>& literals() const { return literals_; }
  /// Keys referenced but held outside the graph (ArgKind::kExternal ids index this).
  const std::vector<Key>& external_keys() const { return external_keys_; }
  /// Tasks whose results this task reads (unique; after Finalize).
  std::span<const TaskId> dependencies(TaskId task) const {
    return {deps_.data() + dep_begin_[task], deps_.data() + dep_begin_[task + 1]};
  }
  /// External keys this task reads (indices into external_keys(); after Finalize).
  std::span<const uint32_t> external_dependencies(TaskId task) const;
  /// Tasks that read this task's result (after Finalize).
  std::span<const TaskId> dependents(TaskId task) const {
    return {dependents_.data() + dependent_begin_[task], dependents_.data() + dependent_begin_[task + 1]};
  }
  /// Static priority: lower runs first (the order a sequential run would visit the task).
  uint32_t priority(TaskId task) const { return priority_[task]; }
  const std::vector<uint32_t>& priorities() const { return priority_; }
  /// Whether any task is a closure (the graph cannot leave this process).
  bool needs_same_process() const;

  /// The task computing `key`, if any.
  std::optional<TaskId> Find(const Key& key) const;
  /// Like Find but throws KeyError naming the key.
  TaskId At(const Key& key) const;

  /// Bytes held by the graph's own arrays (capacity, not size), for memory reports.
  int64_t nbytes() const;

 private:
  void GrowIndex();
  void BuildDependencies(const ExternalResolver& is_external);
  void CheckAcyclic() const;

  bool finalized_ = false;
  std::vector<Key> keys_;
  std::vector<uint32_t> function_;
  std::vector<uint32_t> arg_begin_{0};
  std::vector<Arg> args_;
  std::unordered_map<TaskId, std::string> params_;  // sparse: most tasks have none
  std::vector<TaskFunction> functions_;
  std::unordered_map<const void*, uint32_t> function_index_;
  std::vector<ValuePtr> literals_;
  std::vector<Key> external_keys_;
  std::unordered_map<TaskId, std::vector<uint32_t>> external_deps_;  // sparse
  std::vector<uint32_t> dep_begin_;
  std::vector<TaskId> deps_;
  std::vector<uint32_t> dependent_begin_;
  std::vector<TaskId> dependents_;
  std::vector<uint32_t> priority_;
  // Open-addressing key -> task id index (linear probing, power-of-two size, kNoTask = empty).
  std::vector<TaskId> index_;
};

}  // namespace tessera::graph
