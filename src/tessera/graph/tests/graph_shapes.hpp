// Standard and random task-graph shapes for graph and scheduler tests. Every task runs the
// registered "test.mix" operation: a deterministic integer mix of its arguments, so any
// scheduler's results can be compared exactly with EvaluateSequential.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "tessera/graph/graph.hpp"

namespace tessera::graph::testing {

inline ValuePtr Mix(const TaskInputs& inputs) {
  uint64_t h = 0x9E3779B97F4A7C15ull;
  for (size_t i = 0; i < inputs.size(); ++i) h = (h ^ uint64_t(inputs.Int64(i))) * 0x100000001B3ull + i;
  return MakeInt64(int64_t(h >> 1));
}

inline uint32_t MixFunction(Graph* graph) {
  return graph->AddOperation(RegisterOperation("test.mix", &Mix));
}

/// Binary tree reduction of `leaves` leaves (2 * leaves - 1 tasks); the root is ("tree", 0) at
/// the top level name "tree".
inline Graph TreeReduction(int64_t leaves, Key* root) {
  Graph graph;
  const uint32_t mix = MixFunction(&graph);
  std::vector<Key> layer;
  const uint32_t leaf_name = InternName("leaf");
  for (int64_t i = 0; i < leaves; ++i) {
    graph.AddTask(Key(leaf_name, i), mix, {Arg::Int64(i), Arg::Int64(1)});
    layer.push_back(Key(leaf_name, i));
  }
  int level = 0;
  while (layer.size() > 1) {
    const uint32_t name = InternName(layer.size() <= 2 ? "tree" : "tree-level-" + std::to_string(level++));
    std::vector<Key> next;
    for (size_t i = 0; i < layer.size(); i += 2) {
      if (i + 1 == layer.size()) {
        next.push_back(layer[i]);
        continue;
      }
      const Key key(name, int64_t(next.size()));
      graph.AddTask(key, mix, {Arg::Ref(layer[i]), Arg::Ref(layer[i + 1])});
      next.push_back(key);
    }
    layer = std::move(next);
  }
  *root = layer[0];
  graph.Finalize();
  return graph;
}

/// load_i -> map_i -> one reduce over every map.
inline Graph MapReduce(int64_t n, Key* root) {
  Graph graph;
  const uint32_t mix = MixFunction(&graph);
  const uint32_t load = InternName("load"), map = InternName("map");
  std::vector<Arg> maps;
  for (int64_t i = 0; i < n; ++i) {
    graph.AddTask(Key(load, i), mix, {Arg::Int64(i)});
    graph.AddTask(Key(map, i), mix, {Arg::Ref(Key(load, i)), Arg::Int64(7)});
    maps.push_back(Arg::Ref(Key(map, i)));
  }
  *root = Key::Make("reduce");
  graph.AddTask(*root, mix, maps);
  graph.Finalize();
  return graph;
}

/// n independent chains of `length` tasks each, then a final task reading every chain's end.
inline Graph Chains(int64_t n, int64_t length, Key* root) {
  Graph graph;
  const uint32_t mix = MixFunction(&graph);
  std::vector<Arg> ends;
  for (int64_t c = 0; c < n; ++c) {
    const uint32_t name = InternName("chain-" + std::to_string(c));
    graph.AddTask(Key(name, 0), mix, {Arg::Int64(c)});
    for (int64_t i = 1; i < length; ++i) graph.AddTask(Key(name, i), mix, {Arg::Ref(Key(name, i - 1)), Arg::Int64(i)});
    ends.push_back(Arg::Ref(Key(name, length - 1)));
  }
  *root = Key::Make("chains-end");
  graph.AddTask(*root, mix, ends);
  graph.Finalize();
  return graph;
}

/// Two layers where every task of the second reads every task of the first (a shuffle).
inline Graph AllToAll(int64_t n, Key* root) {
  Graph graph;
  const uint32_t mix = MixFunction(&graph);
  const uint32_t a = InternName("split"), b = InternName("combine");
  std::vector<Arg> all_a, all_b;
  for (int64_t i = 0; i < n; ++i) {
    graph.AddTask(Key(a, i), mix, {Arg::Int64(i)});
    all_a.push_back(Arg::Ref(Key(a, i)));
  }
  for (int64_t j = 0; j < n; ++j) {
    std::vector<Arg> args = all_a;
    args.push_back(Arg::Int64(j));
    graph.AddTask(Key(b, j), mix, args);
    all_b.push_back(Arg::Ref(Key(b, j)));
  }
  *root = Key::Make("all-to-all-end");
  graph.AddTask(*root, mix, all_b);
  graph.Finalize();
  return graph;
}

/// A random DAG of `n` tasks: each reads up to `max_inputs` random earlier tasks (sometimes the
/// same one twice) and literals. Keys are added in shuffled order so references go forwards too.
/// Returns the tasks without dependents as outputs.
inline Graph RandomDag(std::mt19937_64& rng, int64_t n, int max_inputs, std::vector<Key>* outputs) {
  Graph graph;
  const uint32_t mix = MixFunction(&graph);
  const uint32_t name = InternName("random");
  const size_t count = static_cast<size_t>(n);
  std::vector<std::vector<Arg>> args(count);
  std::vector<uint8_t> used(count, 0);
  for (int64_t t = 0; t < n; ++t) {
    const int inputs = t == 0 ? 0 : int(rng() % uint64_t(max_inputs + 1));
    // Mostly near neighbours (deep graphs), sometimes anywhere (wide fan-in).
    for (int i = 0; i < inputs; ++i) {
      const int64_t window = (rng() % 4 == 0) ? t : std::min<int64_t>(t, 8);
      const int64_t dep = t - 1 - int64_t(rng() % uint64_t(window));
      args[size_t(t)].push_back(Arg::Ref(Key(name, dep)));
      used[size_t(dep)] = 1;
    }
    args[size_t(t)].push_back(Arg::Int64(t));
  }
  std::vector<int64_t> order(count);
  for (int64_t i = 0; i < n; ++i) order[size_t(i)] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (int64_t t : order) graph.AddTask(Key(name, t), mix, args[size_t(t)]);
  for (int64_t t = 0; t < n; ++t) {
    if (!used[size_t(t)]) outputs->push_back(Key(name, t));
  }
  graph.Finalize();
  return graph;
}

}  // namespace tessera::graph::testing
