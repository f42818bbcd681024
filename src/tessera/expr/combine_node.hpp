// Nodes that change how rows are grouped into partitions without looking at values: stacking
// frames (concat), merging neighbouring partitions and splitting partitions into row ranges
// (repartition).
#pragma once

#include <vector>

#include "tessera/expr/node.hpp"

namespace tessera::expr {

/// The partitions of every input, in order (pandas' concat along rows). Inputs must have the
/// same columns, dtypes and index kind (TypeError naming the first difference). Divisions are
/// known when every input's are and they follow each other without overlap.
class ConcatNode final : public Node {
 public:
  static NodePtr Make(std::vector<NodePtr> inputs);
  std::string prefix() const override { return "concat"; }
  std::string Describe() const override { return "Concat " + std::to_string(inputs().size()) + " frames"; }
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override { return Make(std::move(inputs)); }

 private:
  explicit ConcatNode(std::vector<NodePtr> inputs) : Node(NodeKind::kConcat, std::move(inputs)) {}
};

/// Output partition j is the concatenation of input partitions groups[j] (consecutive, in
/// order) or, for a split, rows [piece * n / pieces, (piece + 1) * n / pieces) of one input
/// partition.
class RepartitionNode final : public Node {
 public:
  struct Part {
    std::vector<int64_t> inputs;  // input partitions concatenated
    int64_t piece = 0;            // with pieces > 1: the row range of inputs[0] taken
    int64_t pieces = 1;
  };
  static NodePtr Make(NodePtr input, std::vector<Part> parts, Divisions divisions);
  std::string prefix() const override { return "repartition"; }
  std::string Describe() const override;
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override { return Make(inputs.at(0), parts_, divisions()); }
  graph::ValuePtr RunStage(int stage, const graph::TaskInputs& task) const override;
  void WriteParameters(NodeWriter& out) const override;
  static NodePtr Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape);

 private:
  explicit RepartitionNode(NodePtr input) : Node(NodeKind::kRepartition, {std::move(input)}) {}
  std::vector<Part> parts_;
};

}  // namespace tessera::expr
