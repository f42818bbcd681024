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
  /// How rows move. kDirect: split tasks only list rows and each output gathers from every
  /// input partition (each row copied once; all inputs must fit in memory). kPieces: every
  /// input partition is cut into one table per output, each its own (spillable) task result, so
  /// an output task holds only its own rows: for data larger than the memory limit.
  enum class Method { kDirect, kPieces };
  /// `boundaries`: sorted, npartitions + 1 values of the key's type.
  static NodePtr Make(NodePtr input, std::string column, std::vector<compute::Scalar> boundaries,
                      Method method = Method::kDirect);
  std::string prefix() const override { return "set-index"; }
  std::string Describe() const override;
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override { return Make(inputs.at(0), column_, divisions(), method_); }
  graph::ValuePtr RunStage(int stage, const graph::TaskInputs& task) const override;
  void WriteParameters(NodeWriter& out) const override;
  static NodePtr Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape);
  const std::string& column() const { return column_; }

 private:
  explicit SortByBoundariesNode(NodePtr input) : Node(NodeKind::kSetIndex, {std::move(input)}) {}
  std::vector<graph::Arg> LowerPieces(LoweringContext& context) const;
  std::string column_;
  Method method_ = Method::kDirect;
};

/// The table sorted by `column` (stable, nulls last) with `column` moved into the index.
TablePtr SortIntoIndex(const TablePtr& table, const std::string& column);

/// Every partition with `column` moved into its index, rows left in place (set_index of data
/// already sorted across partitions); `divisions` empty when unknown. Named "set-index-<column>";
/// its function leaves the process as the partition function kind "set-index".
NodePtr IndexByColumn(NodePtr input, const std::string& column, Divisions divisions);

}  // namespace tessera::expr
