// Event buffering and delivery (see events.hpp).
#include "tessera/sched/events.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace tessera::sched {

namespace running {
std::atomic<bool> enabled{false};
Slot slots[kMaxThreads];
std::atomic<int> used{0};

namespace {
thread_local int this_slot = -1;  // -2: the table was full
}

void Enter(uint32_t name) {
  if (this_slot == -1) {
    const int slot = used.load() < kMaxThreads ? used.fetch_add(1) : kMaxThreads;
    this_slot = slot < kMaxThreads ? slot : -2;
    if (this_slot >= 0) slots[this_slot].thread_id.store(int64_t(::gettid()));
  }
  if (this_slot >= 0) slots[this_slot].name.store(name, std::memory_order_relaxed);
}

void Leave() {
  if (this_slot >= 0) slots[this_slot].name.store(0, std::memory_order_relaxed);
}
}  // namespace running

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int64_t ProcessResidentBytes() {
  FILE* file = std::fopen("/proc/self/statm", "r");
  if (file == nullptr) return 0;
  long pages_total = 0, pages_resident = 0;
  const int read = std::fscanf(file, "%ld %ld", &pages_total, &pages_resident);
  std::fclose(file);
  return read == 2 ? int64_t(pages_resident) * int64_t(sysconf(_SC_PAGESIZE)) : 0;
}

EventStream::EventStream(int num_workers, std::function<Event()> sample_memory, int sample_interval_ms)
    : sample_memory_(std::move(sample_memory)), sample_interval_ms_(sample_interval_ms) {
  for (int i = 0; i <= num_workers; ++i) buffers_.push_back(std::make_unique<Buffer>());
  drainer_ = std::thread([this] { DrainLoop(); });
}

EventStream::~EventStream() {
  {
    std::lock_guard lock(wake_mutex_);
    stop_ = true;
  }
  wake_cv_.notify_all();
  drainer_.join();
}

void EventStream::Subscribe(std::shared_ptr<EventObserver> observer) {
  std::lock_guard lock(observers_mutex_);
  observers_.push_back(std::move(observer));
  enabled_.store(true);
  wake_cv_.notify_all();
}

void EventStream::PublishGraph(uint32_t run, const std::shared_ptr<const graph::Graph>& graph) {
  if (!enabled()) return;
  std::vector<std::shared_ptr<EventObserver>> observers;
  {
    std::lock_guard lock(observers_mutex_);
    observers = observers_;
  }
  for (const auto& observer : observers) observer->OnGraph(run, graph);
}

void EventStream::Unsubscribe(const EventObserver* observer) {
  Flush();
  std::lock_guard lock(observers_mutex_);
  observers_.erase(std::remove_if(observers_.begin(), observers_.end(), [&](const auto& o) { return o.get() == observer; }), observers_.end());
  enabled_.store(!observers_.empty());
}

void EventStream::Flush() { DrainOnce(false); }

void EventStream::DrainOnce(bool sample) {
  std::lock_guard drain_lock(drain_mutex_);
  std::vector<std::shared_ptr<EventObserver>> observers;
  {
    std::lock_guard lock(observers_mutex_);
    observers = observers_;
  }
  std::vector<Event> batch;
  for (auto& buffer : buffers_) {
    std::lock_guard lock(buffer->mutex);
    batch.insert(batch.end(), buffer->events.begin(), buffer->events.end());
    buffer->events.clear();
  }
  if (sample && sample_memory_ && !observers.empty()) batch.push_back(sample_memory_());
  if (batch.empty() || observers.empty()) return;
  // Buffers are per thread; order the merged batch by time for observers.
  std::stable_sort(batch.begin(), batch.end(), [](const Event& a, const Event& b) {
    return std::max(a.start_ns, a.end_ns) < std::max(b.start_ns, b.end_ns);
  });
  for (auto& observer : observers) observer->OnEvents(batch);
}

void EventStream::DrainLoop() {
  int64_t last_sample = 0;
  std::unique_lock lock(wake_mutex_);
  while (!stop_) {
    // Without observers the thread sleeps until one subscribes.
    if (enabled()) {
      wake_cv_.wait_for(lock, std::chrono::milliseconds(20));
    } else {
      wake_cv_.wait(lock);
    }
    if (stop_) break;
    lock.unlock();
    const int64_t now = NowNs();
    const bool sample = now - last_sample >= int64_t(sample_interval_ms_) * 1000000;
    if (sample) last_sample = now;
    if (enabled()) DrainOnce(sample);
    lock.lock();
  }
}

}  // namespace tessera::sched
