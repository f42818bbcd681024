// ConcatNode and RepartitionNode.
#include "tessera/expr/combine_node.hpp"

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {


NodePtr ConcatNode::Make(std::vector<NodePtr> inputs) {
  if (inputs.empty()) throw InvalidArgument("concat needs at least one frame");
  const Table& first = *inputs[0]->meta();
  for (size_t i = 1; i < inputs.size(); ++i) {
    const Table& other = *inputs[i]->meta();
    if (!(other.schema() == first.schema()) || other.has_index() != first.has_index() ||
        (first.has_index() && other.index()->type() != first.index()->type())) {
      throw TypeError("concat: frame " + std::to_string(i) + " has columns\n" + other.schema().ToString() +
                      "\nbut frame 0 has\n" + first.schema().ToString() +
                      "\nselect and astype the columns so every frame has the same ones");
    }
  }
  // Known divisions when every frame's follow the previous frame's.
  Divisions divisions;
  bool known = true;
  for (const auto& input : inputs) known &= input->known_divisions();
  for (size_t i = 1; known && i < inputs.size(); ++i) {
    const auto order = compute::CompareScalars(inputs[i - 1]->divisions().back(), inputs[i]->divisions().front());
    known = order && *order < 0;
  }
  int64_t npartitions = 0;
  for (const auto& input : inputs) {
    npartitions += input->npartitions();
    if (known) {
      const auto& d = input->divisions();
      divisions.insert(divisions.end(), d.begin(), d.end() - 1);
    }
  }
  if (known) divisions.push_back(inputs.back()->divisions().back());
  auto node = std::shared_ptr<ConcatNode>(new ConcatNode(inputs));
  node->Init(inputs[0]->meta(), npartitions, known ? std::move(divisions) : Divisions{}, 0x636f6e636174);
  return node;
}

std::vector<graph::Arg> ConcatNode::Lower(LoweringContext& context) const {
  std::vector<graph::Arg> partitions;
  for (const auto& input : inputs()) {
    const auto& parts = context.Partitions(input);
    partitions.insert(partitions.end(), parts.begin(), parts.end());
  }
  return partitions;
}

NodePtr RepartitionNode::Make(NodePtr input, std::vector<Part> parts, Divisions divisions) {
  if (parts.empty()) throw InvalidArgument("repartition needs at least one output partition");
  uint64_t parameters = 0x726570;
  for (const auto& part : parts) {
    if (part.inputs.empty() || part.pieces < 1 || part.piece < 0 || part.piece >= part.pieces ||
        (part.pieces > 1 && part.inputs.size() != 1)) {
      throw Internal("malformed repartition part");
    }
    for (int64_t index : part.inputs) {
      if (index < 0 || index >= input->npartitions()) throw Internal("repartition input out of range");
      parameters = HashCombine(parameters, uint64_t(index));
    }
    parameters = HashCombine(parameters, uint64_t(part.piece) * 7919 + uint64_t(part.pieces));
  }
  auto node = std::shared_ptr<RepartitionNode>(new RepartitionNode(input));
  node->parts_ = std::move(parts);
  const int64_t count = int64_t(node->parts_.size());
  for (const auto& division : divisions) parameters = HashText(division.ToString(), parameters);
  node->Init(input->meta(), count, std::move(divisions), parameters);
  return node;
}

std::string RepartitionNode::Describe() const {
  return "Repartition " + std::to_string(input()->npartitions()) + " -> " + std::to_string(npartitions()) +
         " partitions";
}

graph::ValuePtr RepartitionNode::RunStage(int, const graph::TaskInputs& task) const {
  const auto& part = parts_.at(size_t(task.key().index));
  if (part.pieces > 1) {
    const TablePtr& table = TableOf(task.Get(0));
    const int64_t rows = table->num_rows();
    const int64_t begin = rows * part.piece / part.pieces, end = rows * (part.piece + 1) / part.pieces;
    return std::make_shared<const TableValue>(table->Slice(begin, end - begin));
  }
  if (task.size() == 1) return task.Get(0);
  std::vector<TablePtr> tables;
  for (size_t i = 0; i < task.size(); ++i) tables.push_back(TableOf(task.Get(i)));
  return std::make_shared<const TableValue>(ConcatenateTables(tables));
}

void RepartitionNode::WriteParameters(NodeWriter& out) const {
  out.Int(int64_t(parts_.size()));
  for (const auto& part : parts_) {
    out.Ints(part.inputs);
    out.Int(part.piece);
    out.Int(part.pieces);
  }
}

NodePtr RepartitionNode::Read(NodeReader& in, std::vector<NodePtr> inputs, const NodeShape& shape) {
  auto node = std::shared_ptr<RepartitionNode>(new RepartitionNode(inputs.at(0)));
  for (size_t n = in.Count("parts", 24); n > 0; --n) {
    Part part;
    part.inputs = in.Ints();
    part.piece = in.Int();
    part.pieces = in.Int();
    node->parts_.push_back(std::move(part));
  }
  node->Restore(shape);
  return node;
}

std::vector<graph::Arg> RepartitionNode::Lower(LoweringContext& context) const {
  const auto& inputs = context.Partitions(input());
  const uint32_t function = context.AddStage(*this, 0, "repartition");
  const uint32_t name_id = graph::InternName(name());
  std::vector<graph::Arg> partitions;
  for (size_t j = 0; j < parts_.size(); ++j) {
    std::vector<graph::Arg> args;
    for (int64_t index : parts_[j].inputs) args.push_back(inputs[size_t(index)]);
    partitions.push_back(context.AddTask(name_id, int64_t(j), function, std::move(args)));
  }
  return partitions;
}

}  // namespace tessera::expr
