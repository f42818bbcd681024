// SortByBoundariesNode: split by boundaries, gather, sort, index.
#include "tessera/expr/sort_node.hpp"

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/compute/partition.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

TablePtr SortIntoIndex(const TablePtr& table, const std::string& column) {
  TablePtr sorted = table;
  if (table->num_rows() > 1) sorted = compute::SortTable(*table, {{column, true}});
  return sorted->SetIndex(column);
}

NodePtr SortByBoundariesNode::Make(NodePtr input, std::string column, std::vector<compute::Scalar> boundaries,
                                   Method method) {
  if (boundaries.size() < 2) throw InvalidArgument("set_index needs at least two division boundaries");
  input->meta()->column(column);  // KeyError naming the columns
  auto node = std::shared_ptr<SortByBoundariesNode>(new SortByBoundariesNode(input));
  node->column_ = std::move(column);
  node->method_ = method;
  uint64_t parameters = HashText(node->column_, 0x736f7274 + uint64_t(method));
  for (const auto& boundary : boundaries) parameters = HashText(boundary.ToString(), parameters);
  const int64_t npartitions = int64_t(boundaries.size()) - 1;
  node->Init(SortIntoIndex(input->meta(), node->column_), npartitions, std::move(boundaries), parameters);
  return node;
}

std::string SortByBoundariesNode::Describe() const {
  return std::string("SetIndex ") + (method_ == Method::kPieces ? "(spillable pieces) " : "") + column_ + " into " + std::to_string(npartitions()) + " partitions [" +
         divisions().front().ToString() + " .. " + divisions().back().ToString() + "]";
}

namespace {

// Rows (source_of[k], rows[k]) of `sources` sorted by `column` (whose values `keys`, the same
// tables cut to that column, hold) and indexed by it. Only the key column is copied before the
// sort; every other column is copied once, straight into the output.
TablePtr GatherSorted(const std::vector<TablePtr>& sources, const std::vector<TablePtr>& keys,
                      const std::vector<int32_t>& source_of, const std::vector<int64_t>& rows, const std::string& column) {
  const ColumnPtr key = compute::TakeFromTables(keys, source_of, rows)->column(0);
  const ColumnPtr order = compute::SortIndices(*key);
  const int64_t* permutation = order->values<int64_t>();
  std::vector<int32_t> sorted_source(source_of.size());
  std::vector<int64_t> sorted_rows(rows.size());
  for (size_t k = 0; k < rows.size(); ++k) {
    sorted_source[k] = source_of[size_t(permutation[k])];
    sorted_rows[k] = rows[size_t(permutation[k])];
  }
  return compute::TakeFromTables(sources, sorted_source, sorted_rows)->SetIndex(column);
}

// The rows of one input partition that go to each output partition (ascending row numbers).
class RowListsValue final : public graph::Value {
 public:
  explicit RowListsValue(std::vector<std::vector<int64_t>> rows) : rows_(std::move(rows)) {}
  const std::vector<std::vector<int64_t>>& rows() const { return rows_; }
  int64_t nbytes() const override {
    int64_t total = 0;
    for (const auto& list : rows_) total += int64_t(list.size() * sizeof(int64_t));
    return total;
  }

 private:
  std::vector<std::vector<int64_t>> rows_;
};

}  // namespace

