// Sorting a collection by one column into partitions with known divisions (set_index): every
// input partition is split by the boundaries, the pieces of each output partition are
// concatenated, sorted and indexed by the column. Output partition i holds boundaries[i] <=
// key < boundaries[i + 1] (the last also key == boundaries[n]); values outside the boundaries go
// to the first or last partition, nulls to the last (compute::PartitionByBoundaries).
#pragma once

#include <string>
#include <vector>

#include "tessera/expr/node.hpp"

namespace tessera::expr {

class SortByBoundariesNode final : public Node {
 public:
  /// `boundaries`: sorted, npartitions + 1 values of the key's type.
  static NodePtr Make(NodePtr input, std::string column, std::vector<compute::Scalar> boundaries);
  std::string prefix() const override { return "set-index"; }
  std::string Describe() const override;
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override { return Make(inputs.at(0), column_, divisions()); }
  const std::string& column() const { return column_; }

 private:
  explicit SortByBoundariesNode(NodePtr input) : Node(NodeKind::kSetIndex, {std::move(input)}) {}
  std::string column_;
};

/// The table sorted by `column` (stable, nulls last) with `column` moved into the index.
TablePtr SortIntoIndex(const TablePtr& table, const std::string& column);

}  // namespace tessera::expr
