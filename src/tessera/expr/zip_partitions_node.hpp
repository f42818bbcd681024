// A function over the i-th partitions of several collections at once: the partition-wise
// combine Dask uses to align two collections with equal partitions (pandas aligns the rows
// inside each partition), and the step that brings rows or partial results from other
// partitions to each partition (cumulative sums, shift/diff).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tessera/expr/node.hpp"

namespace tessera::expr {

/// Output partition i is function(i, {partition i of every input}). An input marked in
/// `broadcast` must have one partition, given to every call (a reduction, a table of per-partition
/// summaries). The other inputs must have equal partition counts (InvalidArgument naming them);
/// the output has that many partitions, or one when every input is broadcast. With
/// `keep_divisions` the output keeps the divisions the non-broadcast inputs share (unknown when
/// they differ). `meta` is the declared output, checked against every result.
class ZipPartitionsNode final : public Node {
 public:
  using Function = std::function<TablePtr(int64_t partition, const std::vector<TablePtr>& partitions)>;
  static NodePtr Make(std::vector<NodePtr> inputs, std::vector<bool> broadcast, Function function, TablePtr meta,
                      std::string name, bool keep_divisions);
  std::string prefix() const override { return name_; }
  std::string Describe() const override;
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override;
  /// Runs in this process only: the function has no data form yet (sending the node to another
  /// process is a NotImplemented error naming it).
  graph::ValuePtr RunStage(int stage, const graph::TaskInputs& task) const override;

 private:
  explicit ZipPartitionsNode(std::vector<NodePtr> inputs) : Node(NodeKind::kZipPartitions, std::move(inputs)) {}
  // Sets meta, partitions, divisions and token from the inputs (Make and WithInputs).
  void Setup(TablePtr meta);
  std::vector<bool> broadcast_;
  Function function_;
  std::string name_;
  bool keep_divisions_ = false;
  uint64_t identity_ = 0;
};

}  // namespace tessera::expr
