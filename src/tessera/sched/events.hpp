// The scheduler's event stream: task start and finish, spill and read-back, memory samples.
// Workers append events to their own buffer (an uncontended lock, no allocation once the
// buffer has grown, and nothing at all while nobody subscribes); a drain thread hands batches
// to observers every few milliseconds, so observers never slow the hot path.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "tessera/graph/graph.hpp"
#include "tessera/graph/key.hpp"

namespace tessera::sched {

enum class EventType : uint8_t {
  kComputeStart,  // a graph was submitted: `bytes` = number of tasks to run
  kTaskStart,
  kTaskFinish,    // start_ns..end_ns, `bytes` = result size, `status`
  kSpill,         // `bytes` written out of memory (uncompressed size), `extra` = file bytes
  kReadBack,      // `bytes` read back into memory
  kMemory,        // `bytes` = managed in memory, `extra` = spilled, `rss` = process resident
  kComputeFinish, // `status` says how the graph ended
  kTasksQueued,   // at a graph's start, once per task name: `key` has the name, `bytes` = tasks
  kRelease,       // an intermediate result of `key` was freed (no dependent needs it any more)
};

enum class TaskStatus : uint8_t { kOk, kError, kCancelled };

/// One event. Timestamps are steady-clock nanoseconds (NowNs()).
struct Event {
  EventType type = EventType::kTaskFinish;
  TaskStatus status = TaskStatus::kOk;
  int16_t thread = -1;  // pool worker index, -1 for other threads
  uint32_t run = 0;     // which submitted graph
  graph::Key key;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t bytes = 0;
  int64_t extra = 0;
  int64_t rss = 0;
};

/// Receives batches of events. OnEvents is called from the stream's drain thread only (never
/// concurrently with itself); it may take locks and print, but while it runs later batches wait
/// (workers keep buffering). It must not call back into the scheduler synchronously.
class EventObserver {
 public:
  virtual ~EventObserver() = default;
  virtual void OnEvents(std::span<const Event> events) = 0;
  /// A graph run `run` starts (before its first event): observers that draw the graph keep it.
  /// Called on the submitting thread while the observer is subscribed; must not block.
  virtual void OnGraph(uint32_t run, const std::shared_ptr<const graph::Graph>& graph) {}
};

/// Steady-clock nanoseconds.
int64_t NowNs();

/// Which task each pool thread runs now, for samplers that interrupt threads (a signal handler
/// reads it, so the table is fixed-size atomics: one slot per thread that ever ran a task while
/// `enabled`, in every scheduler of the process).
namespace running {
inline constexpr int kMaxThreads = 256;
struct Slot {
  std::atomic<int64_t> thread_id{0};  // the kernel's thread id (gettid), 0 = unused
  std::atomic<uint32_t> name{0};      // graph::Key name id of the running task, 0 = idle
};
extern std::atomic<bool> enabled;
extern Slot slots[kMaxThreads];
/// Slots in use (slots[0 .. used) have a thread id).
extern std::atomic<int> used;
/// The calling thread starts / ends a task named `name`.
void Enter(uint32_t name);
void Leave();
}  // namespace running
/// Resident set size of this process in bytes (from /proc; 0 when unknown).
int64_t ProcessResidentBytes();

class EventStream {
 public:
  /// `num_workers` buffers plus one shared buffer for other threads. `sample_memory` (optional)
  /// is called on the drain thread to fill kMemory events every `sample_interval_ms`.
  EventStream(int num_workers, std::function<Event()> sample_memory, int sample_interval_ms = 100);
  ~EventStream();

  /// Adds an observer; events recorded from now on reach it. Thread-safe.
  void Subscribe(std::shared_ptr<EventObserver> observer);
  void Unsubscribe(const EventObserver* observer);
  /// Hands a starting run's graph to every observer (see EventObserver::OnGraph). Any thread.
  void PublishGraph(uint32_t run, const std::shared_ptr<const graph::Graph>& graph);
  /// True when someone listens; recording is skipped otherwise. Cheap; any thread.
  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }

  /// Appends an event to the buffer of `worker` (-1: the shared buffer). Any thread.
  void Record(int worker, const Event& event) {
    if (!enabled()) return;
    Buffer& buffer = *buffers_[worker >= 0 ? size_t(worker) : buffers_.size() - 1];
    std::lock_guard lock(buffer.mutex);
    buffer.events.push_back(event);
  }
  /// Delivers everything recorded so far before returning (e.g. when a computation ends, so a
  /// progress bar shows 100%). Blocks until the drain thread has delivered.
  void Flush();

 private:
  struct alignas(64) Buffer {
    std::mutex mutex;
    std::vector<Event> events;
  };

  void DrainLoop();
  void DrainOnce(bool sample);

  std::vector<std::unique_ptr<Buffer>> buffers_;
  std::function<Event()> sample_memory_;
  int sample_interval_ms_;
  std::atomic<bool> enabled_{false};

  std::mutex observers_mutex_;
  std::vector<std::shared_ptr<EventObserver>> observers_;

  std::mutex drain_mutex_;  // serialises deliveries (drain thread and Flush)
  std::mutex wake_mutex_;
  std::condition_variable wake_cv_;
  bool stop_ = false;
  std::thread drainer_;
};

}  // namespace tessera::sched
