// The local scheduler (see local_scheduler.hpp).
#include "tessera/sched/local_scheduler.hpp"

#include <thread>

#include "tessera/base/error.hpp"
#include "tessera/sched/graph_run.hpp"

namespace tessera::sched {

LocalScheduler::LocalScheduler(LocalSchedulerOptions options) {
  pool_ = std::make_unique<ThreadPool>(options.num_threads, options.max_threads);
  events_ = std::make_unique<EventStream>(pool_->max_threads(), [this] {
    Event event;
    event.type = EventType::kMemory;
    event.start_ns = NowNs();
    event.bytes = store_->memory_bytes();
    event.extra = store_->spilled_bytes();
    event.rss = ProcessResidentBytes();
    return event;
  });
  store_ = SpillStore::Make(options.memory, events_.get());
  registry_ = std::make_shared<Registry>();
}

LocalScheduler::~LocalScheduler() {
  CancelAll();
  // Cancelled runs retire once their running tasks return; wait for that before the pool goes.
  for (;;) {
    bool busy = false;
    {
      std::lock_guard lock(runs_mutex_);
      for (auto& weak : runs_) {
        auto run = weak.lock();
        if (run && !run->retired()) busy = true;
      }
    }
    if (!busy) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  pool_.reset();
  store_->DetachEvents();
  events_.reset();
}

ResultHandle LocalScheduler::Find(const graph::Key& key) {
  std::lock_guard lock(registry_->mutex);
  auto it = registry_->held.find(key);
  return it == registry_->held.end() ? nullptr : it->second.lock();
}

std::vector<ResultHandle> LocalScheduler::Submit(graph::Graph graph, const std::vector<graph::Key>& keys,
                                                 const SubmitOptions& options) {
  if (!graph.finalized()) {
    graph.Finalize([this](const graph::Key& key) { return Find(key) != nullptr; });
  }
  auto shared_graph = std::make_shared<const graph::Graph>(std::move(graph));
  const graph::Graph& g = *shared_graph;

  // Keys already held and not in this graph are answered from the store.
  std::vector<ResultHandle> handles(keys.size());
  std::vector<graph::TaskId> outputs;
  std::vector<ResultHandle> states;
  std::unordered_map<graph::TaskId, size_t> output_slot;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto task = g.Find(keys[i]);
    if (!task) {
      handles[i] = Find(keys[i]);
      if (!handles[i]) throw KeyError("key " + keys[i].ToString() + " is neither in the submitted graph nor held by the scheduler");
      continue;
    }
    auto [it, inserted] = output_slot.emplace(*task, states.size());
    if (inserted) {
      outputs.push_back(*task);
      states.push_back(std::make_shared<ResultState>(keys[i]));
    }
    handles[i] = states[it->second];
  }
  std::vector<ResultHandle> externals;
  for (const graph::Key& key : g.external_keys()) {
    ResultHandle held = Find(key);
    if (!held) {
      throw KeyError("result " + key.ToString() + " was released before the graph reading it was submitted; keep a future or persisted collection referring to it");
    }
    externals.push_back(std::move(held));
  }
  {
    std::lock_guard lock(registry_->mutex);
    for (const auto& state : states) {
      registry_->held[state->key()] = state;
      std::weak_ptr<Registry> weak_registry = registry_;
      ResultState* raw = state.get();
      const graph::Key key = state->key();
      state->SetReleaseHook([weak_registry, raw, key] {
        auto registry = weak_registry.lock();
        if (!registry) return;
        std::lock_guard lock(registry->mutex);
        auto it = registry->held.find(key);
        // Only forget the key if no newer result replaced this one.
        if (it != registry->held.end() && (it->second.expired() || it->second.lock().get() == raw)) registry->held.erase(it);
      });
    }
  }
  RunContext context{pool_.get(), store_, events_.get(), &tasks_run_, &peak_results_held_};
  auto run = std::make_shared<GraphRun>(shared_graph, std::move(outputs), std::move(states), std::move(externals),
                                        context, next_run_id_.fetch_add(1), options.priority, options.retries);
  {
    std::lock_guard lock(runs_mutex_);
    runs_.erase(std::remove_if(runs_.begin(), runs_.end(), [](const auto& w) { return w.expired(); }), runs_.end());
    runs_.push_back(run);
  }
  run->Start();
  return handles;
}

void LocalScheduler::CancelAll() {
  std::vector<std::shared_ptr<GraphRun>> runs;
  {
    std::lock_guard lock(runs_mutex_);
    for (auto& weak : runs_) {
      if (auto run = weak.lock()) runs.push_back(std::move(run));
    }
  }
  for (auto& run : runs) run->Cancel();
}

SchedulerStats LocalScheduler::stats() const {
  SchedulerStats stats;
  stats.tasks_run = tasks_run_.load();
  stats.peak_results_held = peak_results_held_.load();
  stats.memory_bytes = store_->memory_bytes();
  stats.spilled_bytes = store_->spilled_bytes();
  stats.total_spilled_bytes = store_->total_spilled_bytes();
  stats.total_read_back_bytes = store_->total_read_back_bytes();
  stats.memory_limit = store_->memory_limit();
  return stats;
}

Scheduler& DefaultScheduler() {
  static auto* scheduler = new LocalScheduler();
  return *scheduler;
}

}  // namespace tessera::sched
