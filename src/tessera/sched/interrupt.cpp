// SIGINT -> CancelAll (see interrupt.hpp).
#include "tessera/sched/interrupt.hpp"

#include "tessera/base/error.hpp"

namespace tessera::sched {

namespace {
std::atomic<sem_t*> active_semaphore{nullptr};

void OnInterrupt(int) {
  if (sem_t* semaphore = active_semaphore.load()) sem_post(semaphore);
}
}  // namespace

InterruptGuard::InterruptGuard(Scheduler& scheduler) : scheduler_(scheduler) {
  sem_init(&semaphore_, 0, 0);
  sem_t* expected = nullptr;
  if (!active_semaphore.compare_exchange_strong(expected, &semaphore_)) {
    sem_destroy(&semaphore_);
    throw InvalidArgument("an InterruptGuard is already installed; keep one per process");
  }
  struct sigaction action {};
  action.sa_handler = &OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_);
  watcher_ = std::thread([this] { Watch(); });
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &previous_, nullptr);
  stop_.store(true);
  sem_post(&semaphore_);
  watcher_.join();
  active_semaphore.store(nullptr);
  sem_destroy(&semaphore_);
}

void InterruptGuard::Watch() {
  for (;;) {
    while (sem_wait(&semaphore_) != 0) {
    }
    if (stop_.load()) return;
    interrupts_.fetch_add(1);
    scheduler_.CancelAll();
    // The next Ctrl-C behaves as before the guard, so a stuck task can still be killed.
    sigaction(SIGINT, &previous_, nullptr);
  }
}

}  // namespace tessera::sched
