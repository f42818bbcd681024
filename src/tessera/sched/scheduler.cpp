// ResultState and the error re-typing shared by schedulers.
#include "tessera/sched/scheduler.hpp"

#include <stdexcept>

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
    if (error_) std::rethrow_exception(error_);
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

std::exception_ptr ResultState::error() const {
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
    SetError(std::make_exception_ptr(Cancelled("result " + key_.ToString() + " was cancelled")), ResultStatus::kCancelled);
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

void ResultState::SetError(std::exception_ptr error, ResultStatus status) {
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

std::exception_ptr WithTaskKey(std::exception_ptr error, const graph::Key& key) {
  const std::string where = " [in task " + key.ToString() + "]";
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    const std::string message = e.what() + where;
    switch (e.kind()) {
      case ErrorKind::kInvalidArgument: return std::make_exception_ptr(InvalidArgument(message));
      case ErrorKind::kType: return std::make_exception_ptr(TypeError(message));
      case ErrorKind::kKey: return std::make_exception_ptr(KeyError(message));
      case ErrorKind::kIndex: return std::make_exception_ptr(IndexError(message));
      case ErrorKind::kParse: return std::make_exception_ptr(ParseError(message));
      case ErrorKind::kIO: return std::make_exception_ptr(IOError(message));
      case ErrorKind::kOutOfMemory: return std::make_exception_ptr(OutOfMemory(message));
      case ErrorKind::kCancelled: return std::make_exception_ptr(Cancelled(message));
      case ErrorKind::kNotImplemented: return std::make_exception_ptr(NotImplemented(message));
      case ErrorKind::kInternal: return std::make_exception_ptr(Internal(message));
    }
  } catch (const std::invalid_argument& e) {
    return std::make_exception_ptr(std::invalid_argument(e.what() + where));
  } catch (const std::out_of_range& e) {
    return std::make_exception_ptr(std::out_of_range(e.what() + where));
  } catch (const std::domain_error& e) {
    return std::make_exception_ptr(std::domain_error(e.what() + where));
  } catch (const std::logic_error& e) {
    return std::make_exception_ptr(std::logic_error(e.what() + where));
  } catch (const std::overflow_error& e) {
    return std::make_exception_ptr(std::overflow_error(e.what() + where));
  } catch (const std::range_error& e) {
    return std::make_exception_ptr(std::range_error(e.what() + where));
  } catch (const std::runtime_error& e) {
    return std::make_exception_ptr(std::runtime_error(e.what() + where));
  } catch (const std::bad_alloc&) {
    return std::make_exception_ptr(OutOfMemory("allocation failed" + where));
  } catch (...) {
    // Unknown types pass through unchanged: re-typing them would lose what the caller catches.
  }
  return error;
}

std::vector<graph::ValuePtr> Scheduler::Compute(graph::Graph graph, const std::vector<graph::Key>& keys, const SubmitOptions& options) {
  std::vector<ResultHandle> handles = Submit(std::move(graph), keys, options);
  std::vector<graph::ValuePtr> values;
  values.reserve(handles.size());
  for (const auto& handle : handles) values.push_back(handle->Wait());
  return values;
}

}  // namespace tessera::sched
