// Rolling windows across partitions (Dask's map_overlap): each partition is computed together
// with the rows before it that its first windows reach. Those rows come from a chain of small
// "tail" tasks (the last window - 1 rows, or the rows within the time span, of everything
// before the partition), so windows may span any number of short or empty partitions.
#pragma once

#include "tessera/compute/rolling.hpp"
#include "tessera/expr/node.hpp"

namespace tessera::expr {

class RollingNode final : public Node {
 public:
  /// `input`: a one-column frame; a span window needs its timestamp index.
  static NodePtr Make(NodePtr input, compute::RollingWindow window, compute::RollingFunction function);
  std::string prefix() const override { return "rolling"; }
  std::string Describe() const override;
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override { return Make(inputs.at(0), window_, function_); }
  graph::ValuePtr RunStage(int stage, const graph::TaskInputs& task) const override;
  void WriteParameters(NodeWriter& out) const override;
  static NodePtr Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape);
  /// The rolling values of one table (its own rows only).
  TablePtr Apply(const TablePtr& table) const;

 private:
  explicit RollingNode(NodePtr input) : Node(NodeKind::kRolling, {std::move(input)}) {}
  compute::RollingWindow window_;
  compute::RollingFunction function_ = compute::RollingFunction::kMean;
};

}  // namespace tessera::expr
