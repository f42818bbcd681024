#include "tessera/expr/zip_partitions_node.hpp"

#include <atomic>

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

NodePtr ZipPartitionsNode::Make(std::vector<NodePtr> inputs, std::vector<bool> broadcast, Function function,
                                TablePtr meta, std::string name, bool keep_divisions) {
  static std::atomic<uint64_t> counter{0};
  if (inputs.empty()) throw InvalidArgument("zip_partitions needs at least one collection");
  if (broadcast.empty()) broadcast.assign(inputs.size(), false);
  if (broadcast.size() != inputs.size()) throw InvalidArgument("zip_partitions: one broadcast flag per collection");
  if (meta == nullptr) throw InvalidArgument("zip_partitions needs the meta of its result");
  auto node = std::shared_ptr<ZipPartitionsNode>(new ZipPartitionsNode(std::move(inputs)));
  node->broadcast_ = std::move(broadcast);
  node->function_ = std::move(function);
  node->name_ = name.empty() ? "zip-partitions" : std::move(name);
  node->keep_divisions_ = keep_divisions;
  node->identity_ = ++counter;
  node->Setup(std::move(meta));
  return node;
}

void ZipPartitionsNode::Setup(TablePtr meta) {
  int64_t npartitions = -1;
  Divisions divisions;
  bool same_divisions = true;
  for (size_t k = 0; k < inputs().size(); ++k) {
    const NodePtr& input = inputs()[k];
    if (broadcast_[k]) {
      if (input->npartitions() != 1) {
        throw InvalidArgument("zip_partitions: collection " + std::to_string(k) + " is broadcast to every partition "
                              "but has " + std::to_string(input->npartitions()) + " partitions (one is needed)");
      }
      continue;
    }
    if (npartitions < 0) {
      npartitions = input->npartitions();
      divisions = input->divisions();
    } else if (input->npartitions() != npartitions) {
      throw InvalidArgument("zip_partitions: the collections have " + std::to_string(npartitions) + " and " +
                            std::to_string(input->npartitions()) + " partitions; they must have as many partitions "
                            "(repartition one of them)");
    } else if (!(input->divisions() == divisions)) {
      same_divisions = false;
    }
  }
  if (npartitions < 0) npartitions = 1;
  if (!keep_divisions_ || !same_divisions) divisions.clear();
  uint64_t parameters = HashCombine(0x7a6970, identity_);
  Init(meta->Slice(0, 0), npartitions, std::move(divisions), parameters);
}

std::string ZipPartitionsNode::Describe() const {
  return "ZipPartitions " + name_ + " of " + std::to_string(inputs().size()) + " collections";
}

NodePtr ZipPartitionsNode::WithInputs(std::vector<NodePtr> inputs) const {
  auto node = std::shared_ptr<ZipPartitionsNode>(new ZipPartitionsNode(std::move(inputs)));
  node->broadcast_ = broadcast_;
  node->function_ = function_;
  node->name_ = name_;
  node->keep_divisions_ = keep_divisions_;
  node->identity_ = identity_;
  node->Setup(meta());
  return node;
}

graph::ValuePtr ZipPartitionsNode::RunStage(int, const graph::TaskInputs& task) const {
  // arguments: the partition number, then one partition per input
  const int64_t partition = task.Int64(0);
  std::vector<TablePtr> tables;
  for (size_t k = 1; k < task.size(); ++k) tables.push_back(TableOf(task.Get(k)));
  TablePtr result = function_(partition, tables);
  if (result == nullptr) throw TypeError(name_ + " returned no table for partition " + std::to_string(partition));
  if (!(result->schema() == meta()->schema())) {
    throw TypeError(name_ + " returned columns\n" + result->schema().ToString() + "\nfor partition " +
                    std::to_string(partition) + ", but its meta declares\n" + meta()->schema().ToString());
  }
  return std::make_shared<const TableValue>(std::move(result));
}

std::vector<graph::Arg> ZipPartitionsNode::Lower(LoweringContext& context) const {
  std::vector<const std::vector<graph::Arg>*> partitions;
  for (const auto& input : inputs()) partitions.push_back(&context.Partitions(input));
  const uint32_t function_id = context.AddStage(*this, 0, prefix());
  const uint32_t name_id = graph::InternName(this->name());
  std::vector<graph::Arg> outputs;
  for (int64_t i = 0; i < npartitions(); ++i) {
    std::vector<graph::Arg> args{graph::Arg::Int64(i)};
    for (size_t k = 0; k < partitions.size(); ++k) args.push_back(partitions[k]->at(broadcast_[k] ? 0 : size_t(i)));
    outputs.push_back(context.AddTask(name_id, i, function_id, std::move(args)));
  }
  return outputs;
}

}  // namespace tessera::expr
