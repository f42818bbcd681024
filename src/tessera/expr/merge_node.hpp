// Joining two collections (pandas.merge) by one of three plans:
// - broadcast: one side is a single partition, joined with every partition of the other (inner
//   and left joins broadcast the right side, inner and right joins the left side);
// - aligned: both sides join on their index and have the same known divisions, so partition i
//   joins partition i without moving rows;
// - shuffle: both sides are hash-partitioned by their keys into the same number of partitions,
//   so equal keys meet, and joined partition by partition.
#pragma once

#include "tessera/compute/join.hpp"
#include "tessera/expr/node.hpp"

namespace tessera::expr {

class MergeNode final : public Node {
 public:
  enum class Plan { kBroadcastRight, kBroadcastLeft, kAligned, kShuffle };
  /// Chooses the plan; `npartitions` (0 = the larger side's) for shuffles.
  static NodePtr Make(NodePtr left, NodePtr right, compute::JoinOptions options, int64_t npartitions = 0);
  std::string prefix() const override { return "merge"; }
  std::string Describe() const override;
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override {
    return Make(inputs.at(0), inputs.at(1), options_, shuffle_partitions_);
  }
  graph::ValuePtr RunStage(int stage, const graph::TaskInputs& task) const override;
  void WriteParameters(NodeWriter& out) const override;
  static NodePtr Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape);
  Plan plan() const { return plan_; }

 private:
  MergeNode(NodePtr left, NodePtr right) : Node(NodeKind::kMerge, {std::move(left), std::move(right)}) {}
  compute::JoinOptions options_;
  Plan plan_ = Plan::kShuffle;
  int64_t shuffle_partitions_ = 0;
};

}  // namespace tessera::expr
