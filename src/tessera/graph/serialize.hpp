// Task graphs as bytes, so another process can rebuild and run them: keys by name, functions by
// registered operation name and parameters, literals through their registered value types.
// Closures only count when they have a data form (Closure::operation()).
#pragma once

#include <string>
#include <string_view>

#include "tessera/graph/graph.hpp"

namespace tessera::graph {

/// The graph's tasks, functions and literals as self-contained bytes (finalized or not).
/// NotImplemented naming the task function when a closure has no data form; InvalidArgument
/// when a literal cannot be serialised.
std::string SerializeGraph(const Graph& graph);
/// Rebuilds a graph SerializeGraph wrote, not finalized (references to keys it does not hold
/// stay references for Finalize's resolver). KeyError when an operation is not registered in
/// this process; IOError for truncated or foreign bytes.
Graph DeserializeGraph(std::string_view bytes);

}  // namespace tessera::graph
