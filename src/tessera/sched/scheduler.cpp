// ResultState and the error re-typing shared by schedulers.
#include "tessera/sched/scheduler.hpp"


#include "tessera/base/error.hpp"

namespace tessera::sched {

ResultState::~ResultState() {
  if (release_hook_) release_hook_();
  if (store_ && unmanaged_bytes_ != 0) store_->AddUnmanaged(-unmanaged_bytes_);
}

ResultStatus ResultState::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

graph::ValuePtr ResultState::Wait() const {
  StoredValuePtr stored;
  std::shared_ptr<SpillStore> store;
  {
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock, [&] { return status_ != ResultStatus::kPending; });
    if (error_) error_->Throw();  // a fresh exception per waiter
    if (value_) return value_;
    stored = stored_;
    store = store_;
  }
  return store->Get(*stored);  // outside the lock: may read a spill file
}

bool ResultState::WaitFor(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return done_cv_.wait_for(lock, timeout, [&] { return status_ != ResultStatus::kPending; });
}

std::shared_ptr<const TaskError> ResultState::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

void ResultState::RunCallbacks(std::unique_lock<std::mutex>& lock) {
  std::vector<std::function<void()>> callbacks;
  callbacks.swap(callbacks_);
  done_cv_.notify_all();
  lock.unlock();
  for (auto& callback : callbacks) callback();
}

void ResultState::OnDone(std::function<void()> callback) {
  std::unique_lock lock(mutex_);
  if (status_ == ResultStatus::kPending) {
    callbacks_.push_back(std::move(callback));
    return;
  }
  lock.unlock();
  callback();
}

void ResultState::Cancel() {
  std::shared_ptr<Cancellable> canceller;
  {
    std::lock_guard lock(mutex_);
    if (status_ != ResultStatus::kPending) return;
    canceller = canceller_.lock();
  }
  if (canceller) {
    canceller->Cancel();
  } else {
    SetError(std::make_shared<const TaskError>(TaskError::Make(ErrorKind::kCancelled, "result " + key_.ToString() + " was cancelled")),
             ResultStatus::kCancelled);
  }
}

void ResultState::SetValue(graph::ValuePtr value, StoredValuePtr stored, std::shared_ptr<SpillStore> store, int64_t unmanaged_bytes) {
  std::unique_lock lock(mutex_);
  if (status_ != ResultStatus::kPending) return;
  value_ = std::move(value);
  stored_ = std::move(stored);
  store_ = std::move(store);
  unmanaged_bytes_ = unmanaged_bytes;
  if (store_ && unmanaged_bytes_ != 0) store_->AddUnmanaged(unmanaged_bytes_);
  status_ = ResultStatus::kFinished;
  RunCallbacks(lock);
}

void ResultState::SetError(std::shared_ptr<const TaskError> error, ResultStatus status) {
  std::unique_lock lock(mutex_);
  if (status_ != ResultStatus::kPending) return;
  error_ = std::move(error);
  status_ = status;
  RunCallbacks(lock);
}

void ResultState::SetCanceller(std::weak_ptr<Cancellable> canceller) {
  std::lock_guard lock(mutex_);
  canceller_ = std::move(canceller);
}

void ResultState::SetReleaseHook(std::function<void()> hook) {
  std::lock_guard lock(mutex_);
  release_hook_ = std::move(hook);
}

std::vector<graph::ValuePtr> Scheduler::Compute(graph::Graph graph, const std::vector<graph::Key>& keys, const SubmitOptions& options) {
  std::vector<ResultHandle> handles = Submit(std::move(graph), keys, options);
  std::vector<graph::ValuePtr> values;
  values.reserve(handles.size());
  for (const auto& handle : handles) values.push_back(handle->Wait());
  return values;
}

}  // namespace tessera::sched
