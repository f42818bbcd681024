// Partition-wise nodes: project, filter, map_partitions (blockwise, fused when lowered), head,
// partition selection and the hash shuffle.
#include <algorithm>
#include <atomic>

#include "tessera/compute/partition.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/expr/node.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/expr/node_internal.hpp"
#include "tessera/table/table_serialize.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

using internal::EmptyLike;
using internal::HashNames;
using internal::JoinNames;

// ---------------------------------------------------------------------------------------------
// Partition-wise nodes

NodePtr ProjectNode::Make(NodePtr input, std::vector<NamedExpr> columns) {
  auto node = std::shared_ptr<ProjectNode>(new ProjectNode(input));
  node->columns_ = std::move(columns);
  uint64_t parameters = 0x70726f6a;
  for (const auto& column : node->columns_) parameters = HashCombine(HashText(column.name, parameters), column.expr->hash());
  TablePtr meta = node->ApplyPartition(input->meta(), 0);  // type errors surface here, not at compute()
  node->Init(std::move(meta), input->npartitions(), input->divisions(), parameters);
  return node;
}

std::string ProjectNode::prefix() const {
  for (const auto& column : columns_) {
    if (column.expr->kind() != ColumnExpr::Kind::kColumn) return "assign";
  }
  return "getitem";
}

std::string ProjectNode::Describe() const {
  std::string text = "Project [";
  for (size_t i = 0; i < columns_.size(); ++i) {
    const auto& column = columns_[i];
    text += (i ? ", " : "") + column.name;
    if (column.expr->kind() != ColumnExpr::Kind::kColumn || column.expr->name() != column.name) {
      text += " = " + column.expr->ToString();
    }
  }
  return text + "]";
}

ColumnExprPtr ProjectNode::Inline(const ColumnExprPtr& expression) const {
  switch (expression->kind()) {
    case ColumnExpr::Kind::kColumn: {
      for (const auto& column : columns_) {
        if (column.name == expression->name()) return column.expr;
      }
      throw Internal("projection has no column " + expression->name());
    }
    case ColumnExpr::Kind::kCall: {
      std::vector<ColumnExprPtr> args;
      for (const auto& arg : expression->args()) args.push_back(Inline(arg));
      return ColumnExpr::Call(expression->name(), std::move(args), expression->params());
    }
    default:
      return expression;
  }
}

TablePtr ProjectNode::ApplyPartition(const TablePtr& input, int64_t) const {
  std::vector<std::string> names;
  std::vector<ColumnPtr> columns;
  names.reserve(columns_.size());
  columns.reserve(columns_.size());
  for (const auto& column : columns_) {
    names.push_back(column.name);
    columns.push_back(column.expr->Evaluate(*input));
  }
  return Table::Make(std::move(names), std::move(columns), input->index(), input->index_name());
}

void ProjectNode::WriteParameters(NodeWriter& out) const {
  out.Int(int64_t(columns_.size()));
  for (const auto& column : columns_) {
    out.String(column.name);
    out.Expr(column.expr);
  }
}

NodePtr ProjectNode::Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape) {
  auto node = std::shared_ptr<ProjectNode>(new ProjectNode(inputs.at(0)));
  for (size_t n = in.Count("columns", 9); n > 0; --n) {
    std::string name = in.String();
    node->columns_.push_back({std::move(name), in.Expr()});
  }
  node->Restore(shape);
  return node;
}

void FilterNode::WriteParameters(NodeWriter& out) const { out.Expr(predicate_); }

NodePtr FilterNode::Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape) {
  auto node = std::shared_ptr<FilterNode>(new FilterNode(inputs.at(0)));
  node->predicate_ = in.Expr();
  node->Restore(shape);
  return node;
}

NodePtr FilterNode::Make(NodePtr input, ColumnExprPtr predicate) {
  auto node = std::shared_ptr<FilterNode>(new FilterNode(input));
  node->predicate_ = std::move(predicate);
  TablePtr meta = node->ApplyPartition(input->meta(), 0);
  node->Init(std::move(meta), input->npartitions(), input->divisions(), HashCombine(0x66696c74, node->predicate_->hash()));
  return node;
}

TablePtr FilterNode::ApplyPartition(const TablePtr& input, int64_t) const {
  const ColumnPtr mask = predicate_->Evaluate(*input);
  if (mask->type() != types::Bool()) {
    throw TypeError("filtering needs a bool condition, but " + predicate_->ToString() + " is " +
                    mask->type().ToString());
  }
  return compute::Filter(*input, *mask);
}

