// Capturing and rethrowing task errors (see task_error.hpp).
#include "tessera/sched/task_error.hpp"

#include <new>
#include <stdexcept>

namespace tessera::sched {

TaskError TaskError::Make(ErrorKind kind, std::string message) {
  TaskError error;
  error.family_ = Family::kTessera;
  error.kind_ = kind;
  error.message_ = std::move(message);
  return error;
}

TaskError TaskError::FromCurrentException(const graph::Key* key) {
  const std::string where = key ? " [in task " + key->ToString() + "]" : std::string();
  TaskError error;
  auto set = [&](Family family, const char* what) {
    error.family_ = family;
    error.message_ = std::string(what) + where;
  };
  try {
    throw;
  } catch (const Error& e) {
    set(Family::kTessera, e.what());
    error.kind_ = e.kind();
  } catch (const std::invalid_argument& e) {
    set(Family::kInvalidArgument, e.what());
  } catch (const std::out_of_range& e) {
    set(Family::kOutOfRange, e.what());
  } catch (const std::domain_error& e) {
    set(Family::kDomainError, e.what());
  } catch (const std::logic_error& e) {
    set(Family::kLogicError, e.what());
  } catch (const std::overflow_error& e) {
    set(Family::kOverflowError, e.what());
  } catch (const std::range_error& e) {
    set(Family::kRangeError, e.what());
  } catch (const std::runtime_error& e) {
    set(Family::kRuntimeError, e.what());
  } catch (const std::bad_alloc&) {
    set(Family::kTessera, "allocation failed");
    error.kind_ = ErrorKind::kOutOfMemory;
  } catch (const std::exception& e) {
    // Unknown types pass through unchanged: re-typing them would lose what the caller catches.
    set(Family::kForeign, e.what());
    error.foreign_ = std::current_exception();
  } catch (...) {
    set(Family::kForeign, "unknown exception");
    error.foreign_ = std::current_exception();
  }
  return error;
}

void TaskError::Throw() const {
  switch (family_) {
    case Family::kTessera:
      switch (kind_) {
        case ErrorKind::kInvalidArgument: throw InvalidArgument(message_);
        case ErrorKind::kType: throw TypeError(message_);
        case ErrorKind::kKey: throw KeyError(message_);
        case ErrorKind::kIndex: throw IndexError(message_);
        case ErrorKind::kParse: throw ParseError(message_);
        case ErrorKind::kIO: throw IOError(message_);
        case ErrorKind::kOutOfMemory: throw OutOfMemory(message_);
        case ErrorKind::kCancelled: throw Cancelled(message_);
        case ErrorKind::kNotImplemented: throw NotImplemented(message_);
        case ErrorKind::kInternal: throw Internal(message_);
      }
      throw Internal(message_);
    case Family::kInvalidArgument: throw std::invalid_argument(message_);
    case Family::kOutOfRange: throw std::out_of_range(message_);
    case Family::kDomainError: throw std::domain_error(message_);
    case Family::kLogicError: throw std::logic_error(message_);
    case Family::kOverflowError: throw std::overflow_error(message_);
    case Family::kRangeError: throw std::range_error(message_);
    case Family::kRuntimeError: throw std::runtime_error(message_);
    case Family::kForeign: std::rethrow_exception(foreign_);
  }
  throw Internal(message_);
}

std::exception_ptr TaskError::ToExceptionPtr() const {
  try {
    Throw();
  } catch (...) {
    return std::current_exception();
  }
}

}  // namespace tessera::sched
