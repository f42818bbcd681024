// Building and submitting the graph of delayed nodes (see delayed_node.hpp).
#include "tessera/delayed/delayed_node.hpp"

#include <atomic>
#include <cstdio>
#include <unordered_set>

#include "tessera/base/hash.hpp"

namespace tessera::delayed_internal {

void KeyHasher::AddBytes(const void* data, size_t size) { state_ = HashBytes(data, size, state_); }

bool KeyHasher::AddArg(const FlatArg& arg) {
  if (arg.is_reference()) {
    AddU64(1);
    AddText(arg.key.Name());
    AddU64(uint64_t(arg.key.index));
    return true;
  }
  if (!arg.literal || arg.literal->type_name().empty()) return false;
  std::string bytes;
  graph::SerializeTagged(*arg.literal, &bytes);
  AddU64(2);
  AddText(bytes);
  return true;
}

uint64_t UniqueToken() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t seed = HashInt64(uint64_t(reinterpret_cast<uintptr_t>(&counter)));
  return HashInt64(counter.fetch_add(1) + 1, seed);
}

graph::Key MakeTokenKey(std::string_view name, uint64_t token) {
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(token));
  std::string text(name);
  text += '-';
  text += hex;
  return graph::Key::Make(text);
}

std::vector<sched::ResultHandle> SubmitNodes(sched::Scheduler& scheduler, const std::vector<NodePtr>& roots,
                                             const sched::SubmitOptions& options, bool rerun_failed) {
  graph::Graph graph;
  std::unordered_set<graph::Key, graph::KeyHasher> added;
  // Keep every held result this graph reads alive until the scheduler has taken it.
  std::vector<sched::ResultHandle> held;
  std::vector<const DelayedNode*> stack;
  auto visit = [&](const DelayedNode* node) {
    if (node->held) {
      held.push_back(node->held);
      return;
    }
    if (!added.insert(node->key).second) return;
    if (auto existing = scheduler.Find(node->key)) {
      const sched::ResultStatus status = existing->status();
      const bool failed = status == sched::ResultStatus::kError || status == sched::ResultStatus::kCancelled;
      if (!(rerun_failed && failed)) {
        held.push_back(std::move(existing));  // same key already computed or running: reuse it
        return;
      }
    }
    stack.push_back(node);
  };
  for (const NodePtr& root : roots) visit(root.get());
  std::vector<graph::Arg> args;
  while (!stack.empty()) {
    const DelayedNode* node = stack.back();
    stack.pop_back();
    args.clear();
    for (const FlatArg& arg : node->args) {
      if (arg.is_reference()) {
        args.push_back(graph::Arg::Ref(arg.key));
        if (arg.node) {
          visit(arg.node.get());
        } else {
          held.push_back(arg.held);
        }
      } else {
        args.push_back(graph.AddLiteral(arg.literal));
      }
    }
    graph.AddTask(node->key, graph.AddClosure(node->closure), args);
  }
  std::vector<graph::Key> keys;
  keys.reserve(roots.size());
  for (const NodePtr& root : roots) keys.push_back(root->key);
  return scheduler.Submit(std::move(graph), keys, options);
}

}  // namespace tessera::delayed_internal
