// Bindings for custom task graphs from Python: lazy calls of Python functions (tessera.delayed),
// futures (tessera.distributed.Client) and as_completed. Python functions run on the
// scheduler's worker threads, holding the GIL only while Python code runs.
#pragma once

#include <nanobind/nanobind.h>

namespace tessera::python {

namespace nb = nanobind;

void BindDelayed(nb::module_& m);

}  // namespace tessera::python
