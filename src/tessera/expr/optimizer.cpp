// Projection and filter pushdown over the node DAG, and plan printing.
#include "tessera/expr/optimizer.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "tessera/expr/broadcast_node.hpp"
#include "tessera/expr/group_by_node.hpp"
#include "tessera/expr/read_parquet_node.hpp"
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

// Columns of the single input that `node` reads to produce the columns `need` names.
Need InputNeed(const Node& node, const Need& need) {
  Need result;
  switch (node.kind()) {
    case NodeKind::kProject: {
      // The columns Rebuild keeps (at least one, even when no consumer reads any).
      const auto& project = static_cast<const ProjectNode&>(node);
      const auto kept = need.all ? node.meta()->column_names() : KeptColumns(*node.meta(), need);
      for (const auto& column : project.columns()) {
        if (std::find(kept.begin(), kept.end(), column.name) != kept.end()) column.expr->CollectColumns(&result.columns);
      }
      return result;
    }
    case NodeKind::kFilter:
      result = need;
      static_cast<const FilterNode&>(node).predicate()->CollectColumns(&result.columns);
      return result;
    case NodeKind::kHead:
    case NodeKind::kPartitions:
    case NodeKind::kRepartition:
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
    case NodeKind::kBroadcastScalars:
      // the frame gives what is needed but the added columns (a scalar input needs what its
      // own reduction reads, whatever is asked of it)
      result = need;
      for (const auto& name : static_cast<const BroadcastScalarsNode&>(node).names()) result.columns.erase(name);
      return result;
    default:
      result.all = true;
      return result;
  }
}

