// Group-by aggregations and value counts as tree reductions of partial aggregates: each
// partition is grouped into partial columns (sums, counts, moments, min/max, first/last), groups
// of `split_every` partials are concatenated and grouped again, and the last step finishes
// (mean = sum / count, var from merged moments) and sorts. With split_out > 1 every partial is
// hash-split by key so each output partition combines only its share of the groups. nunique
// (which does not combine) shuffles rows by key first and aggregates each shuffled partition.
#pragma once

#include <string>
#include <vector>

#include "tessera/compute/group_by.hpp"
#include "tessera/expr/node.hpp"

namespace tessera::expr {

struct GroupBySpec {
  std::vector<std::string> keys;
  std::vector<compute::Aggregation> aggregations;
  bool sort = true;
  bool dropna = true;
  /// Single key: the key becomes the index (pandas' as_index=True); several keys stay columns.
  bool as_index = true;
  int64_t split_out = 1;
  int64_t split_every = 8;
  int ddof = 1;
  /// value_counts: one key, one "size" aggregation named "count"; results ordered by count.
  bool value_counts = false;
  bool normalize = false;
  bool ascending = false;
};

class GroupByNode final : public Node {
 public:
  static NodePtr Make(NodePtr input, GroupBySpec spec);
  const GroupBySpec& spec() const { return spec_; }
  /// Input columns the aggregation reads (keys and aggregated columns).
  std::vector<std::string> RequiredColumns() const;
  std::string prefix() const override;
  std::string Describe() const override;
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override { return Make(inputs.at(0), spec_); }
  graph::ValuePtr RunStage(int stage, const graph::TaskInputs& task) const override;
  void WriteParameters(NodeWriter& out) const override;
  static NodePtr Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape);

  /// The whole aggregation on one table (meta and tests).
  TablePtr AggregateTable(const TablePtr& table) const;

 private:
  explicit GroupByNode(NodePtr input) : Node(NodeKind::kGroupBy, {std::move(input)}) {}
  bool needs_shuffle() const;

  GroupBySpec spec_;
};

}  // namespace tessera::expr
