// Linear-chain fusion (see fuse.hpp).
#include "tessera/graph/fuse.hpp"

#include <unordered_set>

#include "tessera/graph/cull.hpp"

namespace tessera::graph {

namespace {

// One step of a fused chain. Arguments of kind kTask mean "the previous stage's result";
// kValue arguments index the stage's own literal copies.
struct Stage {
  Key key;
  TaskFunction function;
  std::vector<Arg> args;
  std::vector<ValuePtr> values;  // filled for kValue args; the previous result is put in place
  std::string params;
};

class FusedChain final : public Closure {
 public:
  explicit FusedChain(std::vector<Stage> stages) : stages_(std::move(stages)) {
    name_ = "fused";
    for (const Stage& stage : stages_) {
      name_ += ':';
      name_ += stage.function.name();
    }
  }

  ValuePtr Call(const TaskInputs& inputs) const override {
    // Stage 0 reads the fused task's own arguments.
    const Stage& first = stages_.front();
    ValuePtr result = first.function.Call(
        TaskInputs(first.key, inputs.args(), inputs.size(), inputs.values(), first.params));
    std::vector<ValuePtr> values;
    for (size_t s = 1; s < stages_.size(); ++s) {
      const Stage& stage = stages_[s];
      values = stage.values;
      for (size_t i = 0; i < stage.args.size(); ++i) {
        if (stage.args[i].kind == ArgKind::kTask) values[i] = result;
      }
      result = stage.function.Call(TaskInputs(stage.key, stage.args.data(), stage.args.size(), values.data(), stage.params));
    }
    return result;
  }
  std::string_view name() const override { return name_; }

 private:
  std::vector<Stage> stages_;
  std::string name_;
};

}  // namespace

Graph FuseLinearChains(const Graph& graph, const std::vector<Key>& keep) {
  const size_t n = graph.num_tasks();
  std::vector<uint8_t> kept(n, 0);
  for (const Key& key : keep) kept[graph.At(key)] = 1;
  // next[t]: the dependent t fuses into, or kNoTask.
  std::vector<TaskId> next(n, kNoTask);
  std::vector<uint8_t> has_prev(n, 0);
  for (TaskId t = 0; t < n; ++t) {
    if (kept[t] || graph.dependents(t).size() != 1) continue;
    const TaskId d = graph.dependents(t)[0];
    if (graph.dependencies(d).size() != 1 || !graph.external_dependencies(d).empty()) continue;
    next[t] = d;
    has_prev[d] = 1;
  }

  Graph fused;
  for (TaskId t = 0; t < n; ++t) {
    if (has_prev[t]) continue;  // emitted with its chain's head
    if (next[t] == kNoTask) {
      CopyTask(graph, t, &fused);
      continue;
    }
    std::vector<Stage> stages;
    TaskId last = t;
    for (TaskId s = t; s != kNoTask; s = next[s]) {
      Stage stage{graph.key(s), graph.function(s), {}, {}, std::string(graph.params(s))};
      if (s != t) {
        stage.args.assign(graph.args(s).begin(), graph.args(s).end());
        stage.values.resize(stage.args.size());
        for (size_t i = 0; i < stage.args.size(); ++i) {
          if (stage.args[i].kind == ArgKind::kValue) stage.values[i] = graph.literals()[stage.args[i].id];
        }
      }
      stages.push_back(std::move(stage));
      last = s;
    }
    // The fused task takes the head's arguments and produces the tail's key.
    std::vector<Arg> args(graph.args(t).begin(), graph.args(t).end());
    for (Arg& arg : args) {
      if (arg.kind == ArgKind::kTask) arg = Arg::Ref(graph.key(arg.id));
      else if (arg.kind == ArgKind::kExternal) arg = Arg::Ref(graph.external_keys()[arg.id]);
      else if (arg.kind == ArgKind::kValue) arg = fused.AddLiteral(graph.literals()[arg.id]);
    }
    const uint32_t function = fused.AddClosure(std::make_shared<FusedChain>(std::move(stages)));
    fused.AddTask(graph.key(last), function, args);
  }
  const std::unordered_set<Key, KeyHasher> external(graph.external_keys().begin(), graph.external_keys().end());
  fused.Finalize([&](const Key& key) { return external.count(key) > 0; });
  return fused;
}

}  // namespace tessera::graph
