// A frame with lazily computed single values on every row, so row-wise expressions can use a
// reduction's result (df.x - df.x.mean(), df.x / df.x.sum()) without computing it first.
#pragma once

#include <string>
#include <vector>

#include "tessera/expr/node.hpp"

namespace tessera::expr {

/// The partitions of `frame` with one more column per scalar: column names[k] holds, on every
/// row, the value in the first row and column of scalars[k] (a one-partition node such as a
/// reduction). Rows, index and divisions are the frame's.
class BroadcastScalarsNode final : public Node {
 public:
  static NodePtr Make(NodePtr frame, std::vector<NodePtr> scalars, std::vector<std::string> names);
  std::string prefix() const override { return "broadcast-scalars"; }
  std::string Describe() const override;
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override;
  graph::ValuePtr RunStage(int stage, const graph::TaskInputs& task) const override;
  void WriteParameters(NodeWriter& out) const override;
  static NodePtr Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape);
  /// The added columns, in the order of the scalar inputs.
  const std::vector<std::string>& names() const { return names_; }

 private:
  explicit BroadcastScalarsNode(std::vector<NodePtr> inputs) : Node(NodeKind::kBroadcastScalars, std::move(inputs)) {}
  std::vector<std::string> names_;
};

}  // namespace tessera::expr
