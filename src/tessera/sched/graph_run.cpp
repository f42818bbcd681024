// Execution of one graph (see graph_run.hpp).
#include "tessera/sched/graph_run.hpp"

#include <unordered_map>

#include <algorithm>

#include "tessera/base/error.hpp"
#include "tessera/graph/cull.hpp"

namespace tessera::sched {

using graph::Arg;
using graph::ArgKind;
using graph::TaskId;
using graph::ValuePtr;

namespace {

constexpr uint8_t kNeeded = 1;
constexpr uint8_t kOutput = 2;

// Inputs of the running task; reused across tasks so the hot path does not allocate.
thread_local std::vector<ValuePtr> task_inputs;
thread_local std::vector<uint32_t> ready_tasks;

}  // namespace

GraphRun::GraphRun(std::shared_ptr<const graph::Graph> graph, std::vector<TaskId> outputs,
                   std::vector<ResultHandle> states, std::vector<ResultHandle> externals, RunContext context,
                   uint32_t run_id, int priority, int retries)
    : graph_(std::move(graph)),
      outputs_(std::move(outputs)),
      states_(std::move(states)),
      externals_(std::move(externals)),
      context_(std::move(context)),
      run_id_(run_id),
      priority_(priority),
      retries_(retries) {}

void GraphRun::Start() {
  const graph::Graph& g = *graph_;
  const size_t n = g.num_tasks();
  self_ = shared_from_this();
  context_.peak_results_held->store(0);
  for (const auto& state : states_) state->SetCanceller(weak_from_this());

  const std::vector<uint8_t> needed = graph::NeededTasks(g, outputs_);
  flags_.assign(n, 0);
  output_index_.assign(n, -1);
  for (size_t i = 0; i < outputs_.size(); ++i) {
    flags_[outputs_[i]] |= kOutput;
    output_index_[outputs_[i]] = int32_t(i);
  }
  waiting_.reset(new std::atomic<uint32_t>[n]);
  holders_.reset(new std::atomic<uint32_t>[n]);
  results_.reset(new ValuePtr[n]);
  stored_.reset(new StoredValuePtr[n]);
  external_readers_.assign(externals_.size(), {});
  for (TaskId t = 0; t < n; ++t) {
    if (!needed[t]) {
      waiting_[t].store(0, std::memory_order_relaxed);
      holders_[t].store(0, std::memory_order_relaxed);
      continue;
    }
    flags_[t] |= kNeeded;
    ++num_needed_;
    const auto externals = g.external_dependencies(t);
    waiting_[t].store(uint32_t(g.dependencies(t).size() + externals.size()), std::memory_order_relaxed);
    for (uint32_t e : externals) external_readers_[e].push_back(t);
    uint32_t holders = 0;
    for (TaskId d : g.dependents(t)) holders += needed[d];
    holders_[t].store(holders, std::memory_order_relaxed);
  }
  // Priorities are a permutation of 0..n-1, so inverting them sorts the roots in linear time.
  std::vector<TaskId> by_priority(n);
  for (TaskId t = 0; t < n; ++t) by_priority[g.priority(t)] = t;
  for (TaskId t : by_priority) {
    if ((flags_[t] & kNeeded) && waiting_[t].load(std::memory_order_relaxed) == 0) roots_.push_back(t);
  }

  if (context_.events->enabled()) {
    context_.events->PublishGraph(run_id_, graph_);
    Event event;
    event.type = EventType::kComputeStart;
    event.run = run_id_;
    event.start_ns = NowNs();
    event.bytes = num_needed_;
    if (!outputs_.empty()) event.key = g.key(outputs_[0]);
    context_.events->Record(-1, event);
    // Tasks per name, so observers can show progress per task prefix.
    std::unordered_map<uint32_t, std::pair<graph::Key, int64_t>> per_name;
    for (TaskId t = 0; t < n; ++t) {
      if (!(flags_[t] & kNeeded)) continue;
      auto [it, added] = per_name.try_emplace(g.key(t).name, g.key(t), 0);
      ++it->second.second;
    }
    for (const auto& [name, entry] : per_name) {
      Event queued;
      queued.type = EventType::kTasksQueued;
      queued.run = run_id_;
      queued.key = entry.first;
      queued.bytes = entry.second;
      queued.start_ns = event.start_ns;
      context_.events->Record(-1, queued);
    }
  }
  // Held by this call until set up, so a result finishing on another thread cannot retire the
  // run half-way.
  in_flight_.fetch_add(1);
  context_.pool->AddJob(self_);
  for (uint32_t e = 0; e < externals_.size(); ++e) {
    if (external_readers_[e].empty()) continue;
    std::weak_ptr<GraphRun> weak = weak_from_this();
    externals_[e]->OnDone([weak, e] {
      if (auto run = weak.lock()) run->ExternalReady(e);
    });
  }
  FinishInFlight(1);
}

bool GraphRun::HasRoots() const {
  return !failed_.load(std::memory_order_relaxed) && next_root_.load(std::memory_order_relaxed) < roots_.size() &&
         !context_.store->MemoryHigh();
}

bool GraphRun::ClaimRoot(uint32_t* task) {
  if (failed_.load(std::memory_order_relaxed) || next_root_.load(std::memory_order_relaxed) >= roots_.size()) return false;
  SpillStore& store = *context_.store;
  if (store.MemoryHigh()) {
    // Hold back new roots: finishing started branches frees memory, loading more data does not.
    store.SpillDownTo(store.spill_threshold());
    if (store.MemoryHigh()) {
      if (in_flight_.load() > 0) {
        withheld_.store(true);
        return false;
      }
      if (store.ResultsHigh()) {
        Fail(std::make_shared<const TaskError>(TaskError::Make(
                 ErrorKind::kOutOfMemory,
                 "memory limit of " + std::to_string(store.memory_limit()) + " bytes reached with " +
                     std::to_string(store.memory_bytes()) + " bytes of results in memory that cannot be spilled, and no task running that could free any; raise the memory limit or use smaller partitions")),
             ResultStatus::kError);
        return false;
      }
      // The memory is held outside this scheduler's results (by the caller, or other work):
      // waiting would not free it, so roots go on one at a time.
    }
  }
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  const size_t i = next_root_.fetch_add(1, std::memory_order_relaxed);
  if (i >= roots_.size()) {
    FinishInFlight(1);
    return false;
  }
  *task = roots_[i];
  return true;
}

ResultHandle GraphRun::TakeState(int32_t index) {
  std::lock_guard lock(states_mutex_);
  if (size_t(index) >= states_.size()) return nullptr;
  return std::move(states_[size_t(index)]);
}

ValuePtr GraphRun::ExternalValue(uint32_t external) const { return externals_[external]->Wait(); }

void GraphRun::Run(uint32_t task, int worker) {
  if (failed_.load(std::memory_order_acquire)) {
    FinishInFlight(1);
    return;
  }
  const graph::Graph& g = *graph_;
  const auto args = g.args(task);
  std::vector<ValuePtr>& inputs = task_inputs;
  inputs.resize(args.size());
  EventStream& events = *context_.events;
  const bool record = events.enabled();
  Event event;
  if (record) {
    event.type = EventType::kTaskStart;
    event.thread = int16_t(worker);
    event.run = run_id_;
    event.key = g.key(task);
    event.start_ns = NowNs();
    events.Record(worker, event);
  }
  const bool sampled = running::enabled.load(std::memory_order_relaxed);
  if (sampled) running::Enter(g.key(task).name);

  ValuePtr value;
  SpillStore::RunningTask running_task(*context_.store);
  try {
    for (size_t i = 0; i < args.size(); ++i) {
      const Arg& arg = args[i];
      if (arg.kind == ArgKind::kTask) {
        const ValuePtr& small = results_[arg.id];
        inputs[i] = small ? small : context_.store->Get(*stored_[arg.id]);
      } else if (arg.kind == ArgKind::kExternal) {
        inputs[i] = ExternalValue(arg.id);
      } else if (arg.kind == ArgKind::kValue) {
        inputs[i] = g.literals()[arg.id];
      }
    }
    // Working memory to admit, once the inputs themselves are in memory: about twice their
    // size (what a task builds from them: concatenated, sorted, gathered or joined copies).
    int64_t input_bytes = 0;
    for (const ValuePtr& input : inputs) input_bytes += input ? input->nbytes() : 0;
    running_task.Admit(2 * input_bytes);
    for (int attempt = 0;; ++attempt) {
      try {
        value = g.function(task).Call(graph::TaskInputs(g.key(task), args.data(), args.size(), inputs.data(), g.params(task)));
        break;
      } catch (...) {
        if (attempt >= retries_ || failed_.load(std::memory_order_acquire)) throw;
      }
    }
    if (!value) value = graph::None();
    if (sampled) running::Leave();
  } catch (...) {
    if (sampled) running::Leave();
    for (auto& input : inputs) input.reset();
    if (record) {
      event.type = EventType::kTaskFinish;
      event.end_ns = NowNs();
      event.status = TaskStatus::kError;
      events.Record(worker, event);
    }
    FailWithCurrentException(task);
    FinishInFlight(1);
    return;
  }
  for (auto& input : inputs) input.reset();  // inputs must not outlive their release below
  context_.tasks_run->fetch_add(1, std::memory_order_relaxed);

  const int64_t nbytes = value->nbytes();
  if (record) {
    event.type = EventType::kTaskFinish;
    event.end_ns = NowNs();
    event.bytes = nbytes;
    events.Record(worker, event);
  }

  // Inputs are released before outputs are published, so a caller woken by an output sees
  // the memory of its inputs already given back.
  for (TaskId dep : g.dependencies(task)) {
    if (holders_[dep].fetch_sub(1, std::memory_order_acq_rel) == 1) ReleaseResult(dep);
  }

  // Keep the result for dependents and hand outputs to their states.
  const bool kept = holders_[task].load(std::memory_order_relaxed) > 0;
  const bool output = flags_[task] & kOutput;
  try {
    if (context_.store->Manages(*value, nbytes)) {
      StoredValuePtr stored = context_.store->Put(g.key(task), value, nbytes);
      if (output) {
        if (ResultHandle state = TakeState(output_index_[task])) state->SetValue(nullptr, stored, context_.store, 0);
      }
      if (kept) stored_[task] = std::move(stored);
    } else {
      if (output) {
        if (ResultHandle state = TakeState(output_index_[task])) state->SetValue(value, nullptr, context_.store, nbytes);
      }
      if (kept) {
        context_.store->AddUnmanaged(nbytes);
        results_[task] = std::move(value);
      }
      CheckMemoryLimit(g.key(task));
    }
  } catch (...) {
    FailWithCurrentException(task);
    FinishInFlight(1);
    return;
  }
  if (kept || output) {
    const int64_t held = held_.fetch_add(1, std::memory_order_relaxed) + 1;
    std::atomic<int64_t>& peak_held = *context_.peak_results_held;
    int64_t peak = peak_held.load(std::memory_order_relaxed);
    while (held > peak && !peak_held.compare_exchange_weak(peak, held, std::memory_order_relaxed)) {
    }
    if (!kept) held_.fetch_sub(1, std::memory_order_relaxed);  // outputs are held by their state
  }

  std::vector<uint32_t>& ready = ready_tasks;
  ready.clear();
  for (TaskId d : g.dependents(task)) {
    if ((flags_[d] & kNeeded) && waiting_[d].fetch_sub(1, std::memory_order_acq_rel) == 1) ready.push_back(d);
  }
  PushReady(ready, worker);
  completed_.fetch_add(1, std::memory_order_acq_rel);
  FinishInFlight(1);
}

void GraphRun::CheckMemoryLimit(const graph::Key& key) {
  SpillStore& store = *context_.store;
  if (store.memory_bytes() <= store.memory_limit()) return;  // the common case: one load
  store.SpillDownTo(store.spill_threshold(), /*include_held=*/true);
  if (store.memory_bytes() <= store.memory_limit()) return;
  throw OutOfMemory("memory limit of " + std::to_string(store.memory_limit()) + " bytes exceeded: " +
                    std::to_string(store.memory_bytes()) + " bytes of results are in memory and cannot be spilled after storing " +
                    key.ToString() + "; raise the memory limit, use smaller partitions, or make the values serialisable");
}

void GraphRun::PushReady(std::vector<uint32_t>& ready, int worker) {
  if (ready.empty()) return;
  if (ready.size() > 1) {
    // The worker pops its deque from the back: put the most urgent (lowest priority) last.
    const graph::Graph& g = *graph_;
    std::sort(ready.begin(), ready.end(), [&](uint32_t a, uint32_t b) { return g.priority(a) > g.priority(b); });
  }
  in_flight_.fetch_add(int64_t(ready.size()), std::memory_order_relaxed);
  context_.pool->Push(this, ready, worker);
}

void GraphRun::ReleaseResult(TaskId task) {
  if (context_.events->enabled()) {
    Event event;
    event.type = EventType::kRelease;
    event.run = run_id_;
    event.key = graph_->key(task);
    event.start_ns = NowNs();
    context_.events->Record(-1, event);  // may run off this pool (cancellation)
  }
  if (results_[task]) {
    context_.store->AddUnmanaged(-results_[task]->nbytes());
    results_[task].reset();
  }
  stored_[task].reset();
  held_.fetch_sub(1, std::memory_order_relaxed);
  if (withheld_.load(std::memory_order_relaxed) && !context_.store->MemoryHigh()) {
    withheld_.store(false);
    context_.pool->WakeAll();
  }
}

void GraphRun::ExternalReady(uint32_t external) {
  in_flight_.fetch_add(1);
  if (failed_.load() || retired_.load()) {
    FinishInFlight(1);
    return;
  }
  const ResultStatus status = externals_[external]->status();
  if (status != ResultStatus::kFinished) {
    Fail(externals_[external]->error(), status);
    FinishInFlight(1);
    return;
  }
  std::vector<uint32_t> ready;
  for (TaskId t : external_readers_[external]) {
    if (waiting_[t].fetch_sub(1, std::memory_order_acq_rel) == 1) ready.push_back(t);
  }
  PushReady(ready, ThreadPool::CurrentWorker());
  FinishInFlight(1);
}

void GraphRun::Cancel() {
  Fail(std::make_shared<const TaskError>(TaskError::Make(ErrorKind::kCancelled, "computation cancelled before it finished")),
       ResultStatus::kCancelled);
}

void GraphRun::FailWithCurrentException(TaskId task) {
  const graph::Key key = graph_->key(task);
  Fail(std::make_shared<const TaskError>(TaskError::FromCurrentException(&key)), ResultStatus::kError);
}

void GraphRun::Fail(std::shared_ptr<const TaskError> error, ResultStatus status) {
  if (failed_.exchange(true)) return;  // the first error wins
  if (completed_.load() == num_needed_) {
    failed_.store(false);  // finished already: nothing to cancel
    return;
  }
  std::vector<ResultHandle> states;
  {
    std::lock_guard lock(states_mutex_);
    states.swap(states_);
  }
  for (const auto& state : states) {
    if (state) state->SetError(error, status);
  }
  if (context_.events->enabled()) {
    Event event;
    event.type = EventType::kComputeFinish;
    event.status = status == ResultStatus::kCancelled ? TaskStatus::kCancelled : TaskStatus::kError;
    event.run = run_id_;
    event.end_ns = NowNs();
    context_.events->Record(-1, event);
  }
  context_.pool->WakeAll();
  MaybeRetire();
}

void GraphRun::FinishInFlight(int64_t count) {
  if (in_flight_.fetch_sub(count, std::memory_order_acq_rel) == count) MaybeRetire();
}

void GraphRun::MaybeRetire() {
  if (in_flight_.load() != 0) return;
  const bool done = completed_.load() == num_needed_;
  if (!done && !failed_.load()) return;
  if (retired_.exchange(true)) return;
  if (done && !failed_.load() && context_.events->enabled()) {
    Event event;
    event.type = EventType::kComputeFinish;
    event.run = run_id_;
    event.end_ns = NowNs();
    context_.events->Record(-1, event);
  }
  // Free whatever intermediates a failed run still holds.
  const size_t n = graph_->num_tasks();
  for (size_t t = 0; t < n; ++t) {
    if (results_[t]) {
      context_.store->AddUnmanaged(-results_[t]->nbytes());
      results_[t].reset();
    }
    stored_[t].reset();
  }
  context_.store->TrimIfMuchFreed();
  context_.pool->RemoveJob(this);
  ThreadPool::ReleaseAfterRun(std::move(self_));
}

}  // namespace tessera::sched
