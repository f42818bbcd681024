// Depth-first post-order priorities (see order.hpp for the policy and why).
#include "tessera/graph/order.hpp"

#include <algorithm>

#include "tessera/graph/graph.hpp"

namespace tessera::graph {

std::vector<uint32_t> ComputePriorities(const Graph& graph) {
  const size_t n = graph.num_tasks();
  // Height: longest path down to a task without dependencies. Tasks are visited in a
  // topological order found by counting remaining dependencies.
  std::vector<uint32_t> height(n, 0);
  {
    std::vector<uint32_t> waiting(n);
    std::vector<TaskId> ready;
    for (TaskId t = 0; t < n; ++t) {
      waiting[t] = uint32_t(graph.dependencies(t).size());
      if (waiting[t] == 0) ready.push_back(t);
    }
    while (!ready.empty()) {
      const TaskId t = ready.back();
      ready.pop_back();
      uint32_t h = 0;
      for (TaskId dep : graph.dependencies(t)) h = std::max(h, height[dep] + 1);
      height[t] = h;
      for (TaskId d : graph.dependents(t)) {
        if (--waiting[d] == 0) ready.push_back(d);
      }
    }
  }

  constexpr uint32_t kUnvisited = UINT32_MAX;
  std::vector<uint32_t> priority(n, kUnvisited);
  std::vector<uint8_t> entered(n, 0);
  uint32_t next = 0;
  struct Frame {
    TaskId task;
    uint32_t child;  // index into the task's sorted children
  };
  std::vector<Frame> stack;
  std::vector<TaskId> children;       // children of every frame on the stack, sorted
  std::vector<uint32_t> child_begin;  // where each frame's children start in `children`

  auto enter = [&](TaskId t) {
    entered[t] = 1;
    const auto deps = graph.dependencies(t);
    child_begin.push_back(uint32_t(children.size()));
    children.insert(children.end(), deps.begin(), deps.end());
    // Deeper inputs first (they hold more intermediates while running); ties keep insertion
    // order, so the result is deterministic.
    // Insertion sort: stable, no allocation, and tasks rarely have more than a few inputs.
    for (size_t i = child_begin.back() + 1; i < children.size(); ++i) {
      const TaskId moving = children[i];
      size_t j = i;
      while (j > child_begin.back() && height[children[j - 1]] < height[moving]) {
        children[j] = children[j - 1];
        --j;
      }
      children[j] = moving;
    }
    stack.push_back({t, 0});
  };

  for (TaskId output = 0; output < n; ++output) {
    if (!graph.dependents(output).empty() || entered[output]) continue;
    enter(output);
    while (!stack.empty()) {
      Frame& frame = stack.back();
      const uint32_t begin = child_begin.back();
      const uint32_t count = uint32_t(children.size()) - begin;
      if (frame.child < count) {
        const TaskId child = children[begin + frame.child++];
        if (!entered[child]) enter(child);
        continue;
      }
      priority[frame.task] = next++;
      children.resize(begin);
      child_begin.pop_back();
      stack.pop_back();
    }
  }
  return priority;
}

}  // namespace tessera::graph
