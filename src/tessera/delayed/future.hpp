// Futures on the scheduler, as dask.distributed's Client API: submit runs a function now (in
// the background) and returns a Future; futures can be passed to later submits (the task then
// waits for them), gathered, iterated as they complete, and cancelled. A future's result stays
// in the scheduler's store while a Future refers to it.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "tessera/delayed/delayed.hpp"

namespace tessera {

/// A result being computed (or computed) by the scheduler. Copies share the result.
template <typename T>
class Future {
 public:
  Future() = default;
  explicit Future(sched::ResultHandle handle) : handle_(std::move(handle)) {}

  graph::Key key() const { return handle_->key(); }
  const sched::ResultHandle& handle() const { return handle_; }
  bool done() const { return handle_->done(); }
  sched::ResultStatus status() const { return handle_->status(); }
  /// Blocks until the value is there; rethrows the task's error (original type, with its key).
  T result() const { return ValueTraits<T>::Unbox(handle_->Wait()); }
  /// Stops the computation if it has not finished; result() then throws Cancelled.
  void cancel() const { handle_->Cancel(); }

 private:
  sched::ResultHandle handle_;
};

struct SubmitOptions {
  /// Same function and arguments give the same key and the same future (Dask's default).
  bool pure = true;
  /// Larger runs first when tasks compete for threads.
  int priority = 0;
  /// Key prefix ("submit" when empty).
  std::string name;
};

/// The entry point for futures and delayed values on one scheduler.
class Client {
 public:
  explicit Client(sched::Scheduler& scheduler = sched::DefaultScheduler()) : scheduler_(&scheduler) {}

  sched::Scheduler& scheduler() const { return *scheduler_; }

  /// Runs fn(args...) in the background. Arguments may be futures (the task waits for them),
  /// Delayed values, literals and vectors/tuples of those.
  template <typename F, typename... Args>
  auto submit(F fn, const Args&... args) const {
    return submit_with(SubmitOptions{}, std::move(fn), args...);
  }
  template <typename F, typename... Args>
  auto submit_with(const SubmitOptions& options, F fn, const Args&... args) const {
    using R = std::decay_t<delayed_internal::CallResult<F, Args...>>;
    using Value = std::conditional_t<std::is_void_v<R>, graph::ValuePtr, R>;
    DelayedOptions delayed_options{options.pure, options.name.empty() ? "submit" : options.name, 0};
    auto node = delayed_internal::MakeCallNode(fn, delayed_options, 0, args...);
    sched::SubmitOptions submit_options;
    submit_options.priority = options.priority;
    auto handles = delayed_internal::SubmitNodes(*scheduler_, {node}, submit_options);
    return Future<Value>(handles[0]);
  }
  /// submit(fn, item) for every item.
  template <typename F, typename A>
  auto map(F fn, const std::vector<A>& items, const SubmitOptions& options = {}) const {
    using R = decltype(submit_with(options, fn, items[0]));
    std::vector<R> futures;
    futures.reserve(items.size());
    for (const A& item : items) futures.push_back(submit_with(options, fn, item));
    return futures;
  }
  /// The results of `futures`, in order (waits for all; rethrows the first error met).
  template <typename T>
  std::vector<T> gather(const std::vector<Future<T>>& futures) const {
    std::vector<T> results;
    results.reserve(futures.size());
    for (const auto& future : futures) results.push_back(future.result());
    return results;
  }
  /// Computes several Delayed values in one graph (shared work once).
  template <typename... Ts>
  std::tuple<Ts...> compute(const Delayed<Ts>&... values) const {
    return compute_on(*scheduler_, values...);
  }
  /// Starts computing a Delayed value and returns its future.
  template <typename T>
  Future<T> compute_future(const Delayed<T>& value) const {
    return Future<T>(delayed_internal::SubmitNodes(*scheduler_, {value.node()}, {})[0]);
  }

 private:
  sched::Scheduler* scheduler_;
};

/// Futures in the order they finish (successfully or not), as dask's as_completed.
template <typename T>
class AsCompleted {
 public:
  explicit AsCompleted(const std::vector<Future<T>>& futures) : state_(std::make_shared<State>()) {
    state_->remaining = futures.size();
    for (const auto& future : futures) {
      std::weak_ptr<State> weak = state_;
      // Runs on the finishing worker: only queues the future (never blocks).
      future.handle()->OnDone([weak, future] {
        if (auto state = weak.lock()) {
          std::lock_guard lock(state->mutex);
          state->finished.push_back(future);
          state->cv.notify_all();
        }
      });
    }
  }
  /// The next finished future, blocking until one finishes; nullopt when all were returned.
  std::optional<Future<T>> next() {
    std::unique_lock lock(state_->mutex);
    if (state_->remaining == 0) return std::nullopt;
    state_->cv.wait(lock, [&] { return !state_->finished.empty(); });
    Future<T> future = std::move(state_->finished.front());
    state_->finished.pop_front();
    --state_->remaining;
    return future;
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<Future<T>> finished;
    size_t remaining = 0;
  };
  std::shared_ptr<State> state_;
};

template <typename T>
AsCompleted<T> as_completed(const std::vector<Future<T>>& futures) {
  return AsCompleted<T>(futures);
}

}  // namespace tessera
