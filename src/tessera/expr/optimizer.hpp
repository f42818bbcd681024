// Plan rewrites applied before lowering.
// - Predicate pushdown: consecutive filters merge, and a filter moves below a projection (its
//   condition rewritten over the projection's input); filters comparing the index with constants read only the
//   partitions whose divisions can match (partition pruning).
// - Projection pushdown: every node learns which of its output columns any consumer reads (over
//   all results computed together, so a shared source is still read once), projections drop
//   unused outputs and read_csv parses only what is needed.
#pragma once

#include <string>
#include <vector>

#include "tessera/expr/node.hpp"

namespace tessera::expr {

/// The optimized plans of `roots` (same order); shared sub-plans stay shared.
std::vector<NodePtr> Optimize(const std::vector<NodePtr>& roots);

/// The plan as an indented tree, one node per line (shared nodes printed once, then named).
std::string FormatPlan(const NodePtr& root);

}  // namespace tessera::expr
