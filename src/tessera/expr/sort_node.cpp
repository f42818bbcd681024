// SortByBoundariesNode: split by boundaries, gather, sort, index.
#include "tessera/expr/sort_node.hpp"

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/compute/partition.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

TablePtr SortIntoIndex(const TablePtr& table, const std::string& column) {
  TablePtr sorted = table;
  if (table->num_rows() > 1) sorted = compute::SortTable(*table, {{column, true}});
  return sorted->SetIndex(column);
}

NodePtr SortByBoundariesNode::Make(NodePtr input, std::string column, std::vector<compute::Scalar> boundaries) {
  if (boundaries.size() < 2) throw InvalidArgument("set_index needs at least two division boundaries");
  input->meta()->column(column);  // KeyError naming the columns
  auto node = std::shared_ptr<SortByBoundariesNode>(new SortByBoundariesNode(input));
  node->column_ = std::move(column);
  uint64_t parameters = HashText(node->column_, 0x736f7274);
  for (const auto& boundary : boundaries) parameters = HashText(boundary.ToString(), parameters);
  const int64_t npartitions = int64_t(boundaries.size()) - 1;
  node->Init(SortIntoIndex(input->meta(), node->column_), npartitions, std::move(boundaries), parameters);
  return node;
}

std::string SortByBoundariesNode::Describe() const {
  return "SetIndex " + column_ + " into " + std::to_string(npartitions()) + " partitions [" +
         divisions().front().ToString() + " .. " + divisions().back().ToString() + "]";
}

std::vector<graph::Arg> SortByBoundariesNode::Lower(LoweringContext& context) const {
  const auto& inputs = context.Partitions(input());
  const std::string column = column_;
  const std::vector<compute::Scalar> boundaries = divisions();
  const uint32_t split = context.AddFunction("set-index-split", [column, boundaries](const graph::TaskInputs& task) -> graph::ValuePtr {
    return std::make_shared<const TableListValue>(compute::PartitionByBoundaries(*TableOf(task.Get(0)), column, boundaries));
  });
  const uint32_t gather = context.AddFunction("set-index", [column](const graph::TaskInputs& task) -> graph::ValuePtr {
    const size_t piece = size_t(task.key().index);
    std::vector<TablePtr> tables;
    tables.reserve(task.size());
    for (size_t i = 0; i < task.size(); ++i) {
      const auto* list = dynamic_cast<const TableListValue*>(task.Get(i).get());
      if (list == nullptr) throw Internal("set-index expects split partitions");
      tables.push_back(list->tables().at(piece));
    }
    return std::make_shared<const TableValue>(SortIntoIndex(ConcatenateTables(tables), column));
  });
  const uint32_t split_name = graph::InternName("set-index-split-" + TokenText(token()));
  std::vector<graph::Arg> pieces;
  for (size_t i = 0; i < inputs.size(); ++i) pieces.push_back(context.AddTask(split_name, int64_t(i), split, {inputs[i]}));
  const uint32_t output_name = graph::InternName(name());
  std::vector<graph::Arg> partitions;
  for (int64_t j = 0; j < npartitions(); ++j) partitions.push_back(context.AddTask(output_name, j, gather, pieces));
  return partitions;
}

}  // namespace tessera::expr
