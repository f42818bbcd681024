// Reductions over a whole collection as tree reductions: every partition becomes a small
// partial state (chunk), groups of `split_every` partials are merged (combine) until one is
// left, which is finished into the result (aggregate), as Dask's reduction(). States merge
// exactly (sums, counts, Chan's parallel moments, min/max, distinct values), except quantiles,
// which merge per-partition quantile sketches and are approximate.
#pragma once

#include <string>
#include <vector>

#include "tessera/expr/node.hpp"

namespace tessera::expr {

enum class ReduceFunction : uint8_t {
  kSum, kMean, kCount, kSize, kMin, kMax, kVar, kStd, kNUnique, kAny, kAll, kIdxMin, kIdxMax, kQuantile,
};

/// pandas' name of a reduction ("sum", "idxmin", ...).
const char* ReduceFunctionName(ReduceFunction function);

struct ReduceSpec {
  std::string column;  ///< input column (unused by kSize)
  ReduceFunction function = ReduceFunction::kSum;
  int ddof = 1;        ///< var / std
  double q = 0.5;      ///< quantile
  bool dropna = true;  ///< nunique
};

/// How the finished values are laid out.
enum class ReduceShape : uint8_t {
  kScalar,         ///< one spec -> a 1 x 1 table whose column is named after the input column
  kSeriesByLabel,  ///< one row per spec, indexed by `labels` (DataFrame.sum(), describe())
};

class ReduceNode final : public Node {
 public:
  /// `labels` name the rows of kSeriesByLabel (one per spec); `split_every` partials are merged
  /// per combine task (>= 2).
  static NodePtr Make(NodePtr input, std::vector<ReduceSpec> specs, ReduceShape shape,
                      std::vector<std::string> labels = {}, int64_t split_every = 8);
  const std::vector<ReduceSpec>& specs() const { return specs_; }
  std::string prefix() const override;
  std::string Describe() const override;
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr> inputs) const override {
    return Make(inputs.at(0), specs_, shape_, labels_, split_every_);
  }
  graph::ValuePtr RunStage(int stage, const graph::TaskInputs& task) const override;
  void WriteParameters(NodeWriter& out) const override;
  static NodePtr Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape);

  /// The whole reduction on one table (meta and tests).
  TablePtr ReduceTable(const TablePtr& table) const;

 private:
  explicit ReduceNode(NodePtr input) : Node(NodeKind::kReduce, {std::move(input)}) {}

  std::vector<ReduceSpec> specs_;
  ReduceShape shape_ = ReduceShape::kScalar;
  std::vector<std::string> labels_;
  int64_t split_every_ = 8;
};

/// Row `row` of `column` as a scalar of its type (categoricals give their category text).
compute::Scalar ScalarAt(const Column& column, int64_t row);

/// A column of `rows` copies of `value` (null when it is null).
ColumnPtr BroadcastScalar(const compute::Scalar& value, int64_t rows);

}  // namespace tessera::expr
