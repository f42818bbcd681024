// HTTP requests over libcurl, with a pool of handles so connections stay open between requests
// (keep-alive), and retries with exponential backoff for throttling and transient failures.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::io::remote {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  /// Sent as the body (PUT, POST).
  std::string_view body;
  /// When set, a successful (2xx) response body is written here, at most `dest_capacity` bytes;
  /// otherwise it is kept in HttpResponse::body.
  uint8_t* dest = nullptr;
  int64_t dest_capacity = 0;
  bool follow_redirects = false;
};

struct HttpResponse {
  long status = 0;
  /// Header names in lower case.
  std::map<std::string, std::string> headers;
  std::string body;
  /// Bytes written to HttpRequest::dest.
  int64_t received = 0;
};

/// Whether a status is worth asking again: throttling (429, 503 SlowDown) and server errors.
bool IsRetryableStatus(long status);

/// Sends `request`, retrying up to `retries` times (backoff 100 ms doubling to 5 s, jittered)
/// on retryable statuses and on dropped or refused connections. Returns the last response
/// whatever its status; throws IOError naming the URL when no response could be had. Safe to
/// call from any thread; blocks for the whole exchange.
HttpResponse Send(const HttpRequest& request, int retries);

}  // namespace tessera::io::remote
