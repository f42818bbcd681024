// The dashboard over real sockets: pages, assets and JSON documents while a scheduler runs, the
// next free port when the first is taken, server-sent events, and performance reports on disk.
#include <gtest/gtest.h>

#include <utility>  // before Boost.Asio 1.74, whose awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tessera/dashboard/dashboard.hpp"
#include "tessera/graph/tests/graph_shapes.hpp"
#include "tessera/sched/local_scheduler.hpp"

namespace tessera::dashboard {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using nlohmann::json;
using tcp = asio::ip::tcp;

struct Reply {
  int status = 0;
  std::string type;
  std::string body;
};

Reply Get(int port, const std::string& target) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1");
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  return {int(response.result_int()), std::string(response[http::field::content_type]), response.body()};
}

TEST(DashboardTest, ServesPagesAssetsAndLiveDocuments) {
  sched::LocalScheduler scheduler({2, {}});
  Dashboard dashboard(scheduler, {.host = "127.0.0.1", .port = 0, .profile = false});
  ASSERT_GT(dashboard.port(), 0);
  EXPECT_EQ(dashboard.link(), "http://127.0.0.1:" + std::to_string(dashboard.port()) + "/status");
  graph::Key root;
  graph::Graph tree = graph::testing::TreeReduction(32, &root);
  scheduler.Compute(std::move(tree), {root});
  dashboard.recording().Flush();

  for (const char* page : {"/status", "/workers", "/profile", "/graph"}) {
    const Reply reply = Get(dashboard.port(), page);
    EXPECT_EQ(reply.status, 200) << page;
    EXPECT_NE(reply.type.find("text/html"), std::string::npos);
    EXPECT_NE(reply.body.find("/static/dashboard.js"), std::string::npos);
  }
  const Reply script = Get(dashboard.port(), "/static/dashboard.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.body, std::string(DashboardJs()));
  EXPECT_GT(script.body.size(), 1000u);
  EXPECT_EQ(Get(dashboard.port(), "/static/style.css").body, std::string(StyleCss()));
  EXPECT_EQ(Get(dashboard.port(), "/").status, 302);
  const Reply missing = Get(dashboard.port(), "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("/status"), std::string::npos);

  const json stream = json::parse(Get(dashboard.port(), "/api/task-stream?since=0").body);
  EXPECT_EQ(stream["tasks"].size(), 63u);
  const json progress = json::parse(Get(dashboard.port(), "/api/progress").body);
  int64_t total = 0;
  for (const auto& p : progress["prefixes"]) total += p["total"].get<int64_t>();
  EXPECT_EQ(total, 63);
  EXPECT_EQ(json::parse(Get(dashboard.port(), "/api/summary").body)["tasks_done"], 63);
  EXPECT_EQ(json::parse(Get(dashboard.port(), "/api/workers").body)["workers"].size(), 2u);
  EXPECT_EQ(json::parse(Get(dashboard.port(), "/api/graph").body)["nodes"].size(), 63u);
  EXPECT_TRUE(json::parse(Get(dashboard.port(), "/api/memory").body).contains("limit"));
  EXPECT_EQ(json::parse(Get(dashboard.port(), "/api/profile?prefix=tree").body)["samples"], 0);
}

TEST(DashboardTest, TakesTheNextFreePortAndStreamsEvents) {
  sched::LocalScheduler scheduler({1, {}});
  asio::io_context io;
  tcp::acceptor taken(io, {asio::ip::make_address("127.0.0.1"), 0});
  const int busy_port = taken.local_endpoint().port();
  Dashboard dashboard(scheduler, {.host = "127.0.0.1", .port = busy_port, .profile = false});
  EXPECT_GT(dashboard.port(), busy_port);

  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(dashboard.port())});
  const std::string request = "GET /api/events HTTP/1.1\r\nHost: localhost:" + std::to_string(dashboard.port()) + "\r\n\r\n";
  asio::write(socket, asio::buffer(request));
  std::string received;
  char chunk[512];
  while (received.find("\n\n", received.find("event: tick")) == std::string::npos) {
    const size_t n = socket.read_some(asio::buffer(chunk));
    received.append(chunk, n);
  }
  EXPECT_NE(received.find("text/event-stream"), std::string::npos);
  const size_t data = received.find("data: ");
  ASSERT_NE(data, std::string::npos);
  const json tick = json::parse(received.substr(data + 6, received.find('\n', data) - data - 6));
  EXPECT_EQ(tick["threads"], 1);
  EXPECT_THROW(Dashboard(scheduler, {.host = "not-an-address", .port = 0, .profile = false}), InvalidArgument);
}

TEST(DashboardTest, ReportsAndDashboardsShareTheProfilersSamples) {
  sched::LocalScheduler scheduler({2, {}});
  Dashboard dashboard(scheduler, {.host = "127.0.0.1", .port = 0, .profile = true});
  Recording report(scheduler, true);
  struct Busy final : graph::Closure {
    graph::ValuePtr Call(const graph::TaskInputs&) const override {
      const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(120);
      double x = 1;
      while (std::chrono::steady_clock::now() < end) x = x * 1.0000001 + 1e-9;
      return graph::MakeDouble(x);
    }
    std::string_view name() const override { return "busy"; }
  };
  graph::Graph g;
  const uint32_t busy = g.AddClosure(std::make_shared<Busy>());
  g.AddTask(graph::Key::Make("busy-a"), busy, {});
  g.AddTask(graph::Key::Make("busy-b"), busy, {});
  g.Finalize();
  scheduler.Compute(std::move(g), {graph::Key::Make("busy-a"), graph::Key::Make("busy-b")});
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_GT(json::parse(dashboard.recording().ProfileJson())["samples"].get<int64_t>(), 5);
  EXPECT_GT(json::parse(report.ProfileJson())["samples"].get<int64_t>(), 5);
}

TEST(DashboardTest, PerformanceReportIsOneSelfContainedFile) {
  const auto path = std::filesystem::temp_directory_path() / "tessera-report-test.html";
  sched::LocalScheduler scheduler({2, {}});
  {
    PerformanceReport report(scheduler, path.string());
    graph::Key root;
    graph::Graph tree = graph::testing::TreeReduction(16, &root);
    scheduler.Compute(std::move(tree), {root});
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string html = text.str();
  EXPECT_NE(html.find("window.TESSERA_REPORT = "), std::string::npos);
  EXPECT_EQ(html.find("/static/"), std::string::npos);  // nothing to fetch
  EXPECT_NE(html.find("'tree'"), std::string::npos);     // the recorded tasks are in it
  EXPECT_EQ(html.find("</script>", html.find("window.TESSERA_REPORT")),
            html.find(";</script>", html.find("window.TESSERA_REPORT")) + 1);
  std::filesystem::remove(path);
  EXPECT_THROW(PerformanceReport(scheduler, "/no/such/dir/report.html").Write(), IOError);
}

}  // namespace
}  // namespace tessera::dashboard
