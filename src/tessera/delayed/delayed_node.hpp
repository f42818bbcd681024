// The lazy graph behind Delayed values and futures: each call of a delayed function is a node
// (key, closure, flattened arguments); arguments point at the nodes or held results they read.
// Submitting a set of nodes builds one task graph from everything they reach, skipping keys
// the scheduler already holds, so shared work is computed once.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tessera/graph/graph.hpp"
#include "tessera/sched/scheduler.hpp"

namespace tessera::delayed_internal {

struct DelayedNode;

/// One flattened argument: a reference to another node or held result, or a literal value.
struct FlatArg {
  graph::Key key;                           // set for references
  std::shared_ptr<const DelayedNode> node;  // the node computing `key`, when lazy
  sched::ResultHandle held;                 // the result of `key`, when already submitted
  graph::ValuePtr literal;                  // set for literals
  bool is_reference() const { return node != nullptr || held != nullptr; }
};

struct DelayedNode {
  graph::Key key;
  std::shared_ptr<const graph::Closure> closure;  // null for a held result
  std::vector<FlatArg> args;
  sched::ResultHandle held;  // persisted / future result this node stands for
  size_t nout = 0;           // number of outputs declared with DelayedOptions::nout
};

using NodePtr = std::shared_ptr<const DelayedNode>;

/// Incremental token of a pure call: function identity, then each flattened argument.
class KeyHasher {
 public:
  void AddBytes(const void* data, size_t size);
  void AddText(std::string_view text) {
    AddU64(text.size());
    AddBytes(text.data(), text.size());
  }
  void AddU64(uint64_t value) { AddBytes(&value, sizeof(value)); }
  /// False when an argument could not be hashed (the call then gets a unique key).
  bool AddArg(const FlatArg& arg);
  uint64_t Finish() const { return state_; }

 private:
  uint64_t state_ = 0x243F6A8885A308D3ull;
};

/// A process-unique 64-bit token (for impure calls and unnamed stateful callables).
uint64_t UniqueToken();
/// "name-<16 hex digits>".
graph::Key MakeTokenKey(std::string_view name, uint64_t token);

/// Builds the graph of everything `roots` reach, minus keys `scheduler` already holds, and
/// submits it. Returns one handle per root (held roots return their existing handle). With
/// `rerun_failed`, keys held in an error or cancelled state are computed again (Future.retry).
std::vector<sched::ResultHandle> SubmitNodes(sched::Scheduler& scheduler, const std::vector<NodePtr>& roots,
                                             const sched::SubmitOptions& options, bool rerun_failed = false);

}  // namespace tessera::delayed_internal
