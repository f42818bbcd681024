// Static ordering in the spirit of dask.order: priorities that make a sequential (or lightly
// parallel) run finish one branch before starting the next, so intermediates are released
// early and peak memory stays low.
#pragma once

#include <cstdint>
#include <vector>

namespace tessera::graph {

class Graph;

/// Priorities for a graph whose dependencies and dependents are built (Finalize calls this).
/// Depth-first post-order from the outputs (tasks without dependents, in insertion order),
/// visiting a task's deeper dependencies first: a task's number is assigned right after its
/// inputs', so reductions consume their inputs as soon as they exist. Linear time.
std::vector<uint32_t> ComputePriorities(const Graph& graph);

}  // namespace tessera::graph
