// The dashboard's HTTP server: Boost.Beast asynchronous operations on a small fixed pool of
// threads, so a slow or idle client costs a socket, not a thread. It owns everything about
// connections (limits, deadlines, keep-alive, the Host check against DNS rebinding, methods,
// HEAD, query decoding and server-sent event streams); what each path answers comes from an
// HttpSite.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "tessera/dashboard/dashboard.hpp"

namespace tessera::dashboard {

/// What a site answers to a GET (HEAD sends the same headers without the body).
struct HttpReply {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  /// The Location header of a redirect.
  std::string location;
};

/// Query parameters, percent-decoded (a bad escape is answered 400 before the site sees it).
using QueryParams = std::map<std::string, std::string, std::less<>>;

struct HttpSite {
  /// Answers GET `path`. Called on the server's threads, concurrently for different connections;
  /// must not block for long. InvalidArgument is answered 400 with its message, other errors 500.
  std::function<HttpReply(const std::string& path, const QueryParams& query)> get;
  /// The path of the server-sent events stream; `next_event` gives the next event ("event: ...
  /// \ndata: ...\n\n"), sent every `event_interval` while the client reads.
  std::string events_path;
  std::function<std::string()> next_event;
  std::chrono::milliseconds event_interval{200};
};

class HttpServer {
 public:
  /// Binds (the first free port from options.port, up to 100 further) and starts serving.
  /// Throws InvalidArgument for a bad option and IOError naming the address when nothing binds.
  HttpServer(HttpSite site, const DashboardOptions& options);
  /// Stops serving and closes every connection.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  /// HTTP connections open now (event streams not included).
  int open_connections() const;
  int open_event_streams() const;

  struct Impl;  // in http_server.cpp, shared with the connections' code there

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::dashboard