NodePtr MapPartitionsNode::Make(NodePtr input, Function function, TablePtr meta, std::string name,
                                bool keep_divisions, PortableFunction portable) {
  static std::atomic<uint64_t> counter{0};
  auto node = std::shared_ptr<MapPartitionsNode>(new MapPartitionsNode(input));
  node->function_ = std::move(function);
  if (portable) node->portable_ = std::make_shared<const PortableFunction>(std::move(portable));
  node->name_ = name.empty() ? "map-partitions" : std::move(name);
  node->keep_divisions_ = keep_divisions;
  node->identity_ = ++counter;
  if (meta == nullptr) meta = node->function_(input->meta());  // meta from the empty input
  node->Init(EmptyLike(*meta), input->npartitions(), keep_divisions ? input->divisions() : Divisions{},
             HashCombine(0x6d6170, node->identity_));
  return node;
}

NodePtr MapPartitionsNode::MakeWithDivisions(NodePtr input, Function function, TablePtr meta, std::string name,
                                             Divisions divisions, PortableFunction portable) {
  if (!divisions.empty() && int64_t(divisions.size()) != input->npartitions() + 1) {
    throw InvalidArgument("map_partitions: " + std::to_string(divisions.size()) + " divisions for " +
                          std::to_string(input->npartitions()) + " partitions");
  }
  auto made = Make(std::move(input), std::move(function), std::move(meta), std::move(name), false, std::move(portable));
  auto node = std::const_pointer_cast<MapPartitionsNode>(std::static_pointer_cast<const MapPartitionsNode>(made));
  node->divisions_ = divisions;
  node->Init(node->meta(), node->npartitions(), std::move(divisions), HashCombine(0x6d6170, node->identity_));
  return node;
}

NodePtr MapPartitionsNode::WithInputs(std::vector<NodePtr> inputs) const {
  auto node = std::shared_ptr<MapPartitionsNode>(new MapPartitionsNode(inputs.at(0)));
  node->function_ = function_;
  node->portable_ = portable_;
  node->name_ = name_;
  node->keep_divisions_ = keep_divisions_;
  node->divisions_ = divisions_;
  node->identity_ = identity_;
  node->Init(meta(), inputs[0]->npartitions(),
             keep_divisions_ ? inputs[0]->divisions() : divisions_, HashCombine(0x6d6170, identity_));
  return node;
}

TablePtr MapPartitionsNode::ApplyPartition(const TablePtr& input, int64_t partition) const {
  TablePtr result = function_(input);
  if (result == nullptr) throw TypeError(name_ + " returned no table for partition " + std::to_string(partition));
  if (!(result->schema() == meta()->schema())) {
    throw TypeError(name_ + " returned columns\n" + result->schema().ToString() + "\nfor partition " +
                    std::to_string(partition) + ", but its meta declares\n" + meta()->schema().ToString() +
                    "\npass a meta that matches what the function returns");
  }
  return result;
}

void MapPartitionsNode::WriteParameters(NodeWriter& out) const {
  if (portable_ == nullptr) {
    throw NotImplemented("the partition function of '" + name_ +
                         "' is a C++ function only this process can run; it cannot be sent to another process yet");
  }
  out.String(name_);
  out.String(portable_->kind);
  out.String(portable_->serialize());
}

NodePtr MapPartitionsNode::Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape) {
  auto node = std::shared_ptr<MapPartitionsNode>(new MapPartitionsNode(inputs.at(0)));
  node->name_ = in.String();
  const std::string kind = in.String();
  node->function_ = ReadPartitionFunction(kind, in.String());
  node->Restore(shape);
  return node;
}

NodePtr HeadNode::Make(NodePtr input, int64_t n, int64_t partitions) {
  auto node = std::shared_ptr<HeadNode>(new HeadNode(input));
  node->n_ = n;
  node->partitions_ = std::clamp<int64_t>(partitions, 1, input->npartitions());
  Divisions divisions;
  node->Init(input->meta(), 1, std::move(divisions), HashCombine(0x68656164 + uint64_t(n), uint64_t(node->partitions_)));
  return node;
}

std::string HeadNode::Describe() const {
  return "Head " + std::to_string(n_) + " rows of the first " + std::to_string(partitions_) + " partition(s)";
}

graph::ValuePtr HeadNode::RunStage(int, const graph::TaskInputs& task) const {
  std::vector<TablePtr> tables;
  int64_t rows = 0;
  for (size_t i = 0; i < task.size() && rows < n_; ++i) {
    tables.push_back(TableOf(task.Get(i)));
    rows += tables.back()->num_rows();
  }
  TablePtr table = ConcatenateTables(tables);
  return std::make_shared<const TableValue>(table->Slice(0, std::min(n_, table->num_rows())));
}

void HeadNode::WriteParameters(NodeWriter& out) const {
  out.Int(n_);
  out.Int(partitions_);
}

NodePtr HeadNode::Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape) {
  auto node = std::shared_ptr<HeadNode>(new HeadNode(inputs.at(0)));
  node->n_ = in.Int();
  node->partitions_ = in.Int();
  node->Restore(shape);
  return node;
}

