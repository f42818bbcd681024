// Bindings that let the Python package run lowered DataFrame graphs on Dask's distributed:
// lower_tasks, run_operation, Partition (header + zero-copy frames) and from_persisted.
#pragma once

#include <nanobind/nanobind.h>

namespace tessera::python {

namespace nb = nanobind;

void BindCluster(nb::module_& m);

}  // namespace tessera::python
