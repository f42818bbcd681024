#include "delayed_bindings.hpp"

#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <unordered_map>

#include "dataframe_bindings.hpp"
#include "python_value.hpp"
#include "tessera/delayed/delayed_node.hpp"
#include "tessera/sched/local_scheduler.hpp"

namespace tessera::python {

namespace {

using delayed_internal::DelayedNode;
using delayed_internal::FlatArg;
using delayed_internal::NodePtr;

/// A Python callable as a task: called with one positional argument per flattened input.
class PythonClosure final : public graph::Closure {
 public:
  PythonClosure(nb::object function, std::string name)
      : function_(HoldObject(function)), name_(std::move(name)) {}

  graph::ValuePtr Call(const graph::TaskInputs& inputs) const override {
    nb::gil_scoped_acquire gil;
    nb::list args;
    for (size_t i = 0; i < inputs.size(); ++i) args.append(ValueToPython(inputs.Get(i)));
    nb::handle function(static_cast<PyObject*>(const_cast<void*>(function_.get())));
    return std::make_shared<PythonValue>(CallPython(function, nb::tuple(args), inputs.key().ToString()));
  }
  std::string_view name() const override { return name_; }

 private:
  std::shared_ptr<const void> function_;
  std::string name_;
};

struct NodeHandle {
  NodePtr node;
};

// The node a future was submitted from, kept for Future.retry() only while the result may
// still fail: it is dropped once the result succeeds (a finished future never reruns, and the
// node's arguments would keep the results it read alive).
struct RetryNode {
  std::mutex mutex;
  NodePtr node;
};

struct FutureHandle {
  sched::ResultHandle handle;
  std::shared_ptr<RetryNode> retry;
};

FutureHandle TrackForRetry(sched::ResultHandle handle, NodePtr node) {
  auto retry = std::make_shared<RetryNode>();
  retry->node = std::move(node);
  std::weak_ptr<RetryNode> weak_retry = retry;
  std::weak_ptr<sched::ResultState> weak_state = handle;
  handle->OnDone([weak_retry, weak_state] {
    auto state = weak_state.lock();
    auto slot = weak_retry.lock();
    if (!state || !slot || state->status() != sched::ResultStatus::kFinished) return;
    NodePtr dropped;
    std::lock_guard lock(slot->mutex);
    dropped.swap(slot->node);  // released after the lock
  });
  return {std::move(handle), std::move(retry)};
}

FlatArg ToFlatArg(nb::handle leaf) {
  NodeHandle* node = nullptr;
  FutureHandle* future = nullptr;
  if (nb::try_cast(leaf, node) && node != nullptr) return {node->node->key, node->node, nullptr, nullptr};
  if (nb::try_cast(leaf, future) && future != nullptr) return {future->handle->key(), nullptr, future->handle, nullptr};
  return {{}, nullptr, nullptr, std::make_shared<PythonValue>(nb::borrow(leaf))};
}

// `key`: the whole key as given (Dask's key= / dask_key_name=); else name-<token>, with a fresh
// token when `token` is None.
NodeHandle MakeNode(const std::string& name, nb::handle token, nb::object function, nb::handle leaves,
                    nb::handle key) {
  auto node = std::make_shared<DelayedNode>();
  for (nb::handle leaf : leaves) node->args.push_back(ToFlatArg(leaf));
  if (!key.is_none()) {
    node->key = graph::Key::Make(nb::cast<std::string>(key));
  } else {
    const uint64_t key_token = token.is_none() ? delayed_internal::UniqueToken() : nb::cast<uint64_t>(token);
    node->key = delayed_internal::MakeTokenKey(name, key_token);
  }
  node->closure = std::make_shared<PythonClosure>(std::move(function), name);
  return {node};
}

// A whole graph of Python tasks in one call (array collections build thousands of small tasks):
// `names` are interned once; tasks[i] = (name position, block index, function, args, refs),
// where args[p] for p in refs is the position of an earlier task of this batch and every other
// argument is a Node or a literal. The function is called with the argument values in order. One
// closure per distinct function object. Returns the Nodes of the task positions in `outputs`.
nb::list MakeTaskNodes(const std::vector<std::string>& names, nb::handle tasks, const std::vector<size_t>& outputs) {
  std::vector<uint32_t> name_ids;
  name_ids.reserve(names.size());
  for (const std::string& name : names) name_ids.push_back(graph::InternName(name));
  std::vector<NodePtr> nodes;
  nodes.reserve(nb::len(tasks));
  std::unordered_map<PyObject*, std::shared_ptr<const graph::Closure>> closures;
  for (nb::handle task : tasks) {
    auto fields = nb::borrow<nb::tuple>(task);
    if (fields.size() != 5) throw nb::value_error("a task is (name position, index, function, args, refs)");
    const auto name_slot = nb::cast<size_t>(fields[0]);
    if (name_slot >= name_ids.size()) throw nb::index_error("task name position out of range");
    auto node = std::make_shared<DelayedNode>();
    node->key = graph::Key(name_ids[name_slot], nb::cast<int64_t>(fields[1]));
    nb::handle function = fields[2];
    auto& closure = closures[function.ptr()];
    if (!closure) closure = std::make_shared<PythonClosure>(nb::borrow(function), names[name_slot]);
    node->closure = closure;
    auto args = nb::borrow<nb::tuple>(fields[3]);
    node->args.reserve(args.size());
    for (nb::handle arg : args) node->args.push_back(ToFlatArg(arg));
    for (nb::handle ref : fields[4]) {
      const auto position = nb::cast<size_t>(ref);
      if (position >= args.size()) throw nb::index_error("task reference position out of range");
      const auto target = nb::cast<size_t>(args[position]);
      if (target >= nodes.size()) throw nb::index_error("a task may only refer to earlier tasks of its batch");
      node->args[position] = {nodes[target]->key, nodes[target], nullptr, nullptr};
    }
    nodes.push_back(std::move(node));
  }
  nb::list out;
  for (size_t position : outputs) {
    if (position >= nodes.size()) throw nb::index_error("output position out of range");
    out.append(NodeHandle{nodes[position]});
  }
  return out;
}

using Clock = std::chrono::steady_clock;

// The moment `timeout` seconds from now (Python's None: never).
Clock::time_point DeadlineAfter(nb::handle timeout) {
  if (timeout.is_none()) return Clock::time_point::max();
  return Clock::now() + std::chrono::microseconds(int64_t(nb::cast<double>(timeout) * 1e6));
}

// Waits until every handle is done, at most `timeout` seconds (None: no limit), with the GIL
// released, checking for Ctrl-C every 50 ms: an interrupt cancels the handles' computations
// and raises KeyboardInterrupt at once. False on timeout.
bool WaitInterruptibly(const std::vector<sched::ResultHandle>& handles, nb::handle timeout) {
  const bool limited = !timeout.is_none();
  const Clock::time_point deadline = DeadlineAfter(timeout);
  for (const sched::ResultHandle& handle : handles) {
    for (;;) {
      bool done;
      {
        nb::gil_scoped_release release;
        auto slice = std::chrono::milliseconds(50);
        if (limited) {
          slice = std::min(slice, std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::max(deadline - Clock::now(), Clock::duration::zero())));
        }
        done = handle->WaitFor(slice);
      }
      if (done) break;
      if (PyErr_CheckSignals() != 0) {
        {
          nb::gil_scoped_release release;
          for (const sched::ResultHandle& waited : handles) waited->Cancel();
        }
        throw nb::python_error();
      }
      if (limited && Clock::now() >= deadline) return false;
    }
  }
  return true;
}

void RaiseTimeout() {
  PyErr_SetString(PyExc_TimeoutError, "timed out waiting for the result");
  throw nb::python_error();
}

std::vector<NodePtr> Nodes(const std::vector<NodeHandle*>& handles) {
  std::vector<NodePtr> nodes;
  for (const NodeHandle* h : handles) nodes.push_back(h->node);
  return nodes;
}

/// Futures finishing in any order, handed out in the order they finish (as_completed).
class CompletionQueue {
 public:
  void Add(size_t position, const sched::ResultHandle& handle) {
    std::weak_ptr<State> weak = state_;
    {
      std::lock_guard lock(state_->mutex);
      ++state_->pending;
    }
    handle->OnDone([weak, position] {
      if (auto state = weak.lock()) {
        std::lock_guard lock(state->mutex);
        state->finished.push_back(position);
        --state->pending;
        state->cv.notify_all();
      }
    });
  }
  /// The position of the next finished future, or -1 when none is left; waits at most
  /// `timeout` seconds (None: no limit; TimeoutError after it) with the GIL released, waking
  /// every 50 ms for Ctrl-C.
  int64_t Next(nb::handle timeout) {
    const Clock::time_point deadline = DeadlineAfter(timeout);
    for (;;) {
      {
        nb::gil_scoped_release release;
        std::unique_lock lock(state_->mutex);
        state_->cv.wait_for(lock, std::chrono::milliseconds(50),
                            [&] { return !state_->finished.empty() || state_->pending == 0; });
        if (!state_->finished.empty()) {
          size_t position = state_->finished.front();
          state_->finished.pop_front();
          return int64_t(position);
        }
        if (state_->pending == 0) return -1;
      }
      if (PyErr_CheckSignals() != 0) throw nb::python_error();
      if (Clock::now() >= deadline) RaiseTimeout();
    }
  }
  /// Futures added and not handed out yet.
  int64_t Count() const {
    std::lock_guard lock(state_->mutex);
    return state_->pending + int64_t(state_->finished.size());
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<size_t> finished;
    int64_t pending = 0;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace

void BindDelayed(nb::module_& m) {
  nb::class_<NodeHandle>(m, "Node")
      .def_prop_ro("key", [](const NodeHandle& n) { return std::string(n.node->key.Name()); })
      .def_prop_ro("index", [](const NodeHandle& n) { return n.node->key.index; })
      .def_prop_ro("name", [](const NodeHandle& n) { return n.node->key.Name(); })
      .def("dependencies", [](const NodeHandle& n) {
        nb::list out;
        for (const FlatArg& arg : n.node->args) {
          if (arg.node) out.append(NodeHandle{arg.node});
        }
        return out;
      });
  m.def("make_node", &MakeNode, nb::arg("name"), nb::arg("token").none(), nb::arg("function"), nb::arg("leaves"),
        nb::arg("key").none() = nb::none());
  m.def("make_task_nodes", &MakeTaskNodes, nb::arg("names"), nb::arg("tasks"), nb::arg("outputs"));
  m.def("held_node", [](const FutureHandle& f) {
    auto node = std::make_shared<DelayedNode>();
    node->key = f.handle->key();
    node->held = f.handle;
    return NodeHandle{node};
  });

  nb::class_<FutureHandle>(m, "Future")
      .def_prop_ro("key", [](const FutureHandle& f) { return std::string(f.handle->key().Name()); })
      .def("done", [](const FutureHandle& f) { return f.handle->done(); })
      .def_prop_ro("status", [](const FutureHandle& f) {
        switch (f.handle->status()) {
          case sched::ResultStatus::kPending: return "pending";
          case sched::ResultStatus::kFinished: return "finished";
          case sched::ResultStatus::kError: return "error";
          case sched::ResultStatus::kCancelled: return "cancelled";
        }
        return "unknown";
      })
      .def("cancel", [](const FutureHandle& f) { f.handle->Cancel(); })
      .def("retry_node", [](const FutureHandle& f) -> nb::object {
        if (!f.retry) return nb::none();
        std::lock_guard lock(f.retry->mutex);
        return f.retry->node ? nb::cast(NodeHandle{f.retry->node}) : nb::none();
      }, "The node to submit again after a failure (None once the result succeeded).")
      .def("result", [](const FutureHandle& f, nb::handle timeout) {
        if (!WaitInterruptibly({f.handle}, timeout)) RaiseTimeout();
        graph::ValuePtr value;
        {
          nb::gil_scoped_release release;  // done: returns at once, or reads a spilled value back
          value = f.handle->Wait();
        }
        return ValueToPython(value);
      }, nb::arg("timeout").none() = nb::none(),
      "The value (waits; Ctrl-C cancels the computation and raises KeyboardInterrupt).");
  m.def("wait_futures", [](const std::vector<FutureHandle*>& futures, nb::handle timeout) {
    std::vector<sched::ResultHandle> handles;
    for (const FutureHandle* f : futures) handles.push_back(f->handle);
    return WaitInterruptibly(handles, timeout);
  }, nb::arg("futures"), nb::arg("timeout").none() = nb::none(),
  "Waits until every future is done (False after `timeout` seconds); Ctrl-C cancels them all and raises KeyboardInterrupt.");

  m.def("compute_nodes", [](const std::vector<NodeHandle*>& handles, const SchedulerHandle* h) {
    sched::Scheduler& scheduler = SchedulerOf(h);
    std::vector<NodePtr> nodes = Nodes(handles);
    std::vector<sched::ResultHandle> results;
    {
      nb::gil_scoped_release release;
      results = delayed_internal::SubmitNodes(scheduler, nodes, {});
    }
    nb::list out;
    for (const graph::ValuePtr& value : WaitAll(results)) out.append(ValueToPython(value));
    return out;
  }, nb::arg("nodes"), nb::arg("scheduler").none());
  m.def("submit_nodes", [](const std::vector<NodeHandle*>& handles, const SchedulerHandle* h, int priority,
                           int retries, bool rerun_failed) {
    sched::Scheduler& scheduler = SchedulerOf(h);
    std::vector<NodePtr> nodes = Nodes(handles);
    std::vector<sched::ResultHandle> results;
    {
      nb::gil_scoped_release release;
      results = delayed_internal::SubmitNodes(scheduler, nodes, {.priority = priority, .retries = retries}, rerun_failed);
    }
    nb::list out;
    for (size_t i = 0; i < results.size(); ++i) out.append(TrackForRetry(results[i], nodes[i]));
    return out;
  }, nb::arg("nodes"), nb::arg("scheduler").none(), nb::arg("priority") = 0, nb::arg("retries") = 0,
     nb::arg("rerun_failed") = false);

  nb::class_<CompletionQueue>(m, "CompletionQueue")
      .def(nb::init<>())
      .def("add", [](CompletionQueue& q, size_t position, const FutureHandle& f) { q.Add(position, f.handle); })
      .def("next", &CompletionQueue::Next, nb::arg("timeout").none() = nb::none())
      .def("count", &CompletionQueue::Count);
}

}  // namespace tessera::python
