// Bindings of the live dashboard and performance reports (tessera.distributed.Client starts a
// dashboard; tessera.diagnostics.performance_report writes a report).
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <memory>

#include "dataframe_bindings.hpp"
#include "python_value.hpp"
#include "tessera/dashboard/dashboard.hpp"

namespace tessera::python {

namespace {

// Keeps the scheduler alive as long as its dashboard or report.
struct DashboardHandle {
  SchedulerHandle scheduler;
  std::unique_ptr<dashboard::Dashboard> dashboard;
};

struct ReportHandle {
  SchedulerHandle scheduler;
  std::unique_ptr<dashboard::PerformanceReport> report;
};

SchedulerHandle Resolve(const SchedulerHandle* h) { return h ? *h : SchedulerHandle{nullptr, &SchedulerOf(nullptr)}; }

}  // namespace

void BindDashboard(nb::module_& m) {
  m.def("profiling_active", [] { return diagnostics::SamplingProfiler::Active() != nullptr; });
  m.def("profile_sample", [](const std::string& prefix, const std::vector<std::string>& frames) {
    if (auto profiler = diagnostics::SamplingProfiler::Active()) profiler->AddSample(sched::NowNs(), prefix, frames);
  }, "Adds one stack of Python frames (outermost first) of a task with `prefix` to the running profiler.");
  nb::class_<DashboardHandle>(m, "Dashboard")
      .def("__init__", [](DashboardHandle* self, const SchedulerHandle* h, std::string host, int port) {
        new (self) DashboardHandle{Resolve(h), nullptr};
        self->dashboard = std::make_unique<dashboard::Dashboard>(
            *self->scheduler.scheduler, dashboard::DashboardOptions{.host = std::move(host), .port = port});
      }, nb::arg("scheduler").none(), nb::arg("host") = "127.0.0.1", nb::arg("port") = 8787)
      .def_prop_ro("link", [](const DashboardHandle& d) { return d.dashboard ? d.dashboard->link() : std::string(); })
      .def_prop_ro("port", [](const DashboardHandle& d) { return d.dashboard ? d.dashboard->port() : 0; })
      .def("close", [](DashboardHandle& d) {
        nb::gil_scoped_release release;  // joins the server's threads
        d.dashboard.reset();
      });
  nb::class_<ReportHandle>(m, "PerformanceReport")
      .def("__init__", [](ReportHandle* self, const SchedulerHandle* h, std::string filename) {
        new (self) ReportHandle{Resolve(h), nullptr};
        self->report = std::make_unique<dashboard::PerformanceReport>(*self->scheduler.scheduler, std::move(filename));
      }, nb::arg("scheduler").none(), nb::arg("filename"))
      .def("write", [](ReportHandle& r) {
        nb::gil_scoped_release release;
        r.report->Write();
        r.report.reset();
      });
}

}  // namespace tessera::python
