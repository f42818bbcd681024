// Node and stage bytes, input stubs, the stage operation and its decoded-stage cache, and the
// registry of portable partition functions.
#include "tessera/expr/node_codec.hpp"

#include <list>
#include <mutex>
#include <unordered_map>

#include "tessera/base/error.hpp"
#include "tessera/expr/broadcast_node.hpp"
#include "tessera/expr/combine_node.hpp"
#include "tessera/expr/group_by_node.hpp"
#include "tessera/expr/merge_node.hpp"
#include "tessera/expr/read_parquet_node.hpp"
#include "tessera/expr/reduction.hpp"
#include "tessera/expr/rolling_node.hpp"
#include "tessera/expr/sort_node.hpp"
#include "tessera/table/table_serialize.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

void NodeWriter::String(std::string_view text) {
  Int(int64_t(text.size()));
  sink_.Write(text);
}

void NodeWriter::Strings(const std::vector<std::string>& texts) {
  Int(int64_t(texts.size()));
  for (const auto& text : texts) String(text);
}

void NodeWriter::Ints(const std::vector<int64_t>& values) {
  Int(int64_t(values.size()));
  for (int64_t value : values) Int(value);
}

void NodeWriter::Type(DataType type) {
  sink_.WriteRaw(uint8_t(type.id()));
  sink_.WriteRaw(uint8_t(type.unit()));
}

void NodeWriter::Scalar(const compute::Scalar& value) {
  Type(value.type());
  const size_t storage = value.storage_index();
  sink_.WriteRaw(uint8_t(storage));
  switch (storage) {
    case 0: break;
    case 1: Bool(value.as_bool()); break;
    case 2: Int(value.as_int64()); break;
    case 3: sink_.WriteRaw(value.as_uint64()); break;
    case 4: Double(value.as_double()); break;
    case 5: String(value.as_string()); break;
    default: throw Internal("scalar with unknown storage");
  }
}

void NodeWriter::Scalars(const std::vector<compute::Scalar>& values) {
  Int(int64_t(values.size()));
  for (const auto& value : values) Scalar(value);
}

void NodeWriter::Expr(const ColumnExprPtr& expr) {
  sink_.WriteRaw(uint8_t(expr->kind()));
  switch (expr->kind()) {
    case ColumnExpr::Kind::kColumn: String(expr->name()); break;
    case ColumnExpr::Kind::kIndex: break;
    case ColumnExpr::Kind::kLiteral: Scalar(expr->literal()); break;
    case ColumnExpr::Kind::kCall: {
      String(expr->name());
      Int(int64_t(expr->args().size()));
      for (const auto& arg : expr->args()) Expr(arg);
      Strings(expr->params().strings);
      Ints(expr->params().ints);
      Scalars(expr->params().scalars);
      break;
    }
  }
}

void NodeWriter::Table(const TablePtr& table) { SerializeTable(*table, sink_); }

size_t NodeReader::Count(std::string_view what, size_t min_bytes_each) {
  const int64_t count = Int();
  if (count < 0 || (count > 0 && uint64_t(count) * min_bytes_each > uint64_t(in_.remaining()))) {
    throw IOError("stage bytes hold a bad count of " + std::string(what) + " (" + std::to_string(count) + ")");
  }
  return size_t(count);
}

std::string NodeReader::String() {
  const size_t size = Count("text bytes");
  std::string text(size, '\0');
  in_.Read(text.data(), size);
  return text;
}

std::vector<std::string> NodeReader::Strings() {
  std::vector<std::string> texts(Count("texts", 8));
  for (auto& text : texts) text = String();
  return texts;
}

std::vector<int64_t> NodeReader::Ints() {
  std::vector<int64_t> values(Count("integers", 8));
  for (auto& value : values) value = Int();
  return values;
}

DataType NodeReader::Type() {
  const auto id = in_.ReadRaw<uint8_t>();
  const auto unit = in_.ReadRaw<uint8_t>();
  if (id > uint8_t(TypeId::kCategorical) || unit > uint8_t(TimeUnit::kNano)) throw IOError("stage bytes hold an unknown dtype");
  return DataType(TypeId(id), TimeUnit(unit));
}

compute::Scalar NodeReader::Scalar() {
  const DataType type = Type();
  switch (in_.ReadRaw<uint8_t>()) {
    case 0: return compute::Scalar::Null(type);
    case 1: return type == types::Bool() ? compute::Scalar::Bool(Bool()) : throw IOError("bool scalar of another dtype");
    case 2: return compute::Scalar::OfInt(type, Int());
    case 3: return compute::Scalar::OfUInt64(type, in_.ReadRaw<uint64_t>());
    case 4: return compute::Scalar::OfDouble(type, Double());
    case 5: return compute::Scalar::OfString(type, String());
    default: throw IOError("stage bytes hold a scalar of unknown storage");
  }
}

