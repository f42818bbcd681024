#include "python_value.hpp"

#include <chrono>
#include <exception>
#include <future>
#include <thread>

#include "table_convert.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::python {

bool InterpreterAlive() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsInitialized() && !Py_IsFinalizing();
#else
  return Py_IsInitialized() && !_Py_IsFinalizing();
#endif
}

namespace {

void DropReference(PyObject* object) {
  if (object == nullptr || !InterpreterAlive()) return;  // the interpreter frees everything itself
  PyGILState_STATE state = PyGILState_Ensure();
  Py_DECREF(object);
  PyGILState_Release(state);
}

// pandas objects report their memory_usage (shallow: object columns count their pointers);
// anything else sys.getsizeof. Holds the GIL.
int64_t ShallowBytes(PyObject* raw) {
  nb::handle object(raw);
  try {
    if (nb::hasattr(object, "memory_usage")) {
      nb::object usage = object.attr("memory_usage")();
      if (nb::hasattr(usage, "sum")) usage = usage.attr("sum")();
      return nb::cast<int64_t>(usage);
    }
    if (nb::hasattr(object, "nbytes") && nb::hasattr(object, "__array_interface__")) {
      return nb::cast<int64_t>(object.attr("nbytes"));  // NumPy arrays, views included
    }
    static nb::handle getsizeof = nb::object(nb::module_::import_("sys").attr("getsizeof")).release();
    return nb::cast<int64_t>(getsizeof(object));
  } catch (const std::exception&) {
    return 64;  // an object that cannot tell its size still counts
  }
}

}  // namespace

std::shared_ptr<const void> HoldObject(nb::handle object) {
  PyObject* raw = object.ptr();
  Py_INCREF(raw);
  return std::shared_ptr<const void>(raw, [](const void* p) { DropReference(static_cast<PyObject*>(const_cast<void*>(p))); });
}

PythonValue::PythonValue(nb::object object) : object_(object.release().ptr()) { nbytes_ = ShallowBytes(object_); }

PythonValue::~PythonValue() { DropReference(object_); }

std::string PythonValue::ToString() const {
  if (!InterpreterAlive()) return "<python object>";
  nb::gil_scoped_acquire gil;
  return nb::cast<std::string>(nb::repr(nb::handle(object_)));
}

nb::object ValueToPython(const graph::ValuePtr& value) {
  const graph::Value* raw = value.get();
  if (auto* python = dynamic_cast<const PythonValue*>(raw)) return python->object();
  if (auto* table = dynamic_cast<const TableValue*>(raw)) return WrapTable(table->table());
  if (auto* v = dynamic_cast<const graph::Int64Value*>(raw)) return nb::int_(v->value());
  if (auto* v = dynamic_cast<const graph::DoubleValue*>(raw)) return nb::float_(v->value());
  if (auto* v = dynamic_cast<const graph::BoolValue*>(raw)) return nb::bool_(v->value());
  if (auto* v = dynamic_cast<const graph::StringValue*>(raw)) return nb::str(v->value().c_str(), v->value().size());
  if (dynamic_cast<const graph::NoneValue*>(raw) != nullptr || raw == nullptr) return nb::none();
  throw TypeError("a task result of C++ type " + std::string(typeid(*raw).name()) + " has no Python form");
}

nb::object CallPython(nb::handle function, const nb::tuple& args, const std::string& task) {
  try {
    return function(*args);
  } catch (nb::python_error& error) {
    nb::object exception = nb::borrow(error.value());
    if (nb::hasattr(exception, "add_note")) exception.attr("add_note")(nb::str(("[in task " + task + "]").c_str()));
    throw PythonTaskError(exception);
  }
}

void RunReleased(const std::function<void()>& work, const std::function<void()>& cancel) {
  std::exception_ptr error;
  std::promise<void> finished;
  std::future<void> done = finished.get_future();
  std::thread helper([&] {
    try {
      work();
    } catch (...) {
      error = std::current_exception();
    }
    finished.set_value();
  });
  bool interrupted = false;
  for (;;) {
    bool ready;
    {
      nb::gil_scoped_release release;
      ready = done.wait_for(std::chrono::milliseconds(50)) == std::future_status::ready;
    }
    if (ready) break;
    if (!interrupted && PyErr_CheckSignals() != 0) {
      interrupted = true;  // keep the Python error set; cancel and wait for the helper
      nb::gil_scoped_release release;
      cancel();
    }
  }
  {
    nb::gil_scoped_release release;
    helper.join();
  }
  if (interrupted) throw nb::python_error();
  if (error) std::rethrow_exception(error);
}

std::vector<graph::ValuePtr> WaitAll(const std::vector<sched::ResultHandle>& handles, bool cancel_on_interrupt) {
  std::vector<graph::ValuePtr> values(handles.size());
  RunReleased(
      [&] {
        for (size_t i = 0; i < handles.size(); ++i) values[i] = handles[i]->Wait();
      },
      [&] {
        if (!cancel_on_interrupt) return;
        for (const auto& handle : handles) handle->Cancel();
      });
  return values;
}

}  // namespace tessera::python
