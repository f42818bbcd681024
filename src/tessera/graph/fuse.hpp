// Fusion of linear chains: a task whose only dependent has no other input is merged into that
// dependent, so a chain read -> parse -> filter runs as one task (one scheduling step, no
// intermediate kept in the store), as dask.optimization.fuse does for linear chains.
#pragma once

#include <vector>

#include "tessera/graph/graph.hpp"

namespace tessera::graph {

/// A new finalized graph where every maximal chain t1 -> t2 -> ... -> tk (each ti's only
/// dependent is ti+1, and ti+1 reads nothing else) is one task with tk's key. Keys in `keep`
/// (the requested outputs) are never fused away. The fused task runs the stages in order on one
/// thread, in this process (it is a closure).
Graph FuseLinearChains(const Graph& graph, const std::vector<Key>& keep);

}  // namespace tessera::graph
