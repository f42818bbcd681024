#include "tessera/dashboard/http_server.hpp"

#include <utility>  // before Boost.Asio 1.74, whose awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "tessera/base/error.hpp"

namespace tessera::dashboard {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kHeaderLimit = 16 * 1024;
constexpr size_t kBodyLimit = 64 * 1024;  // GET and HEAD carry none; tolerate a small one
constexpr const char* kAllowedMethods = "GET, HEAD";

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded, as browsers' URLSearchParams writes it.
std::string FormDecode(std::string_view text) {
  std::string decoded;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      const int high = i + 2 < text.size() ? HexDigit(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? HexDigit(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        throw InvalidArgument("bad percent-encoding in the query: '" + std::string(text) +
                              "' ('%' must be followed by two hex digits; write a literal '%' as %25)");
      }
      decoded += char(high * 16 + low);
      i += 2;
    } else {
      decoded += text[i] == '+' ? ' ' : text[i];
    }
  }
  return decoded;
}

QueryParams ParseQuery(std::string_view query) {
  QueryParams params;
  while (!query.empty()) {
    const size_t end = std::min(query.find('&'), query.size());
    const std::string_view pair = query.substr(0, end);
    query.remove_prefix(std::min(end + 1, query.size()));
    if (pair.empty()) continue;
    const size_t equals = std::min(pair.find('='), pair.size());
    const std::string_view value = equals < pair.size() ? pair.substr(equals + 1) : std::string_view();
    params.emplace(FormDecode(pair.substr(0, equals)), FormDecode(value));
  }
  return params;
}

std::string_view View(beast::string_view text) { return {text.data(), text.size()}; }

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

class Connection;

struct HttpServer::Impl {
  HttpSite site;
  DashboardOptions options;
  asio::ip::address bind_address;
  int port = 0;
  std::atomic<bool> stopping{false};

  mutable std::mutex mutex;
  std::list<std::weak_ptr<Connection>> connections;  // HTTP connections (not event streams)
  int event_streams = 0;

  // Destroyed before the members above (reverse order), so connections whose handlers are still
  // queued can unregister while the io_context destroys them.
  asio::io_context io;
  tcp::acceptor acceptor{io};
  asio::steady_timer accept_retry{io};
  std::vector<std::thread> threads;

  Impl(HttpSite s, DashboardOptions o) : site(std::move(s)), options(std::move(o)) {}
  ~Impl() {
    stopping = true;
    io.stop();
    for (auto& thread : threads) thread.join();
  }

  void Accept();
  void Admit(tcp::socket socket);
  bool HostAllowed(std::string_view host) const;
};

