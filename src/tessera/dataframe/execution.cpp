// compute / persist / explain / structure printing.
#include "tessera/dataframe/execution.hpp"

#include <algorithm>
#include <unordered_map>

#include "tessera/base/error.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/expr/optimizer.hpp"
#include "tessera/graph/cull.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::dataframe::execution {

namespace {

// Results the scheduler holds that a plan reads instead of recomputing, pinned until the graph
// is submitted: an earlier computation may be releasing them, and a key found while lowering
// must still be there when the graph is finalized and run.
class PinnedKeys {
 public:
  explicit PinnedKeys(sched::Scheduler& scheduler) : scheduler_(scheduler) {}
  std::function<bool(const graph::Key&)> resolver() {
    return [this](const graph::Key& key) {
      sched::ResultHandle handle = scheduler_.Find(key);
      if (handle == nullptr) return false;
      pinned_.push_back(std::move(handle));
      return true;
    };
  }

 private:
  sched::Scheduler& scheduler_;
  std::vector<sched::ResultHandle> pinned_;
};

// Finalizes `graph` and keeps only what `keys` need (sources lowered for every partition may
// feed only a few of them).
graph::Graph Prune(graph::Graph graph, const std::vector<graph::Key>& keys, PinnedKeys& pinned) {
  graph.Finalize(pinned.resolver());
  if (size_t(graph.num_tasks()) == keys.size()) return graph;
  return graph::Cull(graph, keys);
}

}  // namespace

std::vector<TablePtr> Compute(const std::vector<expr::NodePtr>& nodes, sched::Scheduler& scheduler) {
  const auto optimized = expr::Optimize(nodes);
  PinnedKeys pinned(scheduler);
  expr::LoweredGraph lowered = expr::LowerForCompute(optimized, pinned.resolver());
  std::vector<graph::Key> keys;
  std::unordered_map<graph::Key, size_t, graph::KeyHasher> position;
  for (const auto& outputs : lowered.outputs) {
    if (position.emplace(outputs[0], keys.size()).second) keys.push_back(outputs[0]);
  }
  graph::Graph graph = Prune(std::move(lowered.graph), keys, pinned);
  const auto values = scheduler.Compute(std::move(graph), keys);
  std::vector<TablePtr> tables;
  for (const auto& outputs : lowered.outputs) tables.push_back(TableOf(values[position.at(outputs[0])]));
  return tables;
}

expr::NodePtr Persist(const expr::NodePtr& node, sched::Scheduler& scheduler) {
  if (node->kind() == expr::NodeKind::kFromPersisted) return node;
  const auto optimized = expr::Optimize({node});
  PinnedKeys pinned(scheduler);
  expr::LoweredGraph lowered = expr::LowerForPersist(optimized, pinned.resolver());
  const std::vector<graph::Key>& keys = lowered.outputs[0];
  std::vector<graph::Key> to_run;
  for (const auto& key : keys) {
    if (lowered.graph.Find(key) && std::find(to_run.begin(), to_run.end(), key) == to_run.end()) to_run.push_back(key);
  }
  std::unordered_map<graph::Key, sched::ResultHandle, graph::KeyHasher> submitted;
  if (!to_run.empty()) {
    graph::Graph graph = Prune(std::move(lowered.graph), to_run, pinned);
    auto handles = scheduler.Submit(std::move(graph), to_run);
    for (size_t i = 0; i < to_run.size(); ++i) submitted[to_run[i]] = handles[i];
  }
  auto held = std::make_shared<std::vector<sched::ResultHandle>>();
  for (const auto& key : keys) {
    auto it = submitted.find(key);
    sched::ResultHandle handle = it != submitted.end() ? it->second : scheduler.Find(key);
    if (handle == nullptr) throw Internal("persisted key " + key.ToString() + " is not held by the scheduler");
    held->push_back(std::move(handle));
  }
  std::vector<int64_t> lengths;
  for (const auto& handle : *held) lengths.push_back(TableOf(handle->Wait())->num_rows());  // rethrows the first error
  return expr::FromPersistedNode::Make(keys, held, node->meta(), node->divisions(), node->Describe(), std::move(lengths));
}

std::string Explain(const expr::NodePtr& node) {
  const auto optimized = expr::Optimize({node});
  expr::LoweredGraph lowered = expr::LowerForCompute(optimized, nullptr);
  return expr::FormatPlan(optimized[0]) + "tasks: " + std::to_string(lowered.graph.num_tasks()) + "\n";
}

namespace {

std::string PadLeft(const std::string& text, size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

}  // namespace

std::string FormatStructure(const expr::Node& node, const char* collection) {
  const Table& meta = *node.meta();
  const int64_t n = node.npartitions();
  // Row labels: divisions when known, blanks otherwise, as Dask prints them.
  std::vector<std::string> labels;
  std::vector<bool> dtype_row;
  if (node.known_divisions()) {
    const auto& divisions = node.divisions();
    for (int64_t i = 0; i <= n; ++i) {
      if (n > 4 && i == 2) {
        labels.push_back("...");
        dtype_row.push_back(false);
        i = n - 2;
        continue;
      }
      labels.push_back(divisions[size_t(i)].ToString());
      dtype_row.push_back(i == 0);
    }
  } else {
    labels = {"", "..."};
    dtype_row = {true, false};
  }
  std::string npartitions = "npartitions=" + std::to_string(n);
  size_t label_width = npartitions.size();
  for (const auto& label : labels) label_width = std::max(label_width, label.size());
  std::vector<size_t> widths;
  for (int c = 0; c < meta.num_columns(); ++c) {
    const Field& field = meta.schema().field(c);
    widths.push_back(std::max(field.name.size(), field.type.ToString().size()));
  }
  std::string out = std::string("tessera ") + collection + " Structure:\n" + std::string(label_width, ' ');
  for (int c = 0; c < meta.num_columns(); ++c) out += " " + PadLeft(meta.schema().field(c).name, widths[size_t(c)]);
  out += "\n" + npartitions + "\n";
  for (size_t row = 0; row < labels.size(); ++row) {
    out += labels[row] + std::string(label_width - labels[row].size(), ' ');
    for (int c = 0; c < meta.num_columns(); ++c) {
      out += " " + PadLeft(dtype_row[row] ? meta.schema().field(c).type.ToString() : "...", widths[size_t(c)]);
    }
    out += "\n";
  }
  return out + "tessera Name: " + node.name() + "\n";
}

}  // namespace tessera::dataframe::execution
