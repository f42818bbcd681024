// Cull: keep only the tasks the requested keys need, as dask.optimization.cull does.
#pragma once

#include <vector>

#include "tessera/graph/graph.hpp"

namespace tessera::graph {

/// A new finalized graph with the tasks `keys` depend on (directly or not) and the tasks of
/// `keys` themselves. `graph` must be finalized; KeyError when a key is not in it. External
/// references of the kept tasks stay external.
Graph Cull(const Graph& graph, const std::vector<Key>& keys);

/// Marks (1) the tasks `outputs` need, including themselves; the rest stay 0.
std::vector<uint8_t> NeededTasks(const Graph& graph, const std::vector<TaskId>& outputs);

/// Appends task `task` of `source` to `target` with its arguments rewritten as key references,
/// so `target` may number tasks differently. Used by the graph rewrites.
TaskId CopyTask(const Graph& source, TaskId task, Graph* target);

}  // namespace tessera::graph
