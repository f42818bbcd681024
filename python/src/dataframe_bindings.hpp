// Bindings of the lazy DataFrame, Series, Scalar, group-by, resample and rolling objects, the
// sources (read_csv, tables, timeseries) and the schedulers they run on. The Python package
// (tessera/dataframe) wraps these in the pandas/Dask spelling.
#pragma once

#include <nanobind/nanobind.h>

#include <functional>
#include <memory>

#include "tessera/expr/node.hpp"
#include "tessera/sched/scheduler.hpp"

namespace tessera::python {

namespace nb = nanobind;

/// A scheduler as Python holds it: the process default, or one a Client made.
struct SchedulerHandle {
  std::shared_ptr<sched::Scheduler> owned;  // null for the default scheduler
  sched::Scheduler* scheduler = nullptr;
};

/// The scheduler a call runs on: `handle`'s, or the default one when null.
sched::Scheduler& SchedulerOf(const SchedulerHandle* handle);

void BindDataFrame(nb::module_& m);

/// A Python function over one partition as the engine calls it: takes and returns
/// tessera._core.Table objects (the package converts to and from pandas around the user's
/// function). Called on worker threads; takes the GIL.
std::function<TablePtr(const TablePtr&)> PartitionFunction(nb::object function);
/// How that function leaves the process: cloudpickle's bytes, read back by the "python"
/// partition function reader (registered by BindCluster).
expr::PortableFunction PortablePython(nb::handle function);

}  // namespace tessera::python
