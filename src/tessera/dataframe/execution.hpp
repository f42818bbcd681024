// How collections run: optimize, lower, cull and submit to a scheduler (compute), or keep the
// partitions in the scheduler's store (persist). Internal to the dataframe layer.
#pragma once

#include <vector>

#include "tessera/expr/node.hpp"
#include "tessera/sched/scheduler.hpp"

namespace tessera::dataframe::execution {

/// The results of `nodes` (one table each), computed in one graph.
std::vector<TablePtr> Compute(const std::vector<expr::NodePtr>& nodes, sched::Scheduler& scheduler);
/// Runs `node` and returns a node over its partitions held by `scheduler`. Waits; rethrows the
/// first task error.
expr::NodePtr Persist(const expr::NodePtr& node, sched::Scheduler& scheduler);
/// The optimized plan and its task count.
std::string Explain(const expr::NodePtr& node);
/// Dask's "DataFrame Structure" text for a lazy frame or Series.
std::string FormatStructure(const expr::Node& node, const char* collection);

}  // namespace tessera::dataframe::execution
