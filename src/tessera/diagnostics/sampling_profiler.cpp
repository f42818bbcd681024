#include "tessera/diagnostics/sampling_profiler.hpp"

#include <cxxabi.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

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

std::string Symbolise(void* address) {
  Dl_info info{};
  if (dladdr(address, &info) == 0 || info.dli_sname == nullptr) {
    char text[32];
    std::snprintf(text, sizeof(text), "%p", address);
    return text;
  }
  int status = 0;
  char* demangled = abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status);
  std::string name = status == 0 && demangled ? demangled : info.dli_sname;
  std::free(demangled);
  // "tessera::compute::SortIndices(tessera::Table const&, ...)" -> without the parameter list
  if (const size_t paren = name.find('('); paren != std::string::npos && paren > 0) name.resize(paren);
  return name;
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

uint32_t SamplingProfiler::FrameId(void* address) {
  auto [it, added] = frame_ids_.try_emplace(address, uint32_t(names_.size()));
  if (added) names_.push_back(Symbolise(address));
  return it->second;
}

uint32_t SamplingProfiler::NameId(const std::string& name) {
  auto [it, added] = name_ids_.try_emplace(name, uint32_t(names_.size()));
  if (added) names_.push_back(name);
  return it->second;
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
    // Frame 0 is the handler and 1 the signal trampoline; the rest, outermost first.
    for (int i = raw.depth - 1; i >= 2; --i) sample.frames.push_back(FrameId(raw.frames[i]));
    raw.state.store(0, std::memory_order_release);
    samples_.push_back(std::move(sample));
  }
}

int64_t SamplingProfiler::num_samples() const {
  std::lock_guard lock(mutex_);
  return int64_t(samples_.size());
}

std::string SamplingProfiler::FlameJson(int64_t origin_ns, const std::string& prefix, double start, double stop) const {
  using nlohmann::json;
  struct Node {
    int64_t value = 0;
    std::map<uint32_t, Node> children;
  };
  std::lock_guard lock(mutex_);
  Node root;
  std::map<std::string, int> prefixes;
  for (const Sample& s : samples_) {
    prefixes[s.prefix] = 1;
    const double t = double(s.t_ns - origin_ns) * 1e-9;
    if ((!prefix.empty() && s.prefix != prefix) || t < start || (stop >= 0 && t > stop)) continue;
    Node* node = &root;
    ++node->value;
    for (uint32_t frame : s.frames) {
      node = &node->children[frame];
      ++node->value;
    }
  }
  auto to_json = [&](auto&& self, const std::string& name, const Node& node) -> json {
    json children = json::array();
    for (const auto& [frame, child] : node.children) children.push_back(self(self, names_[frame], child));
    return json{{"name", name}, {"value", node.value}, {"children", std::move(children)}};
  };
  json names = json::array();
  for (const auto& [p, unused] : prefixes) names.push_back(p);
  return json{{"samples", root.value}, {"prefixes", std::move(names)}, {"root", to_json(to_json, "all", root)}}.dump();
}

}  // namespace tessera::diagnostics
