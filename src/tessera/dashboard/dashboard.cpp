#include "tessera/dashboard/dashboard.hpp"

#include <utility>  // before Boost.Asio 1.74, whose awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>

#include "tessera/base/error.hpp"
#include "tessera/sched/local_scheduler.hpp"

namespace tessera::dashboard {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

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
// HTTP server: one thread accepts; each connection is served by its own short-lived thread
// (one request per connection; server-sent events keep theirs until the page goes away).

struct Dashboard::Server {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable idle;
  int connections = 0;
  Recording* recording = nullptr;

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec || stopping) return;
      {
        std::lock_guard lock(mutex);
        ++connections;
      }
      std::thread([this, s = std::move(socket)]() mutable {
        Serve(std::move(s));
        std::lock_guard lock(mutex);
        if (--connections == 0) idle.notify_all();
      }).detach();
      Accept();
    });
  }

  void Serve(tcp::socket socket);
  void ServeEvents(tcp::socket& socket);
};

namespace {

double QueryNumber(std::string_view target, std::string_view name, double fallback) {
  const std::string needle = std::string(name) + "=";
  size_t at = target.find('?');
  while (at != std::string_view::npos) {
    ++at;
    if (target.substr(at, needle.size()) == needle) {
      try {
        return std::stod(std::string(target.substr(at + needle.size())));
      } catch (const std::exception&) {
        return fallback;
      }
    }
    at = target.find('&', at);
  }
  return fallback;
}

std::string QueryText(std::string_view target, std::string_view name) {
  const std::string needle = std::string(name) + "=";
  size_t at = target.find('?');
  while (at != std::string_view::npos) {
    ++at;
    if (target.substr(at, needle.size()) == needle) {
      const size_t end = target.find('&', at);
      std::string value(target.substr(at + needle.size(), end == std::string_view::npos ? end : end - at - needle.size()));
      std::string decoded;
      for (size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '%' && i + 2 < value.size()) {
          decoded += char(std::stoi(value.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          decoded += value[i] == '+' ? ' ' : value[i];
        }
      }
      return decoded;
    }
    at = target.find('&', at);
  }
  return "";
}

}  // namespace

void Dashboard::Server::Serve(tcp::socket socket) {
  beast::error_code ec;
  timeval timeout{5, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::read(socket, buffer, request, ec);
  if (ec) return;
  const std::string target(request.target());
  const std::string path = target.substr(0, target.find('?'));
  if (path == "/api/events") {
    ServeEvents(socket);
    return;
  }
  http::response<http::string_body> response{http::status::ok, request.version()};
  response.set(http::field::server, "tessera");
  response.set(http::field::cache_control, "no-store");
  std::string type = "application/json";
  const diagnostics::TaskRecorder& r = recording->recorder();
  try {
    if (path == "/") {
      response.result(http::status::found);
      response.set(http::field::location, "/status");
    } else if (path == "/status" || path == "/workers" || path == "/profile" || path == "/graph") {
      type = "text/html; charset=utf-8";
      response.body() = std::string(IndexHtml());
    } else if (path == "/static/dashboard.js") {
      type = "text/javascript";
      response.body() = std::string(DashboardJs());
    } else if (path == "/static/style.css") {
      type = "text/css";
      response.body() = std::string(StyleCss());
    } else if (path == "/api/summary") {
      response.body() = r.SummaryJson();
    } else if (path == "/api/task-stream") {
      response.body() = r.TaskStreamJson(QueryNumber(target, "since", -1));
    } else if (path == "/api/progress") {
      response.body() = r.ProgressJson();
    } else if (path == "/api/memory") {
      response.body() = r.MemoryJson();
    } else if (path == "/api/workers") {
      response.body() = r.WorkersJson();
    } else if (path == "/api/graph") {
      response.body() = r.GraphJson();
    } else if (path == "/api/profile") {
      response.body() = recording->ProfileJson(QueryText(target, "prefix"), QueryNumber(target, "start", 0),
                                               QueryNumber(target, "stop", -1));
    } else {
      response.result(http::status::not_found);
      type = "text/plain";
      response.body() = "no such page: " + path + " (try /status, /workers, /profile, /graph or /api/...)\n";
    }
  } catch (const std::exception& error) {
    response.result(http::status::internal_server_error);
    type = "text/plain";
    response.body() = error.what();
  }
  response.set(http::field::content_type, type);
  response.keep_alive(false);
  response.prepare_payload();
  http::write(socket, response, ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
}

void Dashboard::Server::ServeEvents(tcp::socket& socket) {
  beast::error_code ec;
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
  asio::write(socket, asio::buffer(head), ec);
  while (!ec && !stopping) {
    const std::string tick = "event: tick\ndata: " + recording->recorder().SummaryJson() + "\n\n";
    asio::write(socket, asio::buffer(tick), ec);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  socket.shutdown(tcp::socket::shutdown_both, ec);
}

Dashboard::Dashboard(sched::Scheduler& scheduler, DashboardOptions options)
    : recording_(scheduler, options.profile), options_(std::move(options)), server_(std::make_unique<Server>()) {
  server_->recording = &recording_;
  beast::error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (ec) throw InvalidArgument("dashboard host '" + options_.host + "' is not an IP address (try 127.0.0.1)");
  const int first = options_.port, last = options_.port == 0 ? 0 : options_.port + 100;
  for (int port = first; port <= last; ++port) {
    beast::error_code bind_error;
    tcp::acceptor acceptor(server_->io);
    acceptor.open(address.is_v4() ? tcp::v4() : tcp::v6(), bind_error);
    if (!bind_error) acceptor.bind({address, static_cast<unsigned short>(port)}, bind_error);
    if (!bind_error) acceptor.listen(asio::socket_base::max_listen_connections, bind_error);
    if (!bind_error) {
      port_ = acceptor.local_endpoint().port();
      server_->acceptor = std::move(acceptor);
      break;
    }
  }
  if (port_ == 0) {
    throw IOError("dashboard: no free port on " + options_.host + " from " + std::to_string(first) + " to " +
                  std::to_string(last) + "; pass another port");
  }
  server_->Accept();
  server_->thread = std::thread([server = server_.get()] { server->io.run(); });
}

Dashboard::~Dashboard() {
  server_->stopping = true;
  asio::post(server_->io, [server = server_.get()] {
    beast::error_code ec;
    server->acceptor.close(ec);
  });
  server_->io.stop();
  server_->thread.join();
  std::unique_lock lock(server_->mutex);
  server_->idle.wait_for(lock, std::chrono::seconds(10), [&] { return server_->connections == 0; });
}

std::string Dashboard::link() const {
  return "http://" + options_.host + ":" + std::to_string(port_) + "/status";
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
