// Building, resolving and validating task graphs.
#include "tessera/graph/graph.hpp"

#include <algorithm>

#include "tessera/base/error.hpp"
#include "tessera/graph/order.hpp"

namespace tessera::graph {

namespace {

template <typename T>
int64_t CapacityBytes(const std::vector<T>& v) {
  return int64_t(v.capacity() * sizeof(T));
}

// The key index is a table of 16-slot buckets (one cache line of ids). Sixteen consecutive
// partitions of one name share a bucket (its hash covers index >> 4) and take adjacent slots, so
// building and resolving a graph whose keys come in partition order touches memory mostly
// sequentially. The slot within the bucket also mixes in the name, so plain names (index -1) and
// single-partition names spread over all slots. A taken slot probes the same slot of the next
// bucket (short clusters, as linear probing over mixed hashes); after a full round of buckets
// the probe moves to the next slot, so it always finds a free one.
struct Probe {
  size_t bucket;
  size_t offset;
  size_t bucket_mask;
  size_t steps = 0;
  size_t slot() const { return (bucket << 4) | offset; }
  void Next() {
    bucket = (bucket + 1) & bucket_mask;
    if (++steps > bucket_mask) {
      steps = 0;
      offset = (offset + 1) & 15;
    }
  }
};

inline Probe StartProbe(const Key& key, size_t num_slots) {
  const size_t bucket_mask = (num_slots >> 4) - 1;
  const uint64_t bucket_hash = HashKey(Key(key.name, key.index >> 4));
  const size_t offset = size_t(uint64_t(key.index) + (bucket_hash >> 60)) & 15;
  return {size_t(bucket_hash) & bucket_mask, offset, bucket_mask};
}

}  // namespace

void Graph::Reserve(size_t num_tasks, size_t num_args) {
  keys_.reserve(num_tasks);
  function_.reserve(num_tasks);
  arg_begin_.reserve(num_tasks + 1);
  args_.reserve(num_args);
  size_t slots = 16;
  while (slots < 2 * num_tasks) slots *= 2;
  if (slots > index_.size()) {
    index_.assign(slots, kNoTask);
    for (TaskId t = 0; t < keys_.size(); ++t) {
      Probe probe = StartProbe(keys_[t], slots);
      while (index_[probe.slot()] != kNoTask) probe.Next();
      index_[probe.slot()] = t;
    }
  }
}

uint32_t Graph::AddFunction(TaskFunction function) {
  // An operation with shared parameters is its own function (the parameters tell them apart).
  const void* identity = function.closure  ? static_cast<const void*>(function.closure.get())
                         : function.params ? static_cast<const void*>(function.params.get())
                                           : static_cast<const void*>(function.operation);
  if (identity == nullptr) throw InvalidArgument("task function is empty: give an operation or a closure");
  auto it = function_index_.find(identity);
  if (it != function_index_.end()) return it->second;
  const uint32_t index = uint32_t(functions_.size());
  functions_.push_back(std::move(function));
  function_index_.emplace(identity, index);
  return index;
}

Arg Graph::AddLiteral(ValuePtr value) {
  if (!value) return Arg::NoneArg();
  literals_.push_back(std::move(value));
  return {ArgKind::kValue, uint32_t(literals_.size() - 1), 0};
}

void Graph::GrowIndex() {
  const size_t slots = index_.empty() ? 16 : index_.size() * 2;
  index_.assign(slots, kNoTask);
  for (TaskId t = 0; t < keys_.size(); ++t) {
    Probe probe = StartProbe(keys_[t], slots);
    while (index_[probe.slot()] != kNoTask) probe.Next();
    index_[probe.slot()] = t;
  }
}

TaskId Graph::AddTask(Key key, uint32_t function, std::span<const Arg> args, std::string params) {
  if (finalized_) {
    throw InvalidArgument("cannot add task " + key.ToString() + " to a finalized graph; build a new graph");
  }
  if (function >= functions_.size()) {
    throw InvalidArgument("task " + key.ToString() + " uses function index " + std::to_string(function) + " that was not returned by AddFunction");
  }
  if (2 * (keys_.size() + 1) > index_.size()) GrowIndex();
  Probe probe = StartProbe(key, index_.size());
  while (index_[probe.slot()] != kNoTask) {
    if (keys_[index_[probe.slot()]] == key) {
      throw InvalidArgument("duplicate task key " + key.ToString() + "; every task needs a unique key (use another name or partition index)");
    }
    probe.Next();
  }
  const size_t slot = probe.slot();
  const TaskId id = TaskId(keys_.size());
  if (id == kNoTask) throw InvalidArgument("graph has too many tasks (limit 4294967294)");
  index_[slot] = id;
  keys_.push_back(key);
  function_.push_back(function);
  for (const Arg& arg : args) {
    if (arg.kind == ArgKind::kValue && arg.id >= literals_.size()) {
      throw InvalidArgument("task " + key.ToString() + " has a literal argument not made by AddLiteral");
    }
    if (arg.kind == ArgKind::kExternal) {
      throw InvalidArgument("task " + key.ToString() + ": external references are made by Finalize; pass Arg::Ref(key)");
    }
  }
  args_.insert(args_.end(), args.begin(), args.end());
  arg_begin_.push_back(uint32_t(args_.size()));
  if (!params.empty()) params_.emplace(id, std::move(params));
  return id;
}

std::optional<TaskId> Graph::Find(const Key& key) const {
  if (index_.empty()) return std::nullopt;
  Probe probe = StartProbe(key, index_.size());
  for (TaskId t; (t = index_[probe.slot()]) != kNoTask; probe.Next()) {
    if (keys_[t] == key) return t;
  }
  return std::nullopt;
}

TaskId Graph::At(const Key& key) const {
  auto task = Find(key);
  if (!task) throw KeyError("key " + key.ToString() + " is not in the task graph");
  return *task;
}

std::string_view Graph::params(TaskId task) const {
  if (!params_.empty()) {
    auto it = params_.find(task);
    if (it != params_.end()) return it->second;
  }
  const auto& shared = functions_[function_[task]].params;
  return shared ? std::string_view(*shared) : std::string_view();
}

std::string_view Graph::own_params(TaskId task) const {
  auto it = params_.find(task);
  return it == params_.end() ? std::string_view() : std::string_view(it->second);
}

uint32_t Graph::AddOperation(const Operation* operation, std::string params) {
  return AddFunction({operation, nullptr, std::make_shared<const std::string>(std::move(params))});
}

std::span<const uint32_t> Graph::external_dependencies(TaskId task) const {
  auto it = external_deps_.find(task);
  if (it == external_deps_.end()) return {};
  return it->second;
}

bool Graph::needs_same_process() const {
  for (const auto& f : functions_) {
    if (f.needs_same_process()) return true;
  }
  return false;
}

void Graph::BuildDependencies(const ExternalResolver& is_external) {
  const size_t n = keys_.size();
  std::unordered_map<Key, uint32_t, KeyHasher> external_index;
  dep_begin_.assign(n + 1, 0);
  deps_.clear();
  deps_.reserve(args_.size());
  for (TaskId t = 0; t < n; ++t) {
    dep_begin_[t] = uint32_t(deps_.size());
    const size_t first = deps_.size();
    for (uint32_t a = arg_begin_[t]; a < arg_begin_[t + 1]; ++a) {
      Arg& arg = args_[a];
      if (arg.kind == ArgKind::kKey) {
        const Key ref = arg.referenced_key();
        auto dep = Find(ref);
        if (dep) {
          arg = Arg::Task(*dep);
        } else if (is_external && is_external(ref)) {
          auto [it, inserted] = external_index.emplace(ref, uint32_t(external_keys_.size()));
          if (inserted) external_keys_.push_back(ref);
          arg = {ArgKind::kExternal, it->second, 0};
          auto& list = external_deps_[t];
          if (std::find(list.begin(), list.end(), it->second) == list.end()) list.push_back(it->second);
          continue;
        } else {
          throw InvalidArgument("task " + keys_[t].ToString() + " depends on " + ref.ToString() +
                                ", which is not in the graph; add a task for " + ref.ToString() +
                                " or persist it before submitting this graph");
        }
      }
      if (arg.kind == ArgKind::kTask) {
        if (arg.id >= n) {
          throw InvalidArgument("task " + keys_[t].ToString() + " refers to task id " + std::to_string(arg.id) + " beyond the graph's " + std::to_string(n) + " tasks");
        }
        if (arg.id == t) {
          throw InvalidArgument("cycle in task graph: " + keys_[t].ToString() + " -> " + keys_[t].ToString() + "; a task cannot read its own result");
        }
        // Arguments are few per task, so a linear scan dedupes add(x, x) without a set.
        if (std::find(deps_.begin() + first, deps_.end(), arg.id) == deps_.end()) deps_.push_back(arg.id);
      }
    }
  }
  dep_begin_[n] = uint32_t(deps_.size());
  deps_.shrink_to_fit();

  dependent_begin_.assign(n + 1, 0);
  for (TaskId dep : deps_) dependent_begin_[dep + 1]++;
  for (size_t t = 0; t < n; ++t) dependent_begin_[t + 1] += dependent_begin_[t];
  dependents_.assign(deps_.size(), 0);
  std::vector<uint32_t> fill(dependent_begin_.begin(), dependent_begin_.end() - 1);
  for (TaskId t = 0; t < n; ++t) {
    for (TaskId dep : dependencies(t)) dependents_[fill[dep]++] = t;
  }
}

void Graph::CheckAcyclic() const {
  const size_t n = keys_.size();
  std::vector<uint32_t> waiting(n);
  std::vector<TaskId> ready;
  for (TaskId t = 0; t < n; ++t) {
    waiting[t] = dep_begin_[t + 1] - dep_begin_[t];
    if (waiting[t] == 0) ready.push_back(t);
  }
  size_t visited = 0;
  while (!ready.empty()) {
    const TaskId t = ready.back();
    ready.pop_back();
    ++visited;
    for (TaskId d : dependents(t)) {
      if (--waiting[d] == 0) ready.push_back(d);
    }
  }
  if (visited == n) return;
  // Every unvisited task waits on an unvisited dependency; following those must revisit one.
  TaskId start = 0;
  while (waiting[start] == 0) ++start;
  std::vector<int64_t> position(n, -1);
  std::vector<TaskId> path;
  TaskId t = start;
  while (position[t] < 0) {
    position[t] = int64_t(path.size());
    path.push_back(t);
    for (TaskId dep : dependencies(t)) {
      if (waiting[dep] != 0) {
        t = dep;
        break;
      }
    }
  }
  std::string text;
  for (size_t i = size_t(position[t]); i < path.size(); ++i) text += keys_[path[i]].ToString() + " -> ";
  text += keys_[t].ToString();
  throw InvalidArgument("cycle in task graph: " + text + " (each depends on the next); remove one of these dependencies");
}

void Graph::Finalize(const ExternalResolver& is_external) {
  if (finalized_) throw InvalidArgument("graph is already finalized");
  BuildDependencies(is_external);
  CheckAcyclic();
  priority_ = ComputePriorities(*this);
  finalized_ = true;
}

int64_t Graph::nbytes() const {
  int64_t bytes = CapacityBytes(keys_) + CapacityBytes(function_) + CapacityBytes(arg_begin_) +
                  CapacityBytes(args_) + CapacityBytes(functions_) + CapacityBytes(literals_) +
                  CapacityBytes(external_keys_) + CapacityBytes(dep_begin_) + CapacityBytes(deps_) +
                  CapacityBytes(dependent_begin_) + CapacityBytes(dependents_) +
                  CapacityBytes(priority_) + CapacityBytes(index_);
  for (const auto& [task, text] : params_) bytes += int64_t(sizeof(task) + sizeof(text) + text.capacity() + 16);
  return bytes;
}

}  // namespace tessera::graph