std::vector<compute::Scalar> NodeReader::Scalars() {
  std::vector<compute::Scalar> values;
  for (size_t n = Count("scalars", 3); n > 0; --n) values.push_back(Scalar());
  return values;
}

ColumnExprPtr NodeReader::Expr() {
  switch (ColumnExpr::Kind(in_.ReadRaw<uint8_t>())) {
    case ColumnExpr::Kind::kColumn: return ColumnExpr::Column(String());
    case ColumnExpr::Kind::kIndex: return ColumnExpr::Index();
    case ColumnExpr::Kind::kLiteral: return ColumnExpr::Literal(Scalar());
    case ColumnExpr::Kind::kCall: {
      std::string function = String();
      std::vector<ColumnExprPtr> args;
      for (size_t n = Count("arguments"); n > 0; --n) args.push_back(Expr());
      CallParams params;
      params.strings = Strings();
      params.ints = Ints();
      params.scalars = Scalars();
      return ColumnExpr::Call(std::move(function), std::move(args), std::move(params));
    }
  }
  throw IOError("stage bytes hold an expression of unknown kind");
}

TablePtr NodeReader::Table() { return DeserializeTable(in_); }

namespace {

// What a detached node sees of one of its inputs.
class InputStub final : public Node {
 public:
  static NodePtr Make(const NodeShape& shape) {
    auto node = std::shared_ptr<InputStub>(new InputStub());
    node->Restore(shape);
    return node;
  }
  std::string prefix() const override { return "input"; }
  std::string Describe() const override { return "Input (shape only)"; }
  NodePtr WithInputs(std::vector<NodePtr>) const override { return shared_from_this(); }

 private:
  InputStub() : Node(NodeKind::kInputStub, {}) {}
};

void WriteShape(const Node& node, NodeWriter& out) {
  out.Int(int64_t(node.token()));
  out.Table(node.meta());
  out.Int(node.npartitions());
  out.Scalars(node.divisions());
}

NodeShape ReadShape(NodeReader& in) {
  NodeShape shape;
  shape.token = uint64_t(in.Int());
  shape.meta = in.Table();
  shape.npartitions = in.Int();
  shape.divisions = in.Scalars();
  return shape;
}

}  // namespace

void WriteNode(const Node& node, NodeWriter& out) {
  out.Int(int64_t(node.kind()));
  WriteShape(node, out);
  out.Int(int64_t(node.inputs().size()));
  for (const auto& input : node.inputs()) WriteShape(*input, out);
  node.WriteParameters(out);
}

NodePtr ReadNode(NodeReader& in) {
  const int64_t kind = in.Int();
  const NodeShape shape = ReadShape(in);
  std::vector<NodePtr> inputs;
  for (size_t n = in.Count("inputs", 8); n > 0; --n) inputs.push_back(InputStub::Make(ReadShape(in)));
  switch (NodeKind(kind)) {
    case NodeKind::kReadCsv: return ReadCsvNode::Read(in, shape);
    case NodeKind::kReadParquet: return ReadParquetNode::Read(in, shape);
    case NodeKind::kTimeseries: return GeneratedNode::Read(in, shape);
    case NodeKind::kProject: return ProjectNode::Read(in, std::move(inputs), shape);
    case NodeKind::kFilter: return FilterNode::Read(in, std::move(inputs), shape);
    case NodeKind::kMapPartitions: return MapPartitionsNode::Read(in, std::move(inputs), shape);
    case NodeKind::kReduce: return ReduceNode::Read(in, std::move(inputs), shape);
    case NodeKind::kGroupBy: return GroupByNode::Read(in, std::move(inputs), shape);
    case NodeKind::kShuffle: return ShuffleNode::Read(in, std::move(inputs), shape);
    case NodeKind::kHead: return HeadNode::Read(in, std::move(inputs), shape);
    case NodeKind::kSetIndex: return SortByBoundariesNode::Read(in, std::move(inputs), shape);
    case NodeKind::kRepartition: return RepartitionNode::Read(in, std::move(inputs), shape);
    case NodeKind::kRolling: return RollingNode::Read(in, std::move(inputs), shape);
    case NodeKind::kMerge: return MergeNode::Read(in, std::move(inputs), shape);
    case NodeKind::kBroadcastScalars: return BroadcastScalarsNode::Read(in, std::move(inputs), shape);
    default: break;
  }
  throw IOError("stage bytes hold a node of kind " + std::to_string(kind) + " that has no stages to run");
}

// ---------------------------------------------------------------------------------------------
// Stages

std::string SerializeStage(const std::vector<NodePtr>& nodes, int stage) {
  std::string bytes;
  NodeWriter out(&bytes);
  out.Int(stage);
  out.Int(int64_t(nodes.size()));
  for (const auto& node : nodes) WriteNode(*node, out);
  return bytes;
}

