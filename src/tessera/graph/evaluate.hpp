// The sequential reference evaluator: runs a finalized graph on the calling thread in priority
// order, as dask.get_sync does. Tests compare every scheduler against it; it also reports the
// peak number of results held, which pins the quality of the static ordering.
#pragma once

#include <vector>

#include "tessera/graph/graph.hpp"

namespace tessera::graph {

struct SequentialResult {
  std::vector<ValuePtr> values;  // one per requested key, in order
  size_t peak_results_held = 0;  // most results alive at once (requested ones included)
};

/// Computes `keys` of `graph` (finalized, without external references), releasing each result
/// as soon as no remaining task needs it. Exceptions from tasks propagate unchanged.
SequentialResult EvaluateSequential(const Graph& graph, const std::vector<Key>& keys);

}  // namespace tessera::graph
