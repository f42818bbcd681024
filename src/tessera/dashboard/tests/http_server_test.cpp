// The dashboard's HTTP server from a client's side, over loopback sockets: the Host check against
// DNS rebinding, bad queries, methods and HEAD, keep-alive, idle and request deadlines, the
// connection and event-stream caps, and a load test with 1,000 slow clients while a computation
// runs (threads stay few, other clients are served, the computation keeps its speed).
#include <gtest/gtest.h>

#include <utility>  // before Boost.Asio 1.74, whose awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "tessera/dashboard/dashboard.hpp"
#include "tessera/graph/tests/graph_shapes.hpp"
#include "tessera/sched/local_scheduler.hpp"

namespace tessera::dashboard {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using nlohmann::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

tcp::socket Connect(asio::io_context& io, int port) {
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  return socket;
}

std::string HostOf(int port) { return "127.0.0.1:" + std::to_string(port); }

// Sends `request` as is and reads one response (no body for HEAD).
http::response<http::string_body> Exchange(tcp::socket& socket, const std::string& request, bool head = false) {
  asio::write(socket, asio::buffer(request));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(head);
  http::read(socket, buffer, parser);
  return parser.release();
}

http::response<http::string_body> Request(int port, const std::string& method, const std::string& target,
                                          const std::string& host) {
  asio::io_context io;
  tcp::socket socket = Connect(io, port);
  return Exchange(socket, method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n",
                  method == "HEAD");
}

http::response<http::string_body> Get(int port, const std::string& target) {
  return Request(port, "GET", target, HostOf(port));
}

// True when the server closes `socket` within `limit` (reads see end of file or a reset).
bool ClosedWithin(tcp::socket& socket, std::chrono::milliseconds limit) {
  timeval timeout{static_cast<time_t>(limit.count() / 1000), static_cast<suseconds_t>(limit.count() % 1000 * 1000)};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  char byte;
  beast::error_code ec;
  while (!ec) socket.read_some(asio::buffer(&byte, 1), ec);
  return ec == asio::error::eof || ec == asio::error::connection_reset;
}

int ThreadsInProcess() {
  int count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) ++count;
  return count;
}

TEST(HttpServerTest, AnswersOnlyRequestsForItsOwnAddress) {
  sched::LocalScheduler scheduler({1, {}});
  Dashboard dashboard(scheduler, {.host = "127.0.0.1", .port = 0, .profile = false});
  const int port = dashboard.port();
  const std::string p = std::to_string(port);
  for (const std::string& host :
       std::vector<std::string>{"127.0.0.1:" + p, "localhost:" + p, "LocalHost:" + p, "[::1]:" + p, "127.0.0.1"}) {
    EXPECT_EQ(Request(port, "GET", "/api/summary", host).result_int(), 200) << host;
  }
  // A page of another site that resolves its own name to 127.0.0.1 (DNS rebinding) sends its name.
  for (const std::string& host : std::vector<std::string>{"attacker.example:" + p, "attacker.example",
                                                          "localhost.attacker.example:" + p, "127.0.0.1:1",
                                                          "127.0.0.1:" + p + "0", "[::1", "127.0.0.1:x"}) {
    const auto reply = Request(port, "GET", "/api/summary", host);
    EXPECT_EQ(reply.result_int(), 403) << host;
    EXPECT_NE(reply.body().find("is not this dashboard's address"), std::string::npos) << reply.body();
    EXPECT_EQ(reply.body().find("\"threads\""), std::string::npos);  // nothing of the documents leaks
  }
  asio::io_context io;
  tcp::socket socket = Connect(io, port);
  const auto no_host = Exchange(socket, "GET /api/summary HTTP/1.1\r\n\r\n");
  EXPECT_EQ(no_host.result_int(), 400);
  EXPECT_NE(no_host.body().find("Host"), std::string::npos);
}