std::vector<graph::Arg> HeadNode::Lower(LoweringContext& context) const {
  const auto& inputs = context.Partitions(input());
  const uint32_t function = context.AddStage(*this, 0, "head");
  std::vector<graph::Arg> args(inputs.begin(), inputs.begin() + partitions_);
  return {context.AddTask(graph::InternName(name()), 0, function, std::move(args))};
}

NodePtr PartitionsNode::Make(NodePtr input, std::vector<int64_t> indices) {
  if (indices.empty()) throw InvalidArgument("select at least one partition");
  uint64_t parameters = 0x70617274;
  Divisions divisions;
  bool contiguous = true;
  for (size_t i = 0; i < indices.size(); ++i) {
    int64_t& index = indices[i];
    if (index < 0) index += input->npartitions();
    if (index < 0 || index >= input->npartitions()) {
      throw IndexError("partition " + std::to_string(indices[i]) + " out of range: the frame has " +
                       std::to_string(input->npartitions()) + " partitions");
    }
    contiguous &= i == 0 || index == indices[i - 1] + 1;
    parameters = HashCombine(parameters, uint64_t(index));
  }
  if (input->known_divisions() && contiguous) {
    divisions.assign(input->divisions().begin() + indices.front(), input->divisions().begin() + indices.back() + 2);
  }
  auto node = std::shared_ptr<PartitionsNode>(new PartitionsNode(input));
  node->indices_ = std::move(indices);
  node->Init(input->meta(), int64_t(node->indices_.size()), std::move(divisions), parameters);
  return node;
}

std::string PartitionsNode::Describe() const {
  std::string text = "Partitions [";
  for (size_t i = 0; i < indices_.size() && i < 8; ++i) text += (i ? ", " : "") + std::to_string(indices_[i]);
  return text + (indices_.size() > 8 ? ", ...]" : "]");
}

std::vector<graph::Arg> PartitionsNode::Lower(LoweringContext& context) const {
  const auto& inputs = context.Partitions(input());
  std::vector<graph::Arg> partitions;
  for (int64_t index : indices_) partitions.push_back(inputs[size_t(index)]);
  return partitions;
}

NodePtr ShuffleNode::Make(NodePtr input, std::vector<std::string> keys, int64_t npartitions) {
  if (npartitions < 1) throw InvalidArgument("shuffle needs npartitions >= 1, got " + std::to_string(npartitions));
  for (const auto& key : keys) input->meta()->column(key);  // KeyError naming the columns
  auto node = std::shared_ptr<ShuffleNode>(new ShuffleNode(input));
  node->keys_ = std::move(keys);
  node->Init(input->meta(), npartitions, {}, HashNames(node->keys_, 0x73687566 + uint64_t(npartitions)));
  return node;
}

std::string ShuffleNode::Describe() const {
  return "Shuffle by [" + JoinNames(keys_) + "] into " + std::to_string(npartitions()) + " partitions";
}

graph::ValuePtr ShuffleNode::RunStage(int stage, const graph::TaskInputs& task) const {
  if (stage == 0) {
    return std::make_shared<const TableListValue>(compute::PartitionByHash(*TableOf(task.Get(0)), keys_, npartitions()));
  }
  std::vector<TablePtr> tables;
  tables.reserve(task.size());
  for (size_t i = 0; i < task.size(); ++i) tables.push_back(TableOf(task.Get(i)));
  return std::make_shared<const TableValue>(ConcatenateTables(tables));
}

void ShuffleNode::WriteParameters(NodeWriter& out) const { out.Strings(keys_); }

NodePtr ShuffleNode::Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape) {
  auto node = std::shared_ptr<ShuffleNode>(new ShuffleNode(inputs.at(0)));
  node->keys_ = in.Strings();
  node->Restore(shape);
  return node;
}

std::vector<graph::Arg> ShuffleNode::Lower(LoweringContext& context) const {
  const auto inputs = context.Partitions(input());
  const int64_t outputs = npartitions();
  const uint32_t split = context.AddStage(*this, 0, "shuffle-split");
  const uint32_t gather = context.AddStage(*this, 1, "shuffle");
  const std::string token = TokenText(this->token());
  const uint32_t split_name = graph::InternName(prefix() + "-split-" + token);
  std::vector<graph::Arg> splits;
  for (size_t i = 0; i < inputs.size(); ++i) splits.push_back(context.AddTask(split_name, int64_t(i), split, {inputs[i]}));
  const auto pieces = context.SplitPieces(splits, outputs, prefix() + "-piece", token);
  const uint32_t output_name = graph::InternName(name());
  std::vector<graph::Arg> partitions;
  for (int64_t j = 0; j < outputs; ++j) partitions.push_back(context.AddTask(output_name, j, gather, pieces[size_t(j)]));
  return partitions;
}


}  // namespace tessera::expr
