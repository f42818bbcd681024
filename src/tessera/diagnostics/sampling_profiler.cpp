#include "tessera/diagnostics/sampling_profiler.hpp"

#include <execinfo.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include <nlohmann/json.hpp>

#include "tessera/base/error.hpp"
#include "tessera/graph/key.hpp"
#include "tessera/sched/events.hpp"

namespace tessera::diagnostics {

namespace {

constexpr int kMaxDepth = 48;
constexpr size_t kRingSize = 4096;

// Written by the signal handler, read by the sampler thread: a slot is owned by the handler
// while `state` is 1 and by the reader while it is 2.
struct RawSample {
  std::atomic<int> state{0};  // 0 free, 1 being written, 2 ready
  int64_t t_ns = 0;
  uint32_t task_name = 0;
  int depth = 0;
  void* frames[kMaxDepth];
};

RawSample ring[kRingSize];
std::atomic<uint64_t> ring_next{0};
std::atomic<bool> profiler_active{false};

int64_t ThreadId() { return int64_t(::syscall(SYS_gettid)); }

void OnSignal(int, siginfo_t*, void*) {
  const int saved_errno = errno;
  const int64_t tid = ThreadId();
  uint32_t name = 0;
  const int used = std::min(sched::running::used.load(std::memory_order_relaxed), sched::running::kMaxThreads);
  for (int i = 0; i < used; ++i) {
    if (sched::running::slots[i].thread_id.load(std::memory_order_relaxed) == tid) {
      name = sched::running::slots[i].name.load(std::memory_order_relaxed);
      break;
    }
  }
  if (name != 0) {
    RawSample& sample = ring[ring_next.fetch_add(1, std::memory_order_relaxed) % kRingSize];
    int expected = 0;
    if (sample.state.compare_exchange_strong(expected, 1, std::memory_order_acquire)) {
      sample.t_ns = sched::NowNs();
      sample.task_name = name;
      sample.depth = backtrace(sample.frames, kMaxDepth);
      sample.state.store(2, std::memory_order_release);
    }
  }
  errno = saved_errno;
}

}  // namespace

SamplingProfiler::SamplingProfiler(int hz) : hz_(hz) {
  if (profiler_active.exchange(true)) throw InvalidArgument("a sampling profiler is already running in this process");
  void* warm[4];
  backtrace(warm, 4);  // loads the unwinder now, not inside the first signal handler
  struct sigaction action {};
  action.sa_sigaction = OnSignal;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGPROF, &action, nullptr);
  sched::running::enabled.store(true);
  sampler_ = std::thread([this] { Run(); });
}

namespace {
std::mutex shared_mutex;
std::weak_ptr<SamplingProfiler> shared_profiler;
}  // namespace

std::shared_ptr<SamplingProfiler> SamplingProfiler::Active() {
  std::lock_guard lock(shared_mutex);
  return shared_profiler.lock();
}

std::shared_ptr<SamplingProfiler> SamplingProfiler::Shared() {
  std::lock_guard lock(shared_mutex);
  std::weak_ptr<SamplingProfiler>& current = shared_profiler;
  std::shared_ptr<SamplingProfiler> profiler = current.lock();
  if (!profiler) {
    profiler = std::make_shared<SamplingProfiler>();
    current = profiler;
  }
  return profiler;
}

SamplingProfiler::~SamplingProfiler() {
  stop_.store(true);
  sampler_.join();
  sched::running::enabled.store(false);
  // Signals already sent land on the handler, which stays installed (harmless and cheap).
  profiler_active.store(false);
}

void SamplingProfiler::Run() {
  const auto period = std::chrono::microseconds(1'000'000 / std::max(1, hz_));
  const pid_t pid = getpid();
  while (!stop_.load()) {
    const int used = std::min(sched::running::used.load(), sched::running::kMaxThreads);
    for (int i = 0; i < used; ++i) {
      const auto& slot = sched::running::slots[i];
      const int64_t tid = slot.thread_id.load(std::memory_order_relaxed);
      if (tid != 0 && slot.name.load(std::memory_order_relaxed) != 0) ::syscall(SYS_tgkill, pid, pid_t(tid), SIGPROF);
    }
    std::this_thread::sleep_for(period);
    Drain();
  }
  Drain();
}

uint32_t SamplingProfiler::AddressId(void* address, bool is_return_address) {
  auto [it, added] = address_ids_.try_emplace({address, is_return_address}, uint32_t(addresses_.size()));
  if (added) addresses_.push_back(it->first);
  return it->second;
}

