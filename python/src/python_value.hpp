// Python objects inside the engine: as scheduler values (results of Python tasks), as owners of
// borrowed buffers (NumPy arrays a column reads without a copy), and the blocking calls that
// must release the GIL yet still let Ctrl-C interrupt them.
#pragma once

#include <nanobind/nanobind.h>

#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "tessera/graph/value.hpp"
#include "tessera/sched/scheduler.hpp"

namespace tessera::python {

namespace nb = nanobind;

/// True while the interpreter can run code (false during and after finalization, when worker
/// threads dropping Python references must leave them alone).
bool InterpreterAlive();

/// A strong reference that can be dropped on any thread: the destructor takes the GIL.
std::shared_ptr<const void> HoldObject(nb::handle object);

/// The result of a Python task: any Python object, counted by sys.getsizeof of its shallow
/// size (pandas objects by their memory_usage), never spilled.
class PythonValue final : public graph::Value {
 public:
  explicit PythonValue(nb::object object);
  ~PythonValue() override;
  PythonValue(const PythonValue&) = delete;
  PythonValue& operator=(const PythonValue&) = delete;

  /// A new reference; the caller holds the GIL.
  nb::object object() const { return nb::borrow(object_); }
  int64_t nbytes() const override { return nbytes_; }
  std::string ToString() const override;

 private:
  PyObject* object_;
  int64_t nbytes_ = 0;
};

/// A Python exception raised inside a task, carried to whoever waits for the result and raised
/// there as the same exception object (any number of times, from any waiter). Deliberately not a
/// std::runtime_error, so the scheduler keeps it as is instead of re-creating it by kind.
class PythonTaskError : public std::exception {
 public:
  explicit PythonTaskError(nb::handle exception) : exception_(HoldObject(exception)) {}
  PyObject* exception() const { return static_cast<PyObject*>(const_cast<void*>(exception_.get())); }
  const char* what() const noexcept override { return "Python exception in a task"; }

 private:
  std::shared_ptr<const void> exception_;
};

/// Calls `function` holding the GIL; a Python exception leaves as PythonTaskError, with a note
/// naming `task` (Python 3.11+).
nb::object CallPython(nb::handle function, const nb::tuple& args, const std::string& task);

/// Any value as a Python object (tables as tessera._core.Table, scalars as Python numbers).
nb::object ValueToPython(const graph::ValuePtr& value);

/// Runs `work` on a helper thread with the GIL released while this thread waits, checking for
/// signals every 50 ms; on KeyboardInterrupt, `cancel` runs, the helper is joined and the Python
/// error re-raised. Exceptions of `work` are rethrown here.
void RunReleased(const std::function<void()>& work, const std::function<void()>& cancel);

/// Waits for `handles` (GIL released; Ctrl-C raises KeyboardInterrupt and, when
/// `cancel_on_interrupt`, cancels their computations) and returns their values.
std::vector<graph::ValuePtr> WaitAll(const std::vector<sched::ResultHandle>& handles, bool cancel_on_interrupt = true);

}  // namespace tessera::python
