// Sequential reference evaluation (see evaluate.hpp).
#include "tessera/graph/evaluate.hpp"

#include <algorithm>
#include <numeric>

#include "tessera/base/error.hpp"
#include "tessera/graph/cull.hpp"

namespace tessera::graph {

SequentialResult EvaluateSequential(const Graph& graph, const std::vector<Key>& keys) {
  if (!graph.external_keys().empty()) {
    throw InvalidArgument("EvaluateSequential cannot read external key " + graph.external_keys()[0].ToString() + "; run the graph on a scheduler that holds it");
  }
  const size_t n = graph.num_tasks();
  std::vector<TaskId> outputs;
  for (const Key& key : keys) outputs.push_back(graph.At(key));
  const std::vector<uint8_t> needed = NeededTasks(graph, outputs);
  std::vector<uint8_t> is_output(n, 0);
  for (TaskId t : outputs) is_output[t] = 1;
  std::vector<uint32_t> remaining(n, 0);
  std::vector<TaskId> order;
  for (TaskId t = 0; t < n; ++t) {
    if (!needed[t]) continue;
    order.push_back(t);
    for (TaskId d : graph.dependents(t)) remaining[t] += needed[d];
  }
  std::sort(order.begin(), order.end(), [&](TaskId a, TaskId b) { return graph.priority(a) < graph.priority(b); });

  SequentialResult result;
  std::vector<ValuePtr> values(n);
  std::vector<ValuePtr> inputs;
  size_t held = 0;
  for (TaskId t : order) {
    const auto args = graph.args(t);
    inputs.assign(args.size(), nullptr);
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i].kind == ArgKind::kTask) inputs[i] = values[args[i].id];
      else if (args[i].kind == ArgKind::kValue) inputs[i] = graph.literals()[args[i].id];
    }
    values[t] = graph.function(t).Call(TaskInputs(graph.key(t), args.data(), args.size(), inputs.data(), graph.params(t)));
    ++held;
    result.peak_results_held = std::max(result.peak_results_held, held);
    for (TaskId dep : graph.dependencies(t)) {
      if (--remaining[dep] == 0 && !is_output[dep]) {
        values[dep].reset();
        --held;
      }
    }
  }
  for (TaskId t : outputs) result.values.push_back(values[t]);
  return result;
}

}  // namespace tessera::graph