TEST(HttpServerTest, BadQueriesAre400WithAMessage) {
  sched::LocalScheduler scheduler({1, {}});
  Dashboard dashboard(scheduler, {.host = "127.0.0.1", .port = 0, .profile = false});
  const int port = dashboard.port();
  for (const char* target : {"/api/profile?prefix=%zz", "/api/profile?prefix=%2", "/api/profile?prefix=abc%",
                             "/api/profile?pre%g1=x"}) {
    const auto reply = Get(port, target);
    EXPECT_EQ(reply.result_int(), 400) << target;
    EXPECT_NE(reply.body().find("bad percent-encoding"), std::string::npos) << reply.body();
    EXPECT_NE(reply.body().find("%25"), std::string::npos) << reply.body();
  }
  const auto since = Get(port, "/api/task-stream?since=soon");
  EXPECT_EQ(since.result_int(), 400);
  EXPECT_NE(since.body().find("'since'"), std::string::npos) << since.body();
  EXPECT_NE(since.body().find("'soon'"), std::string::npos) << since.body();
  EXPECT_EQ(Get(port, "/api/profile?start=1x").result_int(), 400);
  EXPECT_EQ(Get(port, "/api/profile?stop=").result_int(), 400);
  // Requests that are not HTTP, or whose headers are too large, are answered and closed.
  asio::io_context io;
  tcp::socket garbage = Connect(io, port);
  EXPECT_EQ(Exchange(garbage, "HELLO THERE\r\n\r\n").result_int(), 400);
  tcp::socket huge = Connect(io, port);
  const auto too_large = Exchange(huge, "GET /status HTTP/1.1\r\nHost: " + HostOf(port) + "\r\nX-Big: " +
                                            std::string(20'000, 'x') + "\r\n\r\n");
  EXPECT_EQ(too_large.result_int(), 431);
  // Well-formed escapes and numbers are answered.
  EXPECT_EQ(Get(port, "/api/profile?prefix=read%2Dcsv+x&start=0.5&stop=-1").result_int(), 200);
  const auto stream = Get(port, "/api/task-stream?since=1e-3&");
  EXPECT_EQ(stream.result_int(), 200);
  EXPECT_TRUE(json::parse(stream.body()).contains("tasks"));
}

TEST(HttpServerTest, UnknownMethodsAre405AndHeadWorksWhereGetDoes) {
  sched::LocalScheduler scheduler({1, {}});
  Dashboard dashboard(scheduler, {.host = "127.0.0.1", .port = 0, .profile = false});
  const int port = dashboard.port();
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW"}) {
    const auto reply = Request(port, method, "/api/summary", HostOf(port));
    EXPECT_EQ(reply.result_int(), 405) << method;
    EXPECT_EQ(reply["X-Content-Type-Options"], "nosniff");
    EXPECT_EQ(reply[http::field::allow], "GET, HEAD") << method;
    EXPECT_NE(reply.body().find(method), std::string::npos) << reply.body();
  }
  // HEAD has GET's status and headers without the body; the next request on the same connection
  // proves no body bytes followed.
  asio::io_context io;
  tcp::socket socket = Connect(io, port);
  for (const char* target : {"/status", "/static/dashboard.js", "/nope"}) {
    const auto get = Get(port, target);
    const auto head =
        Exchange(socket, std::string("HEAD ") + target + " HTTP/1.1\r\nHost: " + HostOf(port) + "\r\n\r\n", true);
    EXPECT_EQ(head.result_int(), get.result_int()) << target;
    EXPECT_EQ(head[http::field::content_length], std::to_string(get.body().size())) << target;
    EXPECT_EQ(head[http::field::content_type], get[http::field::content_type]) << target;
    EXPECT_TRUE(head.body().empty());
  }
  const auto after = Exchange(socket, "GET /static/style.css HTTP/1.1\r\nHost: " + HostOf(port) + "\r\n\r\n");
  EXPECT_EQ(after.body(), std::string(StyleCss()));
  const auto events = Request(port, "HEAD", "/api/events", HostOf(port));
  EXPECT_EQ(events.result_int(), 200);
  EXPECT_EQ(events[http::field::content_type], "text/event-stream");
}

TEST(HttpServerTest, IdleAndSlowConnectionsAreClosed) {
  sched::LocalScheduler scheduler({1, {}});
  Dashboard dashboard(scheduler, {.host = "127.0.0.1", .port = 0, .profile = false,
                                  .request_timeout = 600ms, .idle_timeout = 300ms});
  const int port = dashboard.port();
  asio::io_context io;

  tcp::socket idle = Connect(io, port);
  auto start = Clock::now();
  EXPECT_TRUE(ClosedWithin(idle, 3000ms));
  EXPECT_GE(SecondsSince(start), 0.25);

  // Kept alive after a response, then closed when no next request comes.
  tcp::socket kept = Connect(io, port);
  const std::string request = "GET /api/summary HTTP/1.1\r\nHost: " + HostOf(port) + "\r\n\r\n";
  EXPECT_EQ(Exchange(kept, request).result_int(), 200);
  EXPECT_EQ(Exchange(kept, request).result_int(), 200);
  start = Clock::now();
  EXPECT_TRUE(ClosedWithin(kept, 3000ms));
  EXPECT_GE(SecondsSince(start), 0.25);

  // A request dribbled a byte every 100 ms (each byte well within the idle timeout) is cut off at
  // the request deadline, long before it would be complete.
  tcp::socket slow = Connect(io, port);
  start = Clock::now();
  beast::error_code ec;
  for (size_t i = 0; i < request.size() && !ec; ++i) {
    asio::write(slow, asio::buffer(&request[i], 1), ec);
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(ec || ClosedWithin(slow, 1000ms));
  EXPECT_LT(SecondsSince(start), 0.1 * double(request.size()));
  const auto deadline = Clock::now() + 2s;  // the server forgets a connection just after closing it
  while (dashboard.open_connections() > 0 && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(dashboard.open_connections(), 0);
}

TEST(HttpServerTest, TheConnectionCapMakesRoomForNewClients) {
  sched::LocalScheduler scheduler({1, {}});
  Dashboard dashboard(scheduler, {.host = "127.0.0.1", .port = 0, .profile = false, .max_connections = 4,
                                  .max_event_streams = 1});
  const int port = dashboard.port();
  asio::io_context io;
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(Connect(io, port));
    std::this_thread::sleep_for(20ms);  // a clear order of arrival
  }
  const auto deadline = Clock::now() + 5s;
  while (dashboard.open_connections() < 4 && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(dashboard.open_connections(), 4);
  // A fifth client is served; the connection idle longest made room for it.
  EXPECT_EQ(Get(port, "/api/summary").result_int(), 200);
  EXPECT_TRUE(ClosedWithin(idle[0], 2000ms));
  EXPECT_LE(dashboard.open_connections(), 4);

  // Event streams have their own cap and do not count as connections.
  tcp::socket stream = Connect(io, port);
  asio::write(stream, asio::buffer("GET /api/events HTTP/1.1\r\nHost: " + HostOf(port) + "\r\n\r\n"));
  std::string received;
  char chunk[512];
  while (received.find("event: tick") == std::string::npos) {
    received.append(chunk, stream.read_some(asio::buffer(chunk)));
  }
  EXPECT_EQ(dashboard.open_event_streams(), 1);
  const auto refused = Get(port, "/api/events");
  EXPECT_EQ(refused.result_int(), 503);
  EXPECT_NE(refused.body().find("too many event streams"), std::string::npos) << refused.body();
  EXPECT_EQ(Get(port, "/api/summary").result_int(), 200);

  for (const DashboardOptions& bad : {DashboardOptions{.port = 0, .threads = 0}, DashboardOptions{.port = 0, .max_connections = 0},
                                      DashboardOptions{.port = 0, .idle_timeout = 0ms}}) {
    EXPECT_THROW(Dashboard(scheduler, bad), InvalidArgument);
  }
}

// A computation of fixed work on the scheduler: `tasks` tasks of about 40 ms each.
double TimedComputation(sched::LocalScheduler& scheduler, int tasks) {
  struct Spin final : graph::Closure {
    graph::ValuePtr Call(const graph::TaskInputs&) const override {
      volatile double x = 1;
      for (int i = 0; i < 20'000'000; ++i) x = x * 1.0000001 + 1e-9;
      return graph::MakeDouble(x);
    }
    std::string_view name() const override { return "spin"; }
  };
  graph::Graph g;
  const uint32_t spin = g.AddClosure(std::make_shared<Spin>());
  std::vector<graph::Key> keys;
  for (int i = 0; i < tasks; ++i) {
    keys.push_back(graph::Key::Make("spin-" + std::to_string(i)));
    g.AddTask(keys.back(), spin, {});
  }
  g.Finalize();
  const auto start = Clock::now();
  const auto values = scheduler.Compute(std::move(g), keys);
  EXPECT_EQ(values.size(), keys.size());
  return SecondsSince(start);
}

// Clients that open a connection and send a request one byte a second, never finishing it in time.
class SlowClients {
 public:
  SlowClients(int port, int count) {
    const std::string request = "GET /api/summary HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(64, 'x');
    for (int i = 0; i < count; ++i) clients_.push_back(std::make_unique<Client>(io_, request));
    for (size_t i = 0; i < clients_.size(); ++i) {
      Client& c = *clients_[i];
      c.socket.async_connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)},
                             [this, &c, i](beast::error_code ec) {
                               if (!ec) Tick(c, std::chrono::milliseconds(i % 1000));
                             });
    }
    thread_ = std::thread([this] { io_.run(); });
  }
  ~SlowClients() {
    io_.stop();
    thread_.join();
  }

 private:
  struct Client {
    Client(asio::io_context& io, std::string r) : socket(io), timer(io), request(std::move(r)) {}
    tcp::socket socket;
    asio::steady_timer timer;
    std::string request;
    size_t sent = 0;
  };
  void Tick(Client& c, std::chrono::milliseconds delay) {
    c.timer.expires_after(delay);
    c.timer.async_wait([this, &c](beast::error_code ec) {
      if (ec || c.sent >= c.request.size()) return;
      asio::async_write(c.socket, asio::buffer(&c.request[c.sent++], 1),
                        [this, &c](beast::error_code write_error, size_t) {
                          if (!write_error) Tick(c, 1000ms);
                        });
    });
  }
  asio::io_context io_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::thread thread_;
};

