// Lowering of node DAGs to task graphs: memoisation by token, blockwise fusion, reuse of held
// keys, and the final concatenation task of compute().
#include "tessera/expr/lowering.hpp"

#include <cstring>

#include "tessera/base/error.hpp"
#include "tessera/expr/node.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::expr {

namespace {

// A stage of live nodes: runs them directly; its data form is the stage operation over their
// bytes (written only when the graph is serialised).
class StageClosure final : public graph::Closure {
 public:
  StageClosure(std::string name, std::vector<NodePtr> nodes, int stage)
      : name_(std::move(name)), nodes_(std::move(nodes)), stage_(stage) {}
  graph::ValuePtr Call(const graph::TaskInputs& inputs) const override { return RunStage(nodes_, stage_, inputs); }
  std::string_view name() const override { return name_; }
  const graph::Operation* operation() const override { return StageOperation(); }
  std::string SerializeParams() const override { return SerializeStage(nodes_, stage_); }

 private:
  std::string name_;
  std::vector<NodePtr> nodes_;
  int stage_;
};

// Piece `key.index % pieces` of a split partition (parameters: the count, 8 bytes).
graph::ValuePtr TakePiece(const graph::TaskInputs& task) {
  int64_t pieces = 0;
  if (task.params().size() != sizeof(pieces)) throw Internal("a shuffle piece needs its piece count");
  std::memcpy(&pieces, task.params().data(), sizeof(pieces));
  const auto* list = dynamic_cast<const TableListValue*>(task.Get(0).get());
  if (list == nullptr) throw Internal("a shuffle piece expects a split partition");
  return std::make_shared<const TableValue>(list->tables().at(size_t(task.key().index % pieces)));
}

graph::ValuePtr Identity(const graph::TaskInputs& task) { return task.Get(0); }

graph::ValuePtr ConcatenateAll(const graph::TaskInputs& task) {
  std::vector<TablePtr> tables;
  tables.reserve(task.size());
  for (size_t i = 0; i < task.size(); ++i) tables.push_back(TableOf(task.Get(i)));
  return std::make_shared<const TableValue>(ConcatenateTables(tables));
}

}  // namespace

LoweringContext::LoweringContext(std::function<bool(const graph::Key&)> is_held)
    : is_held_(std::move(is_held)) {}

void LoweringContext::CountUses(const NodePtr& root) {
  if (uses_[root->token()]++ > 0) return;  // inputs of a shared node are counted once
  for (const auto& input : root->inputs()) CountUses(input);
}

uint32_t LoweringContext::AddStage(const Node& node, int stage, std::string name) {
  return graph_.AddClosure(std::make_shared<const StageClosure>(std::move(name), std::vector<NodePtr>{node.shared_from_this()}, stage));
}

graph::Arg LoweringContext::AddTask(uint32_t name_id, int64_t index, uint32_t function,
                                    std::vector<graph::Arg> args) {
  const graph::Key key(name_id, index);
  graph_.AddTask(key, function, args);
  return graph::Arg::Ref(key);
}

std::vector<std::vector<graph::Arg>> LoweringContext::SplitPieces(const std::vector<graph::Arg>& splits, int64_t pieces,
                                                                    const std::string& prefix, const std::string& token) {
  static const graph::Operation* take_piece = graph::RegisterOperation("tessera.expr.piece", &TakePiece);
  const uint32_t piece = graph_.AddOperation(take_piece, std::string(reinterpret_cast<const char*>(&pieces), sizeof(pieces)));
  const uint32_t name_id = graph::InternName(prefix + "-" + token);
  std::vector<std::vector<graph::Arg>> by_piece(static_cast<size_t>(pieces));
  for (size_t i = 0; i < splits.size(); ++i) {
    for (int64_t j = 0; j < pieces; ++j) {
      by_piece[size_t(j)].push_back(AddTask(name_id, int64_t(i) * pieces + j, piece, {splits[i]}));
    }
  }
  return by_piece;
}