NodePtr Rebuild(const NodePtr& node, const Need& need, std::vector<NodePtr> inputs) {
  if (node->kind() == NodeKind::kReadCsv && !need.all) {
    const auto kept = KeptColumns(*node->meta(), need);
    if (int(kept.size()) < node->meta()->num_columns()) {
      return static_cast<const ReadCsvNode&>(*node).WithColumns(kept);
    }
    return node;
  }
  if (node->kind() == NodeKind::kReadParquet && !need.all) {
    const auto kept = KeptColumns(*node->meta(), need);
    if (int(kept.size()) < node->meta()->num_columns()) {
      return static_cast<const ReadParquetNode&>(*node).WithColumns(kept);
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

// ---------------------------------------------------------------------------------------------
// Predicate pushdown and partition pruning

namespace {

// Whether partition i (holding [lower, upper), or [lower, upper] for the last) may hold an
// index value v with `index <op> literal`.
bool MayMatch(const std::string& op, const compute::Scalar& lower, const compute::Scalar& upper, bool last,
              const compute::Scalar& literal) {
  const auto low = compute::CompareScalars(lower, literal);   // lower vs literal
  const auto high = compute::CompareScalars(upper, literal);  // upper vs literal
  if (!low || !high) return true;
  // Values reach up to `upper` only in the last partition; the others stop just below it.
  const bool reaches = last ? *high >= 0 : *high > 0;
  if (op == "lt") return *low < 0;
  if (op == "le") return *low <= 0;
  if (op == "gt") return *high > 0;
  if (op == "ge" || op == "eq") return reaches && (op == "ge" || *low <= 0);
  return true;
}

const char* MirrorComparison(const std::string& op) {
  if (op == "lt") return "gt";
  if (op == "le") return "ge";
  if (op == "gt") return "lt";
  if (op == "ge") return "le";
  return op == "eq" ? "eq" : nullptr;
}

// Narrows `keep` by the conjuncts of `predicate` that compare the index with a constant.
void PruneByIndex(const ColumnExpr& predicate, const Divisions& divisions, std::vector<bool>* keep) {
  if (predicate.kind() != ColumnExpr::Kind::kCall) return;
  if (predicate.name() == "and") {
    for (const auto& arg : predicate.args()) PruneByIndex(*arg, divisions, keep);
    return;
  }
  if (predicate.name() == "isin" && predicate.args().size() == 1 &&
      predicate.args()[0]->kind() == ColumnExpr::Kind::kIndex) {
    for (size_t i = 0; i < keep->size(); ++i) {
      const bool last = i + 1 == keep->size();
      bool any = false;
      for (const auto& label : predicate.params().scalars) {
        any = any || MayMatch("eq", divisions[i], divisions[i + 1], last, label);
      }
      if (!any) (*keep)[i] = false;
    }
    return;
  }
  if (predicate.args().size() != 2) return;
  const auto& left = *predicate.args()[0];
  const auto& right = *predicate.args()[1];
  std::string op = predicate.name();
  const compute::Scalar* literal = nullptr;
  if (left.kind() == ColumnExpr::Kind::kIndex && right.kind() == ColumnExpr::Kind::kLiteral) {
    literal = &right.literal();
  } else if (right.kind() == ColumnExpr::Kind::kIndex && left.kind() == ColumnExpr::Kind::kLiteral) {
    literal = &left.literal();
    const char* mirrored = MirrorComparison(op);
    if (mirrored == nullptr) return;
    op = mirrored;
  } else {
    return;
  }
  for (size_t i = 0; i < keep->size(); ++i) {
    const bool last = i + 1 == keep->size();
    if ((*keep)[i] && !MayMatch(op, divisions[i], divisions[i + 1], last, *literal)) (*keep)[i] = false;
  }
}

// Rewrites one node whose inputs are already rewritten. `uses` counts consumers per token.
NodePtr PushFilters(const NodePtr& node, const std::unordered_map<uint64_t, int>& uses) {
  if (node->kind() != NodeKind::kFilter) return node;
  const auto& filter = static_cast<const FilterNode&>(*node);
  const NodePtr& input = node->input();
  const auto single_use = [&](const NodePtr& n) {
    auto it = uses.find(n->token());
    return it == uses.end() || it->second <= 1;
  };
  // Two filters in a row become one.
  if (input->kind() == NodeKind::kFilter && single_use(input)) {
    const auto& inner = static_cast<const FilterNode&>(*input);
    return PushFilters(FilterNode::Make(input->input(), ColumnExpr::Call("and", {inner.predicate(), filter.predicate()})), uses);
  }
  // Below a projection: the predicate is rewritten over the projection's input (a computed
  // column is computed for the test too), so rows are dropped before the projection runs.
  if (input->kind() == NodeKind::kProject && single_use(input)) {
    const auto& project = static_cast<const ProjectNode&>(*input);
    const ColumnExprPtr pushed = project.Inline(filter.predicate());
    return ProjectNode::Make(PushFilters(FilterNode::Make(input->input(), pushed), uses), project.columns());
  }
  // A Parquet source skips the row groups whose statistics rule the predicate out.
  if (input->kind() == NodeKind::kReadParquet && single_use(input)) {
    const NodePtr pruned = static_cast<const ReadParquetNode&>(*input).WithFilter(filter.predicate());
    if (pruned != input) return PushFilters(FilterNode::Make(pruned, filter.predicate()), uses);
  }
  // Partitions whose divisions cannot hold a matching index value are not read.
  if (input->known_divisions() && input->kind() != NodeKind::kPartitions) {
    std::vector<bool> keep(size_t(input->npartitions()), true);
    PruneByIndex(*filter.predicate(), input->divisions(), &keep);
    std::vector<int64_t> kept;
    for (size_t i = 0; i < keep.size(); ++i) {
      if (keep[i]) kept.push_back(int64_t(i));
    }
    if (kept.empty()) kept.push_back(0);  // an empty result still needs one partition
    if (int64_t(kept.size()) < input->npartitions()) {
      return FilterNode::Make(PartitionsNode::Make(input, kept), filter.predicate());
    }
  }
  return node;
}

std::vector<NodePtr> RewriteFilters(const std::vector<NodePtr>& roots) {
  std::unordered_set<uint64_t> seen;
  std::vector<NodePtr> order;
  for (const auto& root : roots) PostOrder(root, &seen, &order);
  std::unordered_map<uint64_t, int> uses;
  for (const auto& node : order) {
    for (const auto& input : node->inputs()) ++uses[input->token()];
  }
  std::unordered_map<uint64_t, NodePtr> rebuilt;
  for (const auto& node : order) {
    std::vector<NodePtr> inputs;
    bool changed = false;
    for (const auto& input : node->inputs()) {
      inputs.push_back(rebuilt.at(input->token()));
      changed |= inputs.back() != input;
    }
    const NodePtr current = changed ? node->WithInputs(std::move(inputs)) : node;
    rebuilt[node->token()] = PushFilters(current, uses);
  }
  std::vector<NodePtr> rewritten;
  for (const auto& root : roots) rewritten.push_back(rebuilt.at(root->token()));
  return rewritten;
}

}  // namespace

std::vector<NodePtr> Optimize(const std::vector<NodePtr>& input_roots) {
  const std::vector<NodePtr> roots = RewriteFilters(input_roots);
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