// Rows move once: split tasks only decide where each row goes; the task of an output partition
// sorts its rows by key and gathers every column straight from the input partitions.
std::vector<graph::Arg> SortByBoundariesNode::Lower(LoweringContext& context) const {
  if (method_ == Method::kPieces) return LowerPieces(context);
  const auto& inputs = context.Partitions(input());
  const std::string column = column_;
  const std::vector<compute::Scalar> boundaries = divisions();
  const size_t outputs = size_t(npartitions());
  const uint32_t split = context.AddFunction("set-index-split", [column, boundaries, outputs](const graph::TaskInputs& task) -> graph::ValuePtr {
    const std::vector<int32_t> ids = compute::PartitionIdsByBoundaries(*TableOf(task.Get(0)), column, boundaries);
    std::vector<std::vector<int64_t>> rows(outputs);
    for (size_t row = 0; row < ids.size(); ++row) rows[size_t(ids[row])].push_back(int64_t(row));
    return std::make_shared<const RowListsValue>(std::move(rows));
  });
  const size_t num_inputs = inputs.size();
  const uint32_t gather = context.AddFunction("set-index", [column, num_inputs](const graph::TaskInputs& task) -> graph::ValuePtr {
    const size_t piece = size_t(task.key().index);
    std::vector<TablePtr> sources, keys;
    std::vector<int32_t> source_of;
    std::vector<int64_t> rows;
    for (size_t i = 0; i < num_inputs; ++i) {
      sources.push_back(TableOf(task.Get(i)));
      keys.push_back(sources.back()->SelectColumns({column}));
      const auto* lists = dynamic_cast<const RowListsValue*>(task.Get(num_inputs + i).get());
      if (lists == nullptr) throw Internal("set-index expects row lists");
      for (int64_t row : lists->rows().at(piece)) {
        source_of.push_back(int32_t(i));
        rows.push_back(row);
      }
    }
    return std::make_shared<const TableValue>(GatherSorted(sources, keys, source_of, rows, column));
  });
  const uint32_t split_name = graph::InternName("set-index-split-" + TokenText(token()));
  std::vector<graph::Arg> args(inputs.begin(), inputs.end());
  for (size_t i = 0; i < inputs.size(); ++i) args.push_back(context.AddTask(split_name, int64_t(i), split, {inputs[i]}));
  const uint32_t output_name = graph::InternName(name());
  std::vector<graph::Arg> partitions;
  for (int64_t j = 0; j < npartitions(); ++j) partitions.push_back(context.AddTask(output_name, j, gather, args));
  return partitions;
}

std::vector<graph::Arg> SortByBoundariesNode::LowerPieces(LoweringContext& context) const {
  const auto& inputs = context.Partitions(input());
  const std::string column = column_;
  const std::vector<compute::Scalar> boundaries = divisions();
  const int64_t outputs = npartitions();
  // split i -> piece (i, j) for every output j -> output j from pieces (*, j).
  const uint32_t split = context.AddFunction("set-index-split", [column, boundaries](const graph::TaskInputs& task) -> graph::ValuePtr {
    return std::make_shared<const TableListValue>(compute::PartitionByBoundaries(*TableOf(task.Get(0)), column, boundaries));
  });
  const uint32_t gather = context.AddFunction("set-index", [column](const graph::TaskInputs& task) -> graph::ValuePtr {
    std::vector<TablePtr> pieces, keys;
    std::vector<int32_t> source_of;
    std::vector<int64_t> rows;
    for (size_t i = 0; i < task.size(); ++i) {
      pieces.push_back(TableOf(task.Get(i)));
      keys.push_back(pieces.back()->SelectColumns({column}));
      for (int64_t row = 0; row < pieces.back()->num_rows(); ++row) {
        source_of.push_back(int32_t(i));
        rows.push_back(row);
      }
    }
    return std::make_shared<const TableValue>(GatherSorted(pieces, keys, source_of, rows, column));
  });
  const std::string token = TokenText(this->token());
  const uint32_t split_name = graph::InternName("set-index-split-" + token);
  std::vector<graph::Arg> splits;
  for (size_t i = 0; i < inputs.size(); ++i) splits.push_back(context.AddTask(split_name, int64_t(i), split, {inputs[i]}));
  const auto pieces = context.SplitPieces(splits, outputs, "set-index-piece", token);
  const uint32_t output_name = graph::InternName(name());
  std::vector<graph::Arg> partitions;
  for (int64_t j = 0; j < outputs; ++j) partitions.push_back(context.AddTask(output_name, j, gather, pieces[size_t(j)]));
  return partitions;
}

}  // namespace tessera::expr
