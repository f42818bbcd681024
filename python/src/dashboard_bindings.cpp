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

// Hands a recorder the task events only: a task stream needs no graph, and keeping the latest
// graph (as the dashboard does) would keep its literal arguments alive after their futures go.
class TaskEventsOnly final : public sched::EventObserver {
 public:
  explicit TaskEventsOnly(std::shared_ptr<diagnostics::TaskRecorder> recorder) : recorder_(std::move(recorder)) {}
  void OnEvents(std::span<const sched::Event> events) override { recorder_->OnEvents(events); }

 private:
  std::shared_ptr<diagnostics::TaskRecorder> recorder_;
};

// Records every task the scheduler runs while open (Client.get_task_stream).
struct TaskStreamHandle {
  SchedulerHandle scheduler;
  std::shared_ptr<diagnostics::TaskRecorder> recorder;
  std::shared_ptr<TaskEventsOnly> observer;
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
  m.def("steady_now_ns", [] { return sched::NowNs(); }, "The steady clock the task stream's times use.");
  nb::class_<TaskStreamHandle>(m, "TaskStream")
      .def("__init__", [](TaskStreamHandle* self, const SchedulerHandle* h, size_t max_tasks) {
        new (self) TaskStreamHandle{Resolve(h), nullptr, nullptr};
        sched::Scheduler& scheduler = *self->scheduler.scheduler;
        self->recorder = std::make_shared<diagnostics::TaskRecorder>(scheduler.num_threads(), scheduler.stats().memory_limit,
                                                                     max_tasks);
        self->observer = std::make_shared<TaskEventsOnly>(self->recorder);
        scheduler.events().Subscribe(self->observer);
      }, nb::arg("scheduler").none(), nb::arg("max_tasks") = 100'000, "Keeps the latest `max_tasks` tasks.")
      .def("tasks", [](TaskStreamHandle& t) {
        std::vector<diagnostics::TaskRecord> records;
        if (t.recorder) {
          nb::gil_scoped_release release;
          t.scheduler.scheduler->events().Flush();
          records = t.recorder->Tasks();
        }
        nb::list out;
        for (const diagnostics::TaskRecord& r : records) {
          if (r.kind != 0) continue;  // spill and read-back rectangles are not tasks
          nb::object key = r.key.index < 0 ? nb::object(nb::str(std::string(r.key.Name()).c_str()))
                                           : nb::object(nb::make_tuple(std::string(r.key.Name()), r.key.index));
          out.append(nb::make_tuple(key, r.worker, r.status, r.start_ns, r.stop_ns, r.bytes));
        }
        return out;
      }, "(key, thread, status 0 ok / 1 error / 2 cancelled, start_ns, stop_ns, nbytes) per finished task.")
      .def("close", [](TaskStreamHandle& t) {
        if (t.observer) t.scheduler.scheduler->events().Unsubscribe(t.observer.get());
        t.observer.reset();
        t.recorder.reset();
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
