// Nodes as bytes, so a lowered stage can run in another process. A node writes its kind, token,
// meta, partitions, divisions and the shapes of its inputs (meta, partitions, divisions: what
// its stages read of them), then its own parameters (Node::WriteParameters). Reading gives back
// a detached node: the same parameters over input stubs that only carry those shapes; it runs
// stages and ApplyPartition exactly as the original, but cannot be lowered again.
//
// A stage is what one task function of a lowered node does: (node, stage number), or for fused
// blockwise chains (nodes..., kChainStage). Its data form is the registered operation
// "tessera.expr.stage" with the stage's bytes as parameters; workers decode each distinct
// parameter blob once and keep the decoded nodes in a small cache.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/base/byte_stream.hpp"
#include "tessera/expr/column_expr.hpp"
#include "tessera/expr/node.hpp"
#include "tessera/graph/task.hpp"

namespace tessera::expr {

class NodeWriter {
 public:
  explicit NodeWriter(std::string* out) : sink_(out) {}
  ByteSink& sink() { return sink_; }
  void Int(int64_t value) { sink_.WriteRaw(value); }
  void Double(double value) { sink_.WriteRaw(value); }
  void Bool(bool value) { sink_.WriteRaw(uint8_t(value ? 1 : 0)); }
  void String(std::string_view text);
  void Strings(const std::vector<std::string>& texts);
  void Ints(const std::vector<int64_t>& values);
  void Type(DataType type);
  void Scalar(const compute::Scalar& value);
  void Scalars(const std::vector<compute::Scalar>& values);
  void Expr(const ColumnExprPtr& expr);
  /// A table in the table binary format (metas, small tables).
  void Table(const TablePtr& table);

 private:
  StringSink sink_;
};

class NodeReader {
 public:
  explicit NodeReader(std::string_view bytes) : in_(bytes) {}
  ByteReader& source() { return in_; }
  int64_t Int() { return in_.ReadRaw<int64_t>(); }
  double Double() { return in_.ReadRaw<double>(); }
  bool Bool() { return in_.ReadRaw<uint8_t>() != 0; }
  std::string String();
  std::vector<std::string> Strings();
  std::vector<int64_t> Ints();
  DataType Type();
  compute::Scalar Scalar();
  std::vector<compute::Scalar> Scalars();
  ColumnExprPtr Expr();
  TablePtr Table();
  /// A count written by Int, checked to be non-negative and at most what the bytes could hold.
  size_t Count(std::string_view what, size_t min_bytes_each = 1);
  bool done() const { return in_.remaining() == 0; }

 private:
  StringReader in_;
};

/// What every node carries besides its own parameters (read back by ReadNode).
struct NodeShape {
  TablePtr meta;
  int64_t npartitions = 0;
  Divisions divisions;
  uint64_t token = 0;
};

/// The node (see the file comment). NotImplemented naming the node when it cannot be written.
void WriteNode(const Node& node, NodeWriter& out);
/// A detached node (see the file comment). IOError for foreign bytes.
NodePtr ReadNode(NodeReader& in);

/// Stage number of a fused chain of blockwise nodes (ApplyPartition of each in turn).
inline constexpr int kChainStage = -1;

/// The registered operation that runs stages from their bytes.
const graph::Operation* StageOperation();
/// The bytes of stage `stage` of `nodes` (one node, or a blockwise chain with kChainStage).
std::string SerializeStage(const std::vector<NodePtr>& nodes, int stage);
/// Runs a stage on live nodes (the in-process path: no decoding).
graph::ValuePtr RunStage(const std::vector<NodePtr>& nodes, int stage, const graph::TaskInputs& task);

using PartitionFunctionReader = std::function<TablePtr(const TablePtr&)> (*)(std::string_view bytes);
/// Registers how to rebuild partition functions of `kind` (e.g. "python", "set-index").
/// Idempotent for the same reader; thread-safe.
void RegisterPartitionFunction(std::string_view kind, PartitionFunctionReader reader);
/// The function of `kind` from its bytes; KeyError naming the kind when none is registered.
std::function<TablePtr(const TablePtr&)> ReadPartitionFunction(std::string_view kind, std::string_view bytes);

/// The same for the generators of GeneratedNode (partition index -> table), e.g. "timeseries".
using GeneratorReader = GeneratedNode::Generator (*)(std::string_view bytes);
void RegisterGenerator(std::string_view kind, GeneratorReader reader);
GeneratedNode::Generator ReadGenerator(std::string_view kind, std::string_view bytes);

}  // namespace tessera::expr
