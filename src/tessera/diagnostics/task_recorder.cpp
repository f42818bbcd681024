#include "tessera/diagnostics/task_recorder.hpp"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

namespace tessera::diagnostics {

using nlohmann::json;
using sched::EventType;

TaskRecorder::TaskRecorder(int num_threads, int64_t memory_limit, size_t max_tasks)
    : num_threads_(num_threads),
      memory_limit_(memory_limit),
      max_tasks_(max_tasks),
      origin_ns_(sched::NowNs()),
      workers_(size_t(std::max(num_threads, 1))) {}

PrefixProgress& TaskRecorder::ProgressOf(const graph::Key& key) {
  auto it = prefix_of_name_.find(key.name);
  if (it == prefix_of_name_.end()) {
    const std::string prefix(key.Prefix());
    size_t index = progress_.size();
    for (size_t i = 0; i < progress_.size(); ++i) {
      if (progress_[i].prefix == prefix) index = i;
    }
    if (index == progress_.size()) progress_.push_back({prefix});
    it = prefix_of_name_.emplace(key.name, index).first;
  }
  return progress_[it->second];
}

void TaskRecorder::OnGraph(uint32_t run, const std::shared_ptr<const graph::Graph>& graph) {
  std::lock_guard lock(mutex_);
  graph_run_ = run;
  graph_ = graph;
  states_.clear();
}

void TaskRecorder::OnEvents(std::span<const sched::Event> events) {
  std::lock_guard lock(mutex_);
  for (const sched::Event& e : events) {
    switch (e.type) {
      case EventType::kTasksQueued:
        ProgressOf(e.key).total += e.bytes;
        break;
      case EventType::kTaskStart: {
        ++ProgressOf(e.key).started;
        if (e.thread >= 0 && size_t(e.thread) < workers_.size()) workers_[size_t(e.thread)].running_since_ns = e.start_ns;
        if (graph_ && e.run == graph_run_) states_[e.key] = State::kProcessing;
        break;
      }
      case EventType::kTaskFinish: {
        PrefixProgress& progress = ProgressOf(e.key);
        ++progress.finished;
        if (e.status != sched::TaskStatus::kOk) ++progress.erred;
        if (e.thread >= 0 && size_t(e.thread) < workers_.size()) {
          WorkerLoad& load = workers_[size_t(e.thread)];
          ++load.done;
          load.busy_ns += e.end_ns - e.start_ns;
          load.running_since_ns = 0;
        }
        if (graph_ && e.run == graph_run_) {
          states_[e.key] = e.status == sched::TaskStatus::kOk ? State::kMemory : State::kErred;
        }
        tasks_.push_back({e.key, e.thread, uint8_t(e.status), 0, e.start_ns, e.end_ns, e.bytes});
        break;
      }
      case EventType::kRelease:
        ++ProgressOf(e.key).released;
        if (graph_ && e.run == graph_run_) states_[e.key] = State::kReleased;
        break;
      case EventType::kSpill:
      case EventType::kReadBack:
        tasks_.push_back({e.key, e.thread, 0, uint8_t(e.type == EventType::kSpill ? 1 : 2), e.start_ns,
                          std::max(e.end_ns, e.start_ns), e.bytes});
        break;
      case EventType::kMemory:
        last_memory_ = {e.start_ns, e.bytes, e.extra, e.rss};
        max_spilled_ = std::max(max_spilled_, e.extra);
        if (memory_.size() >= 10'000) {  // keep every other sample: history stays bounded
          size_t kept = 0;
          for (size_t i = 0; i < memory_.size(); i += 2) memory_[kept++] = memory_[i];
          memory_.resize(kept);
        }
        memory_.push_back(last_memory_);
        break;
      default:
        break;
    }
  }
  if (tasks_.size() > max_tasks_) tasks_.erase(tasks_.begin(), tasks_.begin() + long(tasks_.size() - max_tasks_));
}

std::string TaskRecorder::SummaryJson() const {
  std::lock_guard lock(mutex_);
  int64_t total = 0, done = 0;
  for (const auto& p : progress_) {
    total += p.total;
    done += p.finished;
  }
  return json{{"threads", num_threads_}, {"memory_limit", memory_limit_}, {"now", Seconds(sched::NowNs())},
              {"tasks_total", total}, {"tasks_done", done}, {"report", false}}
      .dump();
}

std::string TaskRecorder::TaskStreamJson(double since_seconds) const {
  std::lock_guard lock(mutex_);
  static const char* kStatus[] = {"ok", "error", "cancelled"};
  static const char* kKind[] = {"task", "spill", "read-back"};
  const int64_t since_ns = origin_ns_ + int64_t(since_seconds * 1e9);
  json tasks = json::array();
  // Records are appended in finish order, so the new ones are at the end.
  size_t first = tasks_.size();
  while (first > 0 && tasks_[first - 1].stop_ns > since_ns) --first;
  for (size_t i = first; i < tasks_.size(); ++i) {
    const TaskRecord& t = tasks_[i];
    tasks.push_back({{"key", t.key.ToString()}, {"prefix", std::string(t.key.Prefix())}, {"worker", t.worker},
                     {"start", Seconds(t.start_ns)}, {"stop", Seconds(t.stop_ns)}, {"bytes", t.bytes},
                     {"status", kStatus[t.status % 3]}, {"kind", kKind[t.kind % 3]}});
  }
  return json{{"now", Seconds(sched::NowNs())}, {"tasks", std::move(tasks)}}.dump();
}

std::string TaskRecorder::ProgressJson() const {
  std::lock_guard lock(mutex_);
  json prefixes = json::array();
  for (const auto& p : progress_) {
    const int64_t memory = std::max<int64_t>(0, p.finished - p.erred - p.released);
    const int64_t processing = std::max<int64_t>(0, p.started - p.finished);
    const int64_t waiting = std::max<int64_t>(0, p.total - p.started);
    prefixes.push_back({{"prefix", p.prefix}, {"total", std::max(p.total, p.finished)}, {"waiting", waiting},
                        {"processing", processing}, {"memory", memory}, {"released", p.released},
                        {"erred", p.erred}});
  }
  return json{{"prefixes", std::move(prefixes)}}.dump();
}

std::string TaskRecorder::MemoryJson() const {
  std::lock_guard lock(mutex_);
  json history = json::array();
  for (const auto& m : memory_) {
    history.push_back({{"t", Seconds(m.t_ns)}, {"managed", m.managed}, {"spilled", m.spilled}, {"rss", m.rss}});
  }
  const int64_t unmanaged = std::max<int64_t>(0, last_memory_.rss - last_memory_.managed);
  return json{{"limit", memory_limit_}, {"managed", last_memory_.managed}, {"unmanaged", unmanaged},
              {"spilled", last_memory_.spilled}, {"max_spilled", max_spilled_}, {"rss", last_memory_.rss},
              {"history", std::move(history)}}
      .dump();
}

std::string TaskRecorder::WorkersJson() const {
  std::lock_guard lock(mutex_);
  const int64_t now = sched::NowNs();
  const double elapsed = double(std::max<int64_t>(1, now - origin_ns_));
  json workers = json::array();
  for (size_t i = 0; i < workers_.size(); ++i) {
    const WorkerLoad& w = workers_[i];
    const int64_t busy = w.busy_ns + (w.running_since_ns ? now - w.running_since_ns : 0);
    workers.push_back({{"name", "thread-" + std::to_string(i)}, {"threads", 1},
                       {"cpu", std::min(100.0, 100.0 * double(busy) / elapsed)},
                       {"processing", w.running_since_ns ? 1 : 0}, {"done", w.done},
                       {"memory", last_memory_.managed / int64_t(workers_.size())},
                       {"spilled", last_memory_.spilled / int64_t(workers_.size())}});
  }
  return json{{"workers", std::move(workers)}}.dump();
}

std::string TaskRecorder::GraphJson(size_t max_nodes) const {
  std::lock_guard lock(mutex_);
  static const char* kState[] = {"waiting", "processing", "memory", "released", "erred"};
  json nodes = json::array(), edges = json::array();
  if (!graph_) return json{{"grouped", false}, {"nodes", nodes}, {"edges", edges}}.dump();
  const graph::Graph& g = *graph_;
  auto state_of = [&](graph::TaskId t) {
    auto it = states_.find(g.key(t));
    return it == states_.end() ? State::kWaiting : it->second;
  };
  if (g.num_tasks() <= max_nodes) {
    for (graph::TaskId t = 0; t < g.num_tasks(); ++t) {
      const graph::Key key = g.key(t);
      nodes.push_back({{"id", key.ToString()},
                       {"label", std::string(key.Name()) + (key.index >= 0 ? " " + std::to_string(key.index) : "")},
                       {"prefix", std::string(key.Prefix())}, {"state", kState[int(state_of(t))]}, {"count", 1}});
      for (graph::TaskId d : g.dependencies(t)) edges.push_back({g.key(d).ToString(), key.ToString()});
    }
    return json{{"grouped", false}, {"nodes", std::move(nodes)}, {"edges", std::move(edges)}}.dump();
  }
  // Too many tasks to draw: one node per prefix, coloured by its most common state.
  std::map<std::string, std::array<int64_t, 5>> by_prefix;
  std::map<std::pair<std::string, std::string>, int64_t> prefix_edges;
  for (graph::TaskId t = 0; t < g.num_tasks(); ++t) {
    const std::string prefix(g.key(t).Prefix());
    ++by_prefix[prefix][size_t(state_of(t))];
    for (graph::TaskId d : g.dependencies(t)) {
      std::string from(g.key(d).Prefix());
      if (from != prefix) ++prefix_edges[{from, prefix}];
    }
  }
  for (const auto& [prefix, counts] : by_prefix) {
    const size_t majority = size_t(std::max_element(counts.begin(), counts.end()) - counts.begin());
    int64_t count = 0;
    for (int64_t c : counts) count += c;
    nodes.push_back({{"id", prefix}, {"label", prefix}, {"prefix", prefix}, {"state", kState[majority]}, {"count", count}});
  }
  for (const auto& [edge, count] : prefix_edges) edges.push_back({edge.first, edge.second});
  return json{{"grouped", true}, {"nodes", std::move(nodes)}, {"edges", std::move(edges)}}.dump();
}

std::vector<TaskRecord> TaskRecorder::Tasks() const {
  std::lock_guard lock(mutex_);
  return tasks_;
}

std::vector<PrefixProgress> TaskRecorder::Progress() const {
  std::lock_guard lock(mutex_);
  return progress_;
}

int64_t TaskRecorder::max_spilled_bytes() const {
  std::lock_guard lock(mutex_);
  return max_spilled_;
}

}  // namespace tessera::diagnostics
