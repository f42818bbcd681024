// tessera._core: the engine as the Python package sees it. Engine errors become the Python
// exceptions of the same meaning (KeyError, TypeError, ValueError, OSError, MemoryError, ...).
#include <nanobind/nanobind.h>

#include "cluster_bindings.hpp"
#include "dataframe_bindings.hpp"
#include "delayed_bindings.hpp"
#include "python_value.hpp"
#include "table_convert.hpp"
#include "tessera/base/error.hpp"

namespace nb = nanobind;

namespace tessera::python {
void BindByteSize(nb::module_& m);
void BindDashboard(nb::module_& m);
void BindMl(nb::module_& m);
}

namespace {

PyObject* cancelled_error = nullptr;  // concurrent.futures.CancelledError, as Dask raises

PyObject* PythonExceptionOf(tessera::ErrorKind kind) {
  switch (kind) {
    case tessera::ErrorKind::kInvalidArgument: return PyExc_ValueError;
    case tessera::ErrorKind::kType: return PyExc_TypeError;
    case tessera::ErrorKind::kKey: return PyExc_KeyError;
    case tessera::ErrorKind::kIndex: return PyExc_IndexError;
    case tessera::ErrorKind::kParse: return PyExc_ValueError;
    case tessera::ErrorKind::kIO: return PyExc_OSError;
    case tessera::ErrorKind::kOutOfMemory: return PyExc_MemoryError;
    case tessera::ErrorKind::kCancelled: return cancelled_error;
    case tessera::ErrorKind::kNotImplemented: return PyExc_NotImplementedError;
    case tessera::ErrorKind::kInternal: return PyExc_RuntimeError;
  }
  return PyExc_RuntimeError;
}

}  // namespace

NB_MODULE(_core, m) {
  m.doc() = "tessera's C++ engine (use the tessera package, not this module)";
  // The default scheduler is a C++ static that may hold Python results past interpreter exit.
  nb::set_leak_warnings(false);
  cancelled_error = nb::object(nb::module_::import_("concurrent.futures").attr("CancelledError")).release().ptr();
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const tessera::Error& e) {
      PyErr_SetString(PythonExceptionOf(e.kind()), e.what());
    } catch (const tessera::python::PythonTaskError& e) {
      // the task's own exception object, raised again (it may reach several waiters)
      PyObject* exception = e.exception();
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exception)), exception);
    }
  });
  tessera::python::BindTables(m);
  tessera::python::BindDataFrame(m);
  tessera::python::BindDelayed(m);
  tessera::python::BindDashboard(m);
  tessera::python::BindByteSize(m);
  tessera::python::BindCluster(m);
  tessera::python::BindMl(m);
}
