// Lowering: logical nodes -> one task graph. Each node is lowered once per graph (memoised by
// token, so common sub-expressions of several results become shared tasks); chains of blockwise
// nodes used by one consumer are fused into one task per partition; nodes whose output keys the
// scheduler already holds (persisted earlier) are read from the store instead of recomputed.
// Every task function is a stage of a node (Node::RunStage) or a registered operation, so the
// graph has a data form (graph/serialize.hpp, node_codec.hpp): in process a stage calls the live
// node directly; serialised, it is the operation "tessera.expr.stage" with the node's bytes.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "tessera/expr/node.hpp"
#include "tessera/graph/graph.hpp"

namespace tessera::expr {

class LoweringContext {
 public:
  /// `is_held` says whether the scheduler holds a key (may be null: nothing held).
  explicit LoweringContext(std::function<bool(const graph::Key&)> is_held);

  graph::Graph& graph() { return graph_; }
  /// Counts how often each node is read below `root` (call for every root before Partitions).
  void CountUses(const NodePtr& root);
  /// One argument per output partition of `node` (a task reference or a literal), adding the
  /// tasks that compute them the first time a node with its token is seen.
  const std::vector<graph::Arg>& Partitions(const NodePtr& node);
  /// Registers stage `stage` of `node` (Node::RunStage) as a task function named `name` (the
  /// task-stream prefix).
  uint32_t AddStage(const Node& node, int stage, std::string name);
  /// Adds task (name, index) and returns a reference to it.
  graph::Arg AddTask(uint32_t name_id, int64_t index, uint32_t function, std::vector<graph::Arg> args);
  /// The pieces of a shuffle: for each of `splits` (tasks returning a TableListValue of
  /// `pieces` tables), one task per piece handing out that table alone, named
  /// (`prefix`-`token`, split * pieces + piece). Returns the piece tasks by piece, then by split. The task that
  /// gathers piece j then holds only the j-th pieces, not whole split partitions, and every
  /// piece spills on its own.
  std::vector<std::vector<graph::Arg>> SplitPieces(const std::vector<graph::Arg>& splits, int64_t pieces,
                                                   const std::string& prefix, const std::string& token);
  bool IsHeld(const graph::Key& key) const { return is_held_ && is_held_(key); }

 private:
  std::vector<graph::Arg> LowerBlockwise(const NodePtr& node);

  graph::Graph graph_;
  std::function<bool(const graph::Key&)> is_held_;
  std::unordered_map<uint64_t, std::vector<graph::Arg>> lowered_;
  std::unordered_map<uint64_t, int> uses_;
};

/// A lowered computation: the graph (not finalized) and, per requested root, its output keys.
struct LoweredGraph {
  graph::Graph graph;
  std::vector<std::vector<graph::Key>> outputs;
};

/// For compute(): each root becomes one key holding the whole result (partitions concatenated
/// in order).
LoweredGraph LowerForCompute(const std::vector<NodePtr>& roots,
                             const std::function<bool(const graph::Key&)>& is_held);
/// For persist(): each root keeps one key per partition, named after the node.
LoweredGraph LowerForPersist(const std::vector<NodePtr>& roots,
                             const std::function<bool(const graph::Key&)>& is_held);

}  // namespace tessera::expr