graph::ValuePtr RunStage(const std::vector<NodePtr>& nodes, int stage, const graph::TaskInputs& task) {
  if (stage != kChainStage) return nodes[0]->RunStage(stage, task);
  TablePtr table = TableOf(task.Get(0));
  for (const auto& node : nodes) table = node->ApplyPartition(table, task.key().index);
  return std::make_shared<const TableValue>(std::move(table));
}

namespace {

struct DecodedStage {
  std::vector<NodePtr> nodes;
  int stage = 0;
};

// Decoded stages by their bytes, least recently used dropped first: a worker runs many tasks
// of few stages, so each distinct stage is decoded once.
class StageCache {
 public:
  std::shared_ptr<const DecodedStage> Get(std::string_view bytes) {
    {
      std::lock_guard lock(mutex_);
      auto it = index_.find(std::string(bytes));
      if (it != index_.end()) {
        order_.splice(order_.begin(), order_, it->second);
        return it->second->second;
      }
    }
    auto decoded = std::make_shared<DecodedStage>();
    NodeReader in(bytes);
    decoded->stage = int(in.Int());
    for (size_t n = in.Count("nodes", 8); n > 0; --n) decoded->nodes.push_back(ReadNode(in));
    if (decoded->nodes.empty() || !in.done()) throw IOError("stage bytes are malformed");
    std::lock_guard lock(mutex_);
    auto it = index_.find(std::string(bytes));
    if (it != index_.end()) return it->second->second;
    order_.emplace_front(std::string(bytes), decoded);
    index_.emplace(order_.front().first, order_.begin());
    if (order_.size() > kCapacity) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    return decoded;
  }

 private:
  static constexpr size_t kCapacity = 256;
  using Entry = std::pair<std::string, std::shared_ptr<const DecodedStage>>;
  std::mutex mutex_;
  std::list<Entry> order_;
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

graph::ValuePtr RunStageOperation(const graph::TaskInputs& task) {
  static auto* cache = new StageCache();
  const auto decoded = cache->Get(task.params());
  return RunStage(decoded->nodes, decoded->stage, task);
}

struct FunctionRegistry {
  std::mutex mutex;
  std::unordered_map<std::string, PartitionFunctionReader> readers;
  std::unordered_map<std::string, GeneratorReader> generators;
};

FunctionRegistry& Functions() {
  // The engine's own portable functions are known in every process.
  static auto* registry = [] {
    auto* functions = new FunctionRegistry();
    functions->readers["set-index"] = [](std::string_view column) -> std::function<TablePtr(const TablePtr&)> {
      return [column = std::string(column)](const TablePtr& table) { return table->SetIndex(column); };
    };
    functions->readers["groupby-apply"] = &ReadGroupApply;
    functions->readers["drop-duplicates"] = &ReadFirstOfEachKey;
    functions->readers["set-index-sample"] = &ReadSetIndexSampler;
    return functions;
  }();
  return *registry;
}

}  // namespace

const graph::Operation* StageOperation() {
  static const graph::Operation* operation = graph::RegisterOperation("tessera.expr.stage", &RunStageOperation);
  return operation;
}

void RegisterPartitionFunction(std::string_view kind, PartitionFunctionReader reader) {
  FunctionRegistry& registry = Functions();
  std::lock_guard lock(registry.mutex);
  registry.readers[std::string(kind)] = reader;
}

std::function<TablePtr(const TablePtr&)> ReadPartitionFunction(std::string_view kind, std::string_view bytes) {
  PartitionFunctionReader reader = nullptr;
  {
    FunctionRegistry& registry = Functions();
    std::lock_guard lock(registry.mutex);
    auto it = registry.readers.find(std::string(kind));
    if (it != registry.readers.end()) reader = it->second;
  }
  if (reader == nullptr) {
    throw KeyError("no partition function reader registered as '" + std::string(kind) +
                   "'; import the package that defines it (for 'python': tessera) in every worker");
  }
  return reader(bytes);
}

void RegisterGenerator(std::string_view kind, GeneratorReader reader) {
  FunctionRegistry& registry = Functions();
  std::lock_guard lock(registry.mutex);
  registry.generators[std::string(kind)] = reader;
}

GeneratedNode::Generator ReadGenerator(std::string_view kind, std::string_view bytes) {
  GeneratorReader reader = nullptr;
  {
    FunctionRegistry& registry = Functions();
    std::lock_guard lock(registry.mutex);
    auto it = registry.generators.find(std::string(kind));
    if (it != registry.generators.end()) reader = it->second;
  }
  if (reader == nullptr) {
    throw KeyError("no partition generator registered as '" + std::string(kind) +
                   "'; import the package that defines it (for 'timeseries': tessera) in every worker");
  }
  return reader(bytes);
}

}  // namespace tessera::expr