// One client connection: waits for a request (idle timeout), reads it whole (request deadline),
// answers, and keeps the connection for the next request when the client asks; or turns into a
// server-sent events stream. All its handlers run on its own strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(HttpServer::Impl& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {}

  ~Connection() {
    std::lock_guard lock(server_.mutex);
    if (registered_) server_.connections.erase(entry_);
    if (streaming_) --server_.event_streams;
  }

  /// Called with the server's mutex held.
  void Register(std::list<std::weak_ptr<Connection>>::iterator entry) {
    entry_ = entry;
    registered_ = true;
  }
  void Unregister() {
    server_.connections.erase(entry_);
    registered_ = false;
  }
  /// Nanoseconds since the connection began waiting for its client's request, -1 while it answers.
  int64_t waiting_since() const { return waiting_since_; }

  void Start() { WaitForRequest(); }

  /// Closes the connection to make room for a new one (from any thread).
  void Evict() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.close();
    });
  }

 private:
  void WaitForRequest() {
    waiting_since_ = NowNs();
    if (buffer_.size() > 0) return ReadRequest();  // a pipelined request is already here
    stream_.expires_after(server_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec || self->server_.stopping) return;  // idle timeout, client gone or eviction: it ends
      self->buffer_.commit(n);
      self->ReadRequest();
    });
  }

  // The whole request must arrive within the request deadline of its first byte.
  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(server_.options.request_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->OnRequest(ec);
    });
  }

  void OnRequest(beast::error_code ec) {
    waiting_since_ = -1;
    if (server_.stopping || ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset || ec == asio::error::eof) {
      return;
    }
    if (ec) {
      const unsigned status = ec == http::error::header_limit ? 431 : ec == http::error::body_limit ? 413 : 400;
      return Send(Plain(status, "bad request: " + ec.message() + "\n"), 11, false, false);
    }
    const http::request<http::string_body>& request = parser_->get();
    const bool head = request.method() == http::verb::head;
    bool keep_alive = request.keep_alive();
    HttpReply reply;
    std::string allow;
    if (request.method() != http::verb::get && !head) {
      reply = Plain(405, "method " + std::string(request.method_string()) + " is not allowed here; use GET or HEAD\n");
      allow = kAllowedMethods;
    } else if (const auto host = request.find(http::field::host); host == request.end() && request.version() >= 11) {
      reply = Plain(400, "the request has no Host header (HTTP/1.1 requires one)\n");
      keep_alive = false;
    } else if (host != request.end() && !server_.HostAllowed(View(host->value()))) {
      // A page on another site reaching us through a DNS name it controls (DNS rebinding).
      reply = Plain(403, "Host '" + std::string(View(host->value())) +
                             "' is not this dashboard's address; open it as http://127.0.0.1:" +
                             std::to_string(server_.port) +
                             "/status (or localhost, [::1], or the address it was bound to)\n");
      keep_alive = false;
    } else {
      const std::string_view target = View(request.target());
      const size_t question = std::min(target.find('?'), target.size());
      const std::string path(target.substr(0, question));
      if (path == server_.site.events_path && !head) return StartEvents(request.version());
      try {
        if (path.empty() || path[0] != '/') {
          throw InvalidArgument("the request target must be a path starting with '/'");
        }
        const QueryParams query = ParseQuery(target.substr(std::min(question + 1, target.size())));
        if (path == server_.site.events_path) {
          reply = HttpReply{200, "text/event-stream", "", ""};
          keep_alive = false;
        } else {
          reply = server_.site.get(path, query);
        }
      } catch (const InvalidArgument& error) {
        reply = Plain(400, std::string(error.what()) + "\n");
      } catch (const std::exception& error) {
        reply = Plain(500, std::string(error.what()) + "\n");
      }
    }
    Send(std::move(reply), request.version(), keep_alive, head, allow);
  }

  static HttpReply Plain(unsigned status, std::string text) {
    return {status, "text/plain; charset=utf-8", std::move(text), ""};
  }

  void Send(HttpReply reply, unsigned version, bool keep_alive, bool head, const std::string& allow = "") {
    response_.emplace(static_cast<http::status>(reply.status), version);
    response_->set(http::field::server, "tessera");
    response_->set(http::field::cache_control, "no-store");
    response_->set(http::field::content_type, reply.content_type);
    response_->set("X-Content-Type-Options", "nosniff");
    if (!reply.location.empty()) response_->set(http::field::location, reply.location);
    if (!allow.empty()) response_->set(http::field::allow, allow);
    response_->body() = std::move(reply.body);
    response_->keep_alive(keep_alive && !server_.stopping);
    response_->prepare_payload();
    serializer_.emplace(*response_);
    stream_.expires_after(server_.options.request_timeout);
    auto done = [self = shared_from_this()](beast::error_code ec, size_t) { self->OnSent(ec); };
    if (head) {
      http::async_write_header(stream_, *serializer_, std::move(done));
    } else {
      http::async_write(stream_, *serializer_, std::move(done));
    }
  }

  void OnSent(beast::error_code ec) {
    if (ec || server_.stopping) return;
    if (!response_->keep_alive()) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    WaitForRequest();
  }

  // Event streams are long-lived by design: they leave the connection count for their own cap.
  void StartEvents(unsigned version) {
    {
      std::lock_guard lock(server_.mutex);
      if (server_.event_streams < server_.options.max_event_streams) {
        ++server_.event_streams;
        streaming_ = true;
        if (registered_) Unregister();
      }
    }
    if (!streaming_) {
      return Send(Plain(503, "too many event streams open (" + std::to_string(server_.options.max_event_streams) +
                                 "); close a dashboard tab or poll the /api/ documents\n"),
                  version, false, false);
    }
    event_ =
        "HTTP/1.1 200 OK\r\nServer: tessera\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
        "Connection: keep-alive\r\n\r\n" +
        server_.site.next_event();
    SendEvent();
  }

  void SendEvent() {
    stream_.expires_after(server_.options.request_timeout);  // a client that stops reading is dropped
    asio::async_write(stream_, asio::buffer(event_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec || self->server_.stopping) return;
      self->timer_.expires_after(self->server_.site.event_interval);
      self->timer_.async_wait([self](beast::error_code wait_error) {
        if (wait_error || self->server_.stopping) return;
        self->event_ = self->server_.site.next_event();
        self->SendEvent();
      });
    });
  }

  HttpServer::Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  std::optional<http::response_serializer<http::string_body>> serializer_;
  std::string event_;
  asio::steady_timer timer_{stream_.get_executor()};
  std::atomic<int64_t> waiting_since_{-1};
  // Guarded by the server's mutex.
  std::list<std::weak_ptr<Connection>>::iterator entry_;
  bool registered_ = false;
  bool streaming_ = false;
};

// ---------------------------------------------------------------------------------------------

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping || ec == asio::error::operation_aborted) return;
    if (ec) {  // out of descriptors and the like: try again shortly instead of spinning
      accept_retry.expires_after(std::chrono::milliseconds(50));
      accept_retry.async_wait([this](beast::error_code wait_error) {
        if (!wait_error) Accept();
      });
      return;
    }
    Admit(std::move(socket));
    Accept();
  });
}

