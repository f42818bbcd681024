// read_parquet as a plan source: one partition per piece of row groups. The optimizer narrows
// it to the columns consumers read (only their column chunks are fetched) and hands it the
// filters above it, which skip row groups whose statistics (and hive directories whose values)
// cannot match; the filter itself stays in the plan for the remaining rows.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tessera/expr/column_expr.hpp"
#include "tessera/expr/node.hpp"
#include "tessera/io/parquet/parquet_dataset.hpp"

namespace tessera::expr {

class ReadParquetNode final : public Node {
 public:
  /// `calculate_divisions`: divisions from the index column's statistics when the pieces are
  /// sorted and do not overlap (unknown otherwise, as Dask).
  static NodePtr Make(std::shared_ptr<const io::parquet::ParquetPlan> plan, bool calculate_divisions,
                      std::vector<ColumnExprPtr> filters = {});
  const io::parquet::ParquetPlan& plan() const { return *plan_; }
  /// The same read producing only `columns` (names of this node's output, any order).
  NodePtr WithColumns(const std::vector<std::string>& columns) const;
  /// The same read without the row groups where `predicate` cannot hold (this node itself when
  /// the predicate was already applied).
  NodePtr WithFilter(const ColumnExprPtr& predicate) const;

  std::string prefix() const override { return "read-parquet"; }
  std::string Describe() const override;
  std::vector<graph::Arg> Lower(LoweringContext& context) const override;
  NodePtr WithInputs(std::vector<NodePtr>) const override { return shared_from_this(); }
  graph::ValuePtr RunStage(int stage, const graph::TaskInputs& task) const override;
  /// The plan as plain data: file paths (footers are read again where the node is read back),
  /// pieces, selections and filters.
  void WriteParameters(NodeWriter& out) const override;
  static NodePtr Read(NodeReader& in, const NodeShape& shape);

 private:
  ReadParquetNode(std::shared_ptr<const io::parquet::ParquetPlan> plan, bool calculate_divisions,
                  std::vector<ColumnExprPtr> filters);

  std::shared_ptr<const io::parquet::ParquetPlan> plan_;
  bool calculate_divisions_;
  std::vector<ColumnExprPtr> filters_;
};

}  // namespace tessera::expr
