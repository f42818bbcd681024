#include "tessera/dashboard/dashboard.hpp"

#include <charconv>
#include <fstream>

#include "tessera/base/error.hpp"
#include "tessera/dashboard/http_server.hpp"
#include "tessera/sched/local_scheduler.hpp"

namespace tessera::dashboard {

// ---------------------------------------------------------------------------------------------
// Recording

Recording::Recording(sched::Scheduler& scheduler, bool profile) : scheduler_(scheduler) {
  const sched::SchedulerStats stats = scheduler.stats();
  recorder_ = std::make_shared<diagnostics::TaskRecorder>(scheduler.num_threads(), stats.memory_limit);
  scheduler_.events().Subscribe(recorder_);
  if (profile) profiler_ = diagnostics::SamplingProfiler::Shared();
}

Recording::~Recording() {
  profiler_.reset();
  scheduler_.events().Unsubscribe(recorder_.get());
}

void Recording::Flush() { scheduler_.events().Flush(); }

std::string Recording::ProfileJson(const std::string& prefix, double start, double stop) const {
  if (!profiler_) return R"({"samples": 0, "prefixes": [], "root": {"name": "all", "value": 0, "children": []}})";
  return profiler_->FlameJson(recorder_->origin_ns(), prefix, start, stop);
}

namespace {

// JSON inside a <script> element must not close it.
std::string ScriptSafe(std::string text) {
  for (size_t at = text.find("</"); at != std::string::npos; at = text.find("</", at + 3)) text.replace(at, 2, "<\\/");
  return text;
}

void ReplaceOnce(std::string* text, std::string_view what, const std::string& with) {
  const size_t at = text->find(what);
  if (at == std::string::npos) throw Internal("dashboard page lacks " + std::string(what));
  text->replace(at, what.size(), with);
}

}  // namespace

std::string Recording::ReportHtml() const {
  const auto& r = *recorder_;
  std::string summary = r.SummaryJson();
  ReplaceOnce(&summary, "\"report\":false", "\"report\":true");
  const std::string data = "{\"summary\":" + summary + ",\"taskStream\":" + r.TaskStreamJson(-1) +
                           ",\"progress\":" + r.ProgressJson() + ",\"memory\":" + r.MemoryJson() +
                           ",\"workers\":" + r.WorkersJson() + ",\"profile\":" + ProfileJson() +
                           ",\"graph\":" + r.GraphJson() + "}";
  std::string html(IndexHtml());
  ReplaceOnce(&html, "<link rel=\"stylesheet\" href=\"/static/style.css\">", "<style>" + std::string(StyleCss()) + "</style>");
  ReplaceOnce(&html, "<script src=\"/static/dashboard.js\"></script>",
              "<script>window.TESSERA_REPORT = " + ScriptSafe(data) + ";</script><script>" +
                  ScriptSafe(std::string(DashboardJs())) + "</script>");
  return html;
}

// ---------------------------------------------------------------------------------------------
// Dashboard: the pages and documents the HTTP server answers

namespace {

double NumberParam(const QueryParams& query, std::string_view name, double fallback) {
  const auto found = query.find(name);
  if (found == query.end()) return fallback;
  const std::string& text = found->second;
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw InvalidArgument("query parameter '" + std::string(name) + "' must be a number of seconds, got '" + text +
                          "'");
  }
  return value;
}

std::string TextParam(const QueryParams& query, std::string_view name) {
  const auto found = query.find(name);
  return found == query.end() ? std::string() : found->second;
}

HttpReply Answer(const Recording& recording, const std::string& path, const QueryParams& query) {
  const diagnostics::TaskRecorder& r = recording.recorder();
  if (path == "/") return {302, "text/plain; charset=utf-8", "", "/status"};
  if (path == "/status" || path == "/workers" || path == "/profile" || path == "/graph") {
    return {200, "text/html; charset=utf-8", std::string(IndexHtml()), ""};
  }
  if (path == "/static/dashboard.js") return {200, "text/javascript", std::string(DashboardJs()), ""};
  if (path == "/static/style.css") return {200, "text/css", std::string(StyleCss()), ""};
  HttpReply json;
  if (path == "/api/summary") {
    json.body = r.SummaryJson();
  } else if (path == "/api/task-stream") {
    json.body = r.TaskStreamJson(NumberParam(query, "since", -1));
  } else if (path == "/api/progress") {
    json.body = r.ProgressJson();
  } else if (path == "/api/memory") {
    json.body = r.MemoryJson();
  } else if (path == "/api/workers") {
    json.body = r.WorkersJson();
  } else if (path == "/api/graph") {
    json.body = r.GraphJson();
  } else if (path == "/api/profile") {
    json.body = recording.ProfileJson(TextParam(query, "prefix"), NumberParam(query, "start", 0),
                                      NumberParam(query, "stop", -1));
  } else {
    return {404, "text/plain; charset=utf-8",
            "no such page: " + path + " (try /status, /workers, /profile, /graph or /api/...)\n", ""};
  }
  return json;
}

}  // namespace

Dashboard::Dashboard(sched::Scheduler& scheduler, DashboardOptions options)
    : recording_(scheduler, options.profile), options_(std::move(options)) {
  HttpSite site;
  site.get = [this](const std::string& path, const QueryParams& query) { return Answer(recording_, path, query); };
  site.events_path = "/api/events";
  site.next_event = [this] { return "event: tick\ndata: " + recording_.recorder().SummaryJson() + "\n\n"; };
  server_ = std::make_unique<HttpServer>(std::move(site), options_);
}

Dashboard::~Dashboard() = default;

int Dashboard::port() const { return server_->port(); }
int Dashboard::open_connections() const { return server_->open_connections(); }
int Dashboard::open_event_streams() const { return server_->open_event_streams(); }

std::string Dashboard::link() const {
  return "http://" + options_.host + ":" + std::to_string(port()) + "/status";
}

// ---------------------------------------------------------------------------------------------
// Performance reports

PerformanceReport::PerformanceReport(sched::Scheduler& scheduler, std::string filename)
    : recording_(scheduler, true), filename_(std::move(filename)) {}

PerformanceReport::~PerformanceReport() {
  if (written_) return;
  try {
    Write();
  } catch (const std::exception&) {
    // a destructor cannot report; Write() called explicitly does
  }
}

void PerformanceReport::Write() {
  recording_.Flush();
  std::ofstream out(filename_, std::ios::binary | std::ios::trunc);
  if (!out) throw IOError("performance report: cannot write '" + filename_ + "'; check that its directory exists");
  out << recording_.ReportHtml();
  if (!out) throw IOError("performance report: writing '" + filename_ + "' failed (disk full?)");
  written_ = true;
}

}  // namespace tessera::dashboard
