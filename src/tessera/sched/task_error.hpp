// Errors as values. A failing task's exception is captured once, on the worker, as its type
// family, kind and message (plus the task's key); every caller that waits gets a fresh exception
// of the original type. No exception object is shared between threads, and the same value can
// later cross process boundaries.
#pragma once

#include <exception>
#include <string>

#include "tessera/base/error.hpp"
#include "tessera/graph/key.hpp"

namespace tessera::sched {

class TaskError {
 public:
  /// The C++ type of the original exception.
  enum class Family : uint8_t {
    kTessera,  // tessera::Error subclasses, told apart by kind()
    kInvalidArgument,
    kOutOfRange,
    kDomainError,
    kLogicError,
    kOverflowError,
    kRangeError,
    kRuntimeError,
    kForeign,  // any other type: kept as the original exception object and rethrown as is
  };

  /// Captures the exception being handled (call inside a catch block). When `key` is given,
  /// the message says which task failed: "... [in task ('part', 3)]".
  static TaskError FromCurrentException(const graph::Key* key);
  /// A tessera error of `kind` (Cancelled, OutOfMemory, ...) raised by the scheduler itself.
  static TaskError Make(ErrorKind kind, std::string message);

  /// Throws a new exception of the original type with the message. Any thread.
  [[noreturn]] void Throw() const;
  /// The same as a std::exception_ptr holding a new exception object.
  std::exception_ptr ToExceptionPtr() const;

  Family family() const { return family_; }
  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }

 private:
  Family family_ = Family::kTessera;
  ErrorKind kind_ = ErrorKind::kInternal;
  std::string message_;
  std::exception_ptr foreign_;
};

}  // namespace tessera::sched