bool RaiseDescriptorLimit(rlim_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  if (limit.rlim_cur >= wanted) return true;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted) return false;
  limit.rlim_cur = wanted;
  return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

TEST(HttpServerLoadTest, AThousandSlowClientsCostSocketsNotThreads) {
  constexpr int kClients = 1000;
  if (!RaiseDescriptorLimit(2 * kClients + 200)) {
    GTEST_SKIP() << "needs " << 2 * kClients + 200 << " open files (both ends of " << kClients
                 << " loopback connections); raise the hard limit (ulimit -Hn) to run it";
  }
  sched::LocalScheduler scheduler({2, {}});
  TimedComputation(scheduler, 4);  // warm up
  const double undisturbed = TimedComputation(scheduler, 24);

  Dashboard dashboard(scheduler, {.host = "127.0.0.1", .port = 0, .profile = false, .max_connections = kClients + 100,
                                  .request_timeout = 60s, .idle_timeout = 60s});
  const int threads_before = ThreadsInProcess();
  SlowClients clients(dashboard.port(), kClients);
  const auto deadline = Clock::now() + 15s;
  while (dashboard.open_connections() < kClients && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
  ASSERT_EQ(dashboard.open_connections(), kClients) << "the server did not hold every slow connection";

  auto loaded = std::async(std::launch::async, [&] { return TimedComputation(scheduler, 24); });
  std::this_thread::sleep_for(200ms);
  const auto start = Clock::now();
  const auto reply = Get(dashboard.port(), "/api/summary");
  const double answer_seconds = SecondsSince(start);
  EXPECT_EQ(reply.result_int(), 200);
  EXPECT_EQ(json::parse(reply.body())["threads"], 2);
  EXPECT_LT(answer_seconds, 2.0);
  // The load generator's thread and the computation's waiting thread are the only new ones.
  const int threads_during = ThreadsInProcess();
  EXPECT_LE(threads_during, threads_before + 2);
  EXPECT_LE(threads_during, 16);
  const double disturbed = loaded.get();
  EXPECT_LT(disturbed, 2 * undisturbed + 1.0) << "undisturbed " << undisturbed << " s";
  EXPECT_EQ(dashboard.open_connections(), kClients);
  RecordProperty("undisturbed_seconds", std::to_string(undisturbed));
  RecordProperty("under_load_seconds", std::to_string(disturbed));
  RecordProperty("get_seconds_under_load", std::to_string(answer_seconds));
  RecordProperty("threads_before_load", threads_before);
  RecordProperty("threads_under_load", threads_during);
}

TEST(HttpServerLoadTest, SlowClientsBeyondTheCapCannotLockOthersOut) {
  sched::LocalScheduler scheduler({1, {}});
  Dashboard dashboard(scheduler, {.host = "127.0.0.1", .port = 0, .profile = false, .max_connections = 50});
  SlowClients clients(dashboard.port(), 200);
  std::this_thread::sleep_for(1500ms);
  EXPECT_LE(dashboard.open_connections(), 50);
  for (int i = 0; i < 5; ++i) {
    const auto start = Clock::now();
    EXPECT_EQ(Get(dashboard.port(), "/api/summary").result_int(), 200);
    EXPECT_LT(SecondsSince(start), 2.0);
  }
}

}  // namespace
}  // namespace tessera::dashboard
