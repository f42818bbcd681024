// Culling and the task copy shared by the graph rewrites.
#include "tessera/graph/cull.hpp"

#include <unordered_set>

namespace tessera::graph {

std::vector<uint8_t> NeededTasks(const Graph& graph, const std::vector<TaskId>& outputs) {
  std::vector<uint8_t> needed(graph.num_tasks(), 0);
  std::vector<TaskId> stack;
  for (TaskId t : outputs) {
    if (!needed[t]) {
      needed[t] = 1;
      stack.push_back(t);
    }
  }
  while (!stack.empty()) {
    const TaskId t = stack.back();
    stack.pop_back();
    for (TaskId dep : graph.dependencies(t)) {
      if (!needed[dep]) {
        needed[dep] = 1;
        stack.push_back(dep);
      }
    }
  }
  return needed;
}

TaskId CopyTask(const Graph& source, TaskId task, Graph* target) {
  std::vector<Arg> args(source.args(task).begin(), source.args(task).end());
  for (Arg& arg : args) {
    switch (arg.kind) {
      case ArgKind::kTask:
        arg = Arg::Ref(source.key(arg.id));
        break;
      case ArgKind::kExternal:
        arg = Arg::Ref(source.external_keys()[arg.id]);
        break;
      case ArgKind::kValue:
        arg = target->AddLiteral(source.literals()[arg.id]);
        break;
      default:
        break;
    }
  }
  const uint32_t function = target->AddFunction(source.function(task));
  return target->AddTask(source.key(task), function, args, std::string(source.own_params(task)));
}

Graph Cull(const Graph& graph, const std::vector<Key>& keys) {
  std::vector<TaskId> outputs;
  outputs.reserve(keys.size());
  for (const Key& key : keys) outputs.push_back(graph.At(key));
  const std::vector<uint8_t> needed = NeededTasks(graph, outputs);
  Graph culled;
  for (TaskId t = 0; t < graph.num_tasks(); ++t) {
    if (needed[t]) CopyTask(graph, t, &culled);
  }
  const std::unordered_set<Key, KeyHasher> external(graph.external_keys().begin(), graph.external_keys().end());
  culled.Finalize([&](const Key& key) { return external.count(key) > 0; });
  return culled;
}

}  // namespace tessera::graph