const std::vector<graph::Arg>& LoweringContext::Partitions(const NodePtr& node) {
  if (auto it = lowered_.find(node->token()); it != lowered_.end()) return it->second;
  std::vector<graph::Arg> partitions;
  // Persisted earlier under the same token: read from the scheduler's store.
  const uint32_t name_id = graph::InternName(node->name());
  bool all_held = node->npartitions() > 0 && is_held_ != nullptr;
  for (int64_t i = 0; all_held && i < node->npartitions(); ++i) all_held = IsHeld(graph::Key(name_id, i));
  if (all_held) {
    for (int64_t i = 0; i < node->npartitions(); ++i) partitions.push_back(graph::Arg::Ref(graph::Key(name_id, i)));
  } else if (node->blockwise()) {
    partitions = LowerBlockwise(node);
  } else {
    partitions = node->Lower(*this);
  }
  if (int64_t(partitions.size()) != node->npartitions()) {
    throw Internal(node->Describe() + " lowered to " + std::to_string(partitions.size()) + " partitions, expected " +
                   std::to_string(node->npartitions()));
  }
  return lowered_.emplace(node->token(), std::move(partitions)).first->second;
}

std::vector<graph::Arg> LoweringContext::LowerBlockwise(const NodePtr& node) {
  // Fuse down the chain while the next node is blockwise, read only here, and not lowered yet.
  std::vector<NodePtr> chain{node};
  NodePtr base = node->input();
  while (base->blockwise() && uses_[base->token()] <= 1 && lowered_.count(base->token()) == 0) {
    chain.push_back(base);
    base = base->input();
  }
  const std::vector<graph::Arg> inputs = Partitions(base);
  std::vector<NodePtr> steps(chain.rbegin(), chain.rend());
  std::string label;
  for (const auto& step : steps) label += (label.empty() ? "" : "+") + step->prefix();
  const uint32_t function = graph_.AddClosure(std::make_shared<const StageClosure>(label, std::move(steps), kChainStage));
  const uint32_t name_id = graph::InternName(node->name());
  std::vector<graph::Arg> outputs;
  outputs.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) outputs.push_back(AddTask(name_id, int64_t(i), function, {inputs[i]}));
  return outputs;
}

namespace {

// A partition argument as a key of the graph: literals (and, with `in_graph`, keys held outside
// the graph) get an identity task.
graph::Key AsKey(LoweringContext& context, const graph::Arg& arg, uint32_t name_id, int64_t index,
                 uint32_t* identity_function, bool in_graph) {
  if (arg.kind == graph::ArgKind::kKey && (!in_graph || context.graph().Find(arg.referenced_key()))) {
    return arg.referenced_key();
  }
  if (*identity_function == UINT32_MAX) {
    static const graph::Operation* identity = graph::RegisterOperation("tessera.expr.identity", &Identity);
    *identity_function = context.graph().AddOperation(identity);
  }
  return context.AddTask(name_id, index, *identity_function, {arg}).referenced_key();
}

}  // namespace

LoweredGraph LowerForCompute(const std::vector<NodePtr>& roots,
                             const std::function<bool(const graph::Key&)>& is_held) {
  LoweringContext context(is_held);
  for (const auto& root : roots) context.CountUses(root);
  LoweredGraph lowered;
  uint32_t identity = UINT32_MAX;
  uint32_t concat = UINT32_MAX;
  for (const auto& root : roots) {
    const std::vector<graph::Arg> partitions = context.Partitions(root);
    if (partitions.size() == 1) {
      lowered.outputs.push_back({AsKey(context, partitions[0], graph::InternName("finalize-" + root->name()), 0, &identity, true)});
      continue;
    }
    if (concat == UINT32_MAX) {
      static const graph::Operation* finalize = graph::RegisterOperation("tessera.expr.concatenate", &ConcatenateAll);
      concat = context.graph().AddOperation(finalize);
    }
    const graph::Key key = graph::Key::Make("finalize-" + root->name());
    if (!context.graph().Find(key)) context.graph().AddTask(key, concat, partitions);
    lowered.outputs.push_back({key});
  }
  lowered.graph = std::move(context.graph());
  return lowered;
}

LoweredGraph LowerForPersist(const std::vector<NodePtr>& roots,
                             const std::function<bool(const graph::Key&)>& is_held) {
  LoweringContext context(is_held);
  for (const auto& root : roots) context.CountUses(root);
  LoweredGraph lowered;
  uint32_t identity = UINT32_MAX;
  for (const auto& root : roots) {
    const std::vector<graph::Arg> partitions = context.Partitions(root);
    const uint32_t name_id = graph::InternName(root->name());
    std::vector<graph::Key> keys;
    for (size_t i = 0; i < partitions.size(); ++i) {
      keys.push_back(AsKey(context, partitions[i], name_id, int64_t(i), &identity, false));
    }
    lowered.outputs.push_back(std::move(keys));
  }
  lowered.graph = std::move(context.graph());
  return lowered;
}

}  // namespace tessera::expr
