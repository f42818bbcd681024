// SortByBoundariesNode: split by boundaries, gather, sort, index.
#include "tessera/expr/sort_node.hpp"

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/compute/partition.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

TablePtr SortIntoIndex(const TablePtr& table, const std::string& column) {
  TablePtr sorted = table;
  if (table->num_rows() > 1) sorted = compute::SortTable(*table, {{column, true}});
  return sorted->SetIndex(column);
}

NodePtr IndexByColumn(NodePtr input, const std::string& column, Divisions divisions) {
  auto function = [column](const TablePtr& table) { return table->SetIndex(column); };
  PortableFunction portable{"set-index", [column] { return column; }};
  return MapPartitionsNode::MakeWithDivisions(std::move(input), function, nullptr, "set-index-" + column,
                                              std::move(divisions), std::move(portable));
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

// The rows of one input partition that go to each output partition (ascending row numbers).
class RowListsValue final : public graph::Value {
 public:
  explicit RowListsValue(std::vector<std::vector<int64_t>> rows) : rows_(std::move(rows)) {
    static const bool registered = [] {
      graph::RegisterValueType("row-lists", [](ByteReader& in) -> graph::ValuePtr {
        std::vector<std::vector<int64_t>> rows(in.ReadRaw<uint64_t>());
        for (auto& list : rows) {
          const uint64_t count = in.ReadRaw<uint64_t>();
          in.Require(int64_t(count * sizeof(int64_t)), "row list");
          list.resize(count);
          in.Read(list.data(), count * sizeof(int64_t));
        }
        return std::make_shared<const RowListsValue>(std::move(rows));
      });
      return true;
    }();
    (void)registered;
  }
  std::string_view type_name() const override { return "row-lists"; }
  void Serialize(ByteSink& out) const override {
    out.WriteRaw(uint64_t(rows_.size()));
    for (const auto& list : rows_) {
      out.WriteRaw(uint64_t(list.size()));
      out.Write(list.data(), list.size() * sizeof(int64_t));
    }
  }
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

namespace {
enum SortStage { kListRows, kGatherRows, kSplitPieces, kSortPieces };
}  // namespace

graph::ValuePtr SortByBoundariesNode::RunStage(int stage, const graph::TaskInputs& task) const {
  const std::vector<compute::Scalar>& boundaries = divisions();
  switch (stage) {
    case kListRows: {
      const std::vector<int32_t> ids = compute::PartitionIdsByBoundaries(*TableOf(task.Get(0)), column_, boundaries);
      std::vector<std::vector<int64_t>> rows(static_cast<size_t>(npartitions()));
      for (size_t row = 0; row < ids.size(); ++row) rows[size_t(ids[row])].push_back(int64_t(row));
      return std::make_shared<const RowListsValue>(std::move(rows));
    }
    case kGatherRows: {
      const size_t num_inputs = task.size() / 2;
      const size_t piece = size_t(task.key().index);
      std::vector<TablePtr> sources, keys;
      std::vector<int32_t> source_of;
      std::vector<int64_t> rows;
      for (size_t i = 0; i < num_inputs; ++i) {
        sources.push_back(TableOf(task.Get(i)));
        keys.push_back(sources.back()->SelectColumns({column_}));
        const auto* lists = dynamic_cast<const RowListsValue*>(task.Get(num_inputs + i).get());
        if (lists == nullptr) throw Internal("set-index expects row lists");
        for (int64_t row : lists->rows().at(piece)) {
          source_of.push_back(int32_t(i));
          rows.push_back(row);
        }
      }
      const ColumnPtr key = compute::TakeFromTables(keys, source_of, rows)->column(0);
      const ColumnPtr order = compute::SortIndices(*key);
      const int64_t* permutation = order->values<int64_t>();
      std::vector<int32_t> sorted_source(source_of.size());
      std::vector<int64_t> sorted_rows(rows.size());
      for (size_t k = 0; k < rows.size(); ++k) {
        sorted_source[k] = source_of[size_t(permutation[k])];
        sorted_rows[k] = rows[size_t(permutation[k])];
      }
      return std::make_shared<const TableValue>(
          compute::TakeFromTables(sources, sorted_source, sorted_rows)->SetIndex(column_));
    }
    case kSplitPieces:
      return std::make_shared<const TableListValue>(compute::PartitionByBoundaries(*TableOf(task.Get(0)), column_, boundaries));
    case kSortPieces: {
      std::vector<TablePtr> tables;
      for (size_t i = 0; i < task.size(); ++i) tables.push_back(TableOf(task.Get(i)));
      return std::make_shared<const TableValue>(SortIntoIndex(ConcatenateTables(tables), column_));
    }
    default: return Node::RunStage(stage, task);
  }
}

void SortByBoundariesNode::WriteParameters(NodeWriter& out) const {
  out.String(column_);
  out.Int(int64_t(method_));
}

NodePtr SortByBoundariesNode::Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape) {
  auto node = std::shared_ptr<SortByBoundariesNode>(new SortByBoundariesNode(inputs.at(0)));
  node->column_ = in.String();
  node->method_ = Method(in.Int());
  node->Restore(shape);
  return node;
}

// Rows move once: split tasks only decide where each row goes; the task of an output partition
// sorts its rows by key and gathers every column straight from the input partitions.
std::vector<graph::Arg> SortByBoundariesNode::Lower(LoweringContext& context) const {
  if (method_ == Method::kPieces) return LowerPieces(context);
  const auto& inputs = context.Partitions(input());
  const uint32_t split = context.AddStage(*this, kListRows, "set-index-split");
  const uint32_t gather = context.AddStage(*this, kGatherRows, "set-index");
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
  const int64_t outputs = npartitions();
  // split i -> piece (i, j) for every output j -> output j from pieces (*, j).
  const uint32_t split = context.AddStage(*this, kSplitPieces, "set-index-split");
  const uint32_t gather = context.AddStage(*this, kSortPieces, "set-index");
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