// At the cap, the connection that has waited longest for its client (idle, or dribbling a request)
// makes room, so slow clients cannot lock others out; when every connection is being answered,
// the newcomer gets 503.
void HttpServer::Impl::Admit(tcp::socket socket) {
  std::shared_ptr<Connection> evicted;
  std::shared_ptr<Connection> connection;
  // Connections locked while choosing; released after the mutex (a connection's destructor takes it).
  std::vector<std::shared_ptr<Connection>> candidates;
  {
    std::lock_guard lock(mutex);
    bool room = static_cast<int>(connections.size()) < options.max_connections;
    if (!room) {
      int64_t oldest_since = -1;
      candidates.reserve(connections.size());
      for (const auto& entry : connections) {
        candidates.push_back(entry.lock());
        const int64_t since = candidates.back() ? candidates.back()->waiting_since() : -1;
        if (since >= 0 && (oldest_since < 0 || since < oldest_since)) {
          evicted = candidates.back();
          oldest_since = since;
        }
      }
      if (evicted) {
        evicted->Unregister();
        room = true;
      }
    }
    if (room) {
      connection = std::make_shared<Connection>(*this, std::move(socket));
      connection->Register(connections.insert(connections.end(), connection));
    }
  }
  if (evicted) evicted->Evict();
  if (connection) return connection->Start();
  // A best-effort answer that never blocks; the socket closes when it goes out of scope.
  static constexpr std::string_view kBusy =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 1\r\nConnection: close\r\n"
      "Content-Length: 54\r\n\r\ntoo many connections to the dashboard; try again soon\n";
  beast::error_code ec;
  socket.non_blocking(true, ec);
  if (!ec) socket.write_some(asio::buffer(kBusy.data(), kBusy.size()), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
}

bool HttpServer::Impl::HostAllowed(std::string_view host) const {
  std::string name;
  std::string_view rest;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    name = Lower(host.substr(1, close - 1));
    rest = host.substr(close + 1);
  } else {
    const size_t colon = std::min(host.find(':'), host.size());
    name = Lower(host.substr(0, colon));
    rest = host.substr(colon);
  }
  if (!rest.empty()) {  // ":PORT", which must be ours
    if (rest.front() != ':' || rest.size() < 2 || rest.size() > 6) return false;
    int port_number = 0;
    for (const char c : rest.substr(1)) {
      if (c < '0' || c > '9') return false;
      port_number = port_number * 10 + (c - '0');
    }
    if (port_number != port) return false;
  }
  if (name == "localhost") return true;
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(name, ec);
  if (ec) return false;  // a DNS name other than localhost
  return address.is_loopback() || address == bind_address || bind_address.is_unspecified();
}

// ---------------------------------------------------------------------------------------------

HttpServer::HttpServer(HttpSite site, const DashboardOptions& options)
    : impl_(std::make_unique<Impl>(std::move(site), options)) {
  auto positive = [](int64_t value, const char* name) {
    if (value < 1) {
      throw InvalidArgument(std::string("dashboard option ") + name + " must be at least 1, got " +
                            std::to_string(value));
    }
  };
  positive(options.threads, "threads");
  positive(options.max_connections, "max_connections");
  positive(options.max_event_streams, "max_event_streams");
  positive(options.request_timeout.count(), "request_timeout (ms)");
  positive(options.idle_timeout.count(), "idle_timeout (ms)");
  Impl& s = *impl_;
  beast::error_code ec;
  s.bind_address = asio::ip::make_address(options.host, ec);
  if (ec) throw InvalidArgument("dashboard host '" + options.host + "' is not an IP address (try 127.0.0.1)");
  const int first = options.port, last = options.port == 0 ? 0 : options.port + 100;
  for (int port = first; port <= last; ++port) {
    beast::error_code bind_error;
    tcp::acceptor acceptor(s.io);
    acceptor.open(s.bind_address.is_v4() ? tcp::v4() : tcp::v6(), bind_error);
    if (!bind_error) acceptor.bind({s.bind_address, static_cast<unsigned short>(port)}, bind_error);
    if (!bind_error) acceptor.listen(asio::socket_base::max_listen_connections, bind_error);
    if (!bind_error) {
      s.port = acceptor.local_endpoint().port();
      s.acceptor = std::move(acceptor);
      break;
    }
  }
  if (s.port == 0) {
    throw IOError("dashboard: no free port on " + options.host + " from " + std::to_string(first) + " to " +
                  std::to_string(last) + "; pass another port");
  }
  s.Accept();
  for (int i = 0; i < options.threads; ++i) s.threads.emplace_back([&s] { s.io.run(); });
}

HttpServer::~HttpServer() = default;

int HttpServer::port() const { return impl_->port; }

int HttpServer::open_connections() const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<int>(impl_->connections.size());
}

int HttpServer::open_event_streams() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->event_streams;
}

}  // namespace tessera::dashboard
