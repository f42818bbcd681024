// Projection pushdown over the node DAG, and plan printing.
#include "tessera/expr/optimizer.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "tessera/expr/group_by_node.hpp"
#include "tessera/expr/reduction.hpp"

namespace tessera::expr {

namespace {

// Columns of a node's output that consumers read; `all` when a consumer needs every column.
struct Need {
  bool all = false;
  std::set<std::string> columns;
  void Merge(const Need& other) {
    all = all || other.all;
    columns.insert(other.columns.begin(), other.columns.end());
  }
};

void PostOrder(const NodePtr& node, std::unordered_set<uint64_t>* seen, std::vector<NodePtr>* order) {
  if (!seen->insert(node->token()).second) return;
  for (const auto& input : node->inputs()) PostOrder(input, seen, order);
  order->push_back(node);
}

// Columns of the single input that `node` reads to produce the columns `need` names.
Need InputNeed(const Node& node, const Need& need) {
  Need result;
  switch (node.kind()) {
    case NodeKind::kProject: {
      const auto& project = static_cast<const ProjectNode&>(node);
      for (const auto& column : project.columns()) {
        if (need.all || need.columns.count(column.name)) column.expr->CollectColumns(&result.columns);
      }
      return result;
    }
    case NodeKind::kFilter:
      result = need;
      static_cast<const FilterNode&>(node).predicate()->CollectColumns(&result.columns);
      return result;
    case NodeKind::kHead:
    case NodeKind::kPartitions:
      return need;
    case NodeKind::kShuffle:
      result = need;
      for (const auto& key : static_cast<const ShuffleNode&>(node).keys()) result.columns.insert(key);
      return result;
    case NodeKind::kReduce:
      for (const auto& spec : static_cast<const ReduceNode&>(node).specs()) {
        if (spec.function != ReduceFunction::kSize) result.columns.insert(spec.column);
      }
      return result;
    case NodeKind::kGroupBy:
      for (const auto& column : static_cast<const GroupByNode&>(node).RequiredColumns()) result.columns.insert(column);
      return result;
    default:
      result.all = true;
      return result;
  }
}

// Keeps at least one column so partitions keep their row counts (len() reads no column).
std::vector<std::string> KeptColumns(const Table& meta, const Need& need) {
  std::vector<std::string> kept;
  for (const auto& name : meta.column_names()) {
    if (need.columns.count(name)) kept.push_back(name);
  }
  if (kept.empty() && meta.num_columns() > 0) {
    // The narrowest column is the cheapest to produce.
    int best = 0;
    for (int c = 1; c < meta.num_columns(); ++c) {
      const int width = meta.schema().field(c).type.ByteWidth();
      const int best_width = meta.schema().field(best).type.ByteWidth();
      if (width > 0 && (best_width == 0 || width < best_width)) best = c;
    }
    kept.push_back(meta.schema().field(best).name);
  }
  return kept;
}

NodePtr Rebuild(const NodePtr& node, const Need& need, std::vector<NodePtr> inputs) {
  if (node->kind() == NodeKind::kReadCsv && !need.all) {
    const auto kept = KeptColumns(*node->meta(), need);
    if (int(kept.size()) < node->meta()->num_columns()) {
      return static_cast<const ReadCsvNode&>(*node).WithColumns(kept);
    }
    return node;
  }
  if (node->kind() == NodeKind::kProject && !need.all) {
    const auto& project = static_cast<const ProjectNode&>(*node);
    const auto kept = KeptColumns(*node->meta(), need);
    std::vector<NamedExpr> columns;
    for (const auto& column : project.columns()) {
      if (std::find(kept.begin(), kept.end(), column.name) != kept.end()) columns.push_back(column);
    }
    if (columns.size() < project.columns().size() || inputs[0] != node->input()) {
      return ProjectNode::Make(inputs[0], std::move(columns));
    }
    return node;
  }
  bool changed = false;
  for (size_t i = 0; i < inputs.size(); ++i) changed |= inputs[i] != node->inputs()[i];
  return changed ? node->WithInputs(std::move(inputs)) : node;
}

}  // namespace

std::vector<NodePtr> Optimize(const std::vector<NodePtr>& roots) {
  std::unordered_set<uint64_t> seen;
  std::vector<NodePtr> order;
  for (const auto& root : roots) PostOrder(root, &seen, &order);
  std::unordered_map<uint64_t, Need> needs;
  for (const auto& root : roots) needs[root->token()].all = true;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {  // consumers before their inputs
    const NodePtr& node = *it;
    if (node->inputs().empty()) continue;
    const Need need = InputNeed(*node, needs[node->token()]);
    for (const auto& input : node->inputs()) needs[input->token()].Merge(need);
  }
  std::unordered_map<uint64_t, NodePtr> rebuilt;
  for (const auto& node : order) {
    std::vector<NodePtr> inputs;
    for (const auto& input : node->inputs()) inputs.push_back(rebuilt.at(input->token()));
    rebuilt[node->token()] = Rebuild(node, needs[node->token()], std::move(inputs));
  }
  std::vector<NodePtr> optimized;
  for (const auto& root : roots) optimized.push_back(rebuilt.at(root->token()));
  return optimized;
}

namespace {

void FormatNode(const NodePtr& node, int depth, std::unordered_set<uint64_t>* printed, std::string* out) {
  out->append(size_t(depth) * 2, ' ');
  if (!printed->insert(node->token()).second) {
    *out += "(shared) " + node->name() + "\n";
    return;
  }
  *out += node->Describe() + "  [" + std::to_string(node->npartitions()) + " partition" +
          (node->npartitions() == 1 ? "" : "s") + "]\n";
  for (const auto& input : node->inputs()) FormatNode(input, depth + 1, printed, out);
}

}  // namespace

std::string FormatPlan(const NodePtr& root) {
  std::unordered_set<uint64_t> printed;
  std::string out;
  FormatNode(root, 0, &printed, &out);
  return out;
}

}  // namespace tessera::expr