uint32_t SamplingProfiler::NameId(const std::string& name) {
  auto [it, added] = name_ids_.try_emplace(name, uint32_t(names_.size()));
  if (added) names_.push_back(name);
  return it->second | kNamed;
}

void SamplingProfiler::AddSample(int64_t t_ns, const std::string& prefix, const std::vector<std::string>& frames) {
  std::lock_guard lock(mutex_);
  Sample sample{t_ns, prefix, {}};
  for (const std::string& frame : frames) sample.frames.push_back(NameId(frame));
  samples_.push_back(std::move(sample));
}

void SamplingProfiler::Drain() {
  std::lock_guard lock(mutex_);
  for (RawSample& raw : ring) {
    if (raw.state.load(std::memory_order_acquire) != 2) continue;
    Sample sample{raw.t_ns, std::string(graph::Key(raw.task_name, -1).Prefix()), {}};
    // Frame 0 is the handler and 1 the signal trampoline; the rest, outermost first. Frame 2 is
    // where the thread was interrupted, the others are return addresses.
    for (int i = raw.depth - 1; i >= 2; --i) sample.frames.push_back(AddressId(raw.frames[i], i > 2));
    raw.state.store(0, std::memory_order_release);
    samples_.push_back(std::move(sample));
  }
}

int64_t SamplingProfiler::num_samples() const {
  std::lock_guard lock(mutex_);
  return int64_t(samples_.size());
}

const std::vector<std::string>& SamplingProfiler::Labels(uint32_t address_id, std::pair<void*, bool> address) const {
  if (labels_.size() <= address_id) labels_.resize(address_id + 1);
  std::vector<std::string>& labels = labels_[address_id];
  if (labels.empty()) {
    if (!symbolizer_) symbolizer_ = std::make_unique<Symbolizer>();
    for (const SourceFrame& frame : symbolizer_->Frames(uintptr_t(address.first), address.second)) {
      labels.push_back(frame.Label());
    }
  }
  return labels;
}

std::string SamplingProfiler::FlameJson(int64_t origin_ns, const std::string& prefix, double start, double stop) const {
  using nlohmann::json;
  // The samples merged by frame id under the samples' lock, then named outside it.
  struct IdNode {
    int64_t value = 0;
    std::map<uint32_t, IdNode> children;
  };
  IdNode by_id;
  std::map<std::string, int> prefixes;
  std::vector<std::string> names;
  std::vector<std::pair<void*, bool>> addresses;
  {
    std::lock_guard lock(mutex_);
    for (const Sample& s : samples_) {
      prefixes[s.prefix] = 1;
      const double t = double(s.t_ns - origin_ns) * 1e-9;
      if ((!prefix.empty() && s.prefix != prefix) || t < start || (stop >= 0 && t > stop)) continue;
      IdNode* node = &by_id;
      ++node->value;
      for (uint32_t frame : s.frames) {
        node = &node->children[frame];
        ++node->value;
      }
    }
    names = names_;
    addresses = addresses_;
  }
  struct Node {
    int64_t value = 0;
    std::map<std::string, Node> children;
  };
  Node root{by_id.value, {}};
  std::lock_guard lock(symbolizer_mutex_);
  // An address expands to one frame per function inlined there; equal names merge.
  auto add = [&](auto&& self, const IdNode& from, Node* to) -> void {
    for (const auto& [frame, child] : from.children) {
      Node* node = to;
      if (frame & kNamed) {
        node = &node->children[names[frame & ~kNamed]];
        node->value += child.value;
      } else {
        for (const std::string& label : Labels(frame, addresses[frame])) {
          node = &node->children[label];
          node->value += child.value;
        }
      }
      self(self, child, node);
    }
  };
  add(add, by_id, &root);
  auto to_json = [&](auto&& self, const std::string& name, const Node& node) -> json {
    json children = json::array();
    for (const auto& [child_name, child] : node.children) children.push_back(self(self, child_name, child));
    return json{{"name", name}, {"value", node.value}, {"children", std::move(children)}};
  };
  json prefix_names = json::array();
  for (const auto& [p, unused] : prefixes) prefix_names.push_back(p);
  return json{{"samples", root.value}, {"prefixes", std::move(prefix_names)}, {"root", to_json(to_json, "all", root)}}.dump();
}

}  // namespace tessera::diagnostics
