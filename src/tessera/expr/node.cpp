// Node basics: names, tokens, the shape of nodes read back from bytes, and split partitions as
// task values. The node families live in source_nodes.cpp, partitionwise_nodes.cpp and the
// *_node.cpp files.
#include "tessera/expr/node.hpp"

#include <cstdio>

#include "tessera/base/error.hpp"
#include "tessera/base/hash.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/table/table_serialize.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

std::string TokenText(uint64_t token) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(token));
  return text;
}

TableListValue::TableListValue(std::vector<TablePtr> tables) : tables_(std::move(tables)) {
  static const bool registered = [] {
    graph::RegisterValueType("table-list", [](ByteReader& in) -> graph::ValuePtr {
      const uint64_t count = in.ReadRaw<uint64_t>();
      std::vector<TablePtr> tables;
      for (uint64_t i = 0; i < count; ++i) tables.push_back(DeserializeTable(in));
      return std::make_shared<const TableListValue>(std::move(tables));
    });
    return true;
  }();
  (void)registered;
}

void TableListValue::Serialize(ByteSink& out) const {
  out.WriteRaw(uint64_t(tables_.size()));
  for (const auto& table : tables_) SerializeTable(*table, out);
}

int64_t TableListValue::nbytes() const {
  int64_t total = 0;
  for (const auto& table : tables_) total += table->nbytes();
  return total;
}

std::string Node::name() const { return prefix() + "-" + TokenText(token_); }

TablePtr Node::ApplyPartition(const TablePtr&, int64_t) const {
  throw Internal(Describe() + " is not a blockwise node");
}

std::vector<graph::Arg> Node::Lower(LoweringContext&) const {
  throw Internal(Describe() + " has no lowering");
}

graph::ValuePtr Node::RunStage(int stage, const graph::TaskInputs&) const {
  throw Internal(Describe() + " has no stage " + std::to_string(stage));
}

void Node::WriteParameters(NodeWriter&) const {
  throw NotImplemented(Describe() + " cannot be sent to another process yet; run it on the local scheduler");
}

void Node::Restore(const NodeShape& shape) {
  meta_ = shape.meta;
  npartitions_ = shape.npartitions;
  divisions_ = shape.divisions;
  token_ = shape.token;
}

void Node::Init(TablePtr meta, int64_t npartitions, Divisions divisions, uint64_t parameters) {
  meta_ = std::move(meta);
  npartitions_ = npartitions;
  divisions_ = std::move(divisions);
  // Mixed at every step (HashCombine alone lets small parameters such as partition numbers and
  // node identities cancel out; equal tokens would merge different nodes).
  uint64_t token = HashInt64(parameters, uint64_t(kind_) + 1);
  for (const auto& input : inputs_) token = HashInt64(input->token(), token);
  token_ = token;
}
}  // namespace tessera::expr
