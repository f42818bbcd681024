// Ctrl-C for long computations: while an InterruptGuard lives, SIGINT cancels every running
// computation of its scheduler (callers get tessera::Cancelled) instead of killing the process.
// A second Ctrl-C after that gets the previous behaviour (usually terminating).
#pragma once

#include <semaphore.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "tessera/sched/scheduler.hpp"

namespace tessera::sched {

class InterruptGuard {
 public:
  /// Installs the SIGINT handler. One guard at a time per process (InvalidArgument otherwise).
  explicit InterruptGuard(Scheduler& scheduler);
  /// Restores the previous handler; waits for the watcher thread.
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  /// How many interrupts cancelled work so far.
  int interrupts() const { return interrupts_.load(); }

 private:
  // The signal handler only posts a semaphore (async-signal-safe); this thread does the
  // cancelling, which takes locks.
  void Watch();

  Scheduler& scheduler_;
  sem_t semaphore_;
  std::atomic<bool> stop_{false};
  std::atomic<int> interrupts_{0};
  struct sigaction previous_ {};
  std::thread watcher_;
};

}  // namespace tessera::sched
