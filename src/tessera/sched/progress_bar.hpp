// A terminal progress bar for long computations, fed by the scheduler's event stream:
// "[########----------] 45% | 9000/20000 tasks | 1.2 s".
#pragma once

#include <atomic>
#include <cstdint>
#include <ostream>

#include "tessera/sched/events.hpp"

namespace tessera::sched {

class ProgressBar final : public EventObserver {
 public:
  /// Draws on `out` (usually std::cerr), redrawing at most every `min_interval_ms`.
  explicit ProgressBar(std::ostream& out, int width = 40, int min_interval_ms = 100)
      : out_(out), width_(width), min_interval_ns_(int64_t(min_interval_ms) * 1000000) {}

  /// Called on the event stream's drain thread (see EventObserver); writes to the stream.
  void OnEvents(std::span<const Event> events) override;

  /// Tasks announced and finished so far (readable from any thread).
  int64_t total() const { return total_.load(std::memory_order_relaxed); }
  int64_t finished() const { return finished_.load(std::memory_order_relaxed); }

 private:
  void Draw(bool final_line);

  std::ostream& out_;
  const int width_;
  const int64_t min_interval_ns_;
  std::atomic<int64_t> total_{0};
  std::atomic<int64_t> finished_{0};
  int64_t errors_ = 0;
  int64_t start_ns_ = 0;
  int64_t last_draw_ns_ = 0;
  int active_runs_ = 0;
  bool drawn_complete_ = false;
};

}  // namespace tessera::sched
