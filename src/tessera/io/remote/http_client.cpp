#include "tessera/io/remote/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <strings.h>
#include <mutex>
#include <random>
#include <thread>

#include "tessera/base/error.hpp"

namespace tessera::io::remote {

namespace {

// Idle handles keep their connections, so the next request to the same host skips the TCP
// (and TLS) handshake.
class HandlePool {
 public:
  static HandlePool& Instance() {
    static HandlePool pool;
    return pool;
  }
  CURL* Acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        CURL* handle = idle_.back();
        idle_.pop_back();
        curl_easy_reset(handle);
        return handle;
      }
    }
    CURL* handle = curl_easy_init();
    if (handle == nullptr) throw IOError("cannot start an HTTP client (curl_easy_init failed)");
    return handle;
  }
  void Release(CURL* handle) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdle) {
      idle_.push_back(handle);
    } else {
      curl_easy_cleanup(handle);
    }
  }

 private:
  static constexpr size_t kMaxIdle = 64;
  HandlePool() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~HandlePool() {
    for (CURL* handle : idle_) curl_easy_cleanup(handle);
  }
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

struct Transfer {
  const HttpRequest* request;
  HttpResponse* response;
  CURL* handle;
};

size_t OnBody(char* data, size_t, size_t size, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  long status = 0;
  curl_easy_getinfo(transfer.handle, CURLINFO_RESPONSE_CODE, &status);
  const HttpRequest& request = *transfer.request;
  HttpResponse& response = *transfer.response;
  if (request.dest != nullptr && status >= 200 && status < 300) {
    // Bytes beyond the buffer (a server ignoring Range) are counted, not kept, so the caller
    // sees more arrived than it asked for.
    const int64_t n = std::clamp<int64_t>(request.dest_capacity - response.received, 0, int64_t(size));
    if (n > 0) std::memcpy(request.dest + response.received, data, size_t(n));
    response.received += int64_t(size);
  } else {
    response.body.append(data, size);
  }
  return size;
}

size_t OnHeader(char* data, size_t, size_t size, void* user) {
  auto& response = *static_cast<HttpResponse*>(user);
  std::string line(data, size);
  if (line.rfind("HTTP/", 0) == 0) {
    response.headers.clear();  // a new response (after a redirect or 100 Continue)
    return size;
  }
  const auto colon = line.find(':');
  if (colon == std::string::npos) return size;
  std::string name = line.substr(0, colon);
  for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
  std::string value = line.substr(colon + 1);
  const auto first = value.find_first_not_of(" \t");
  const auto last = value.find_last_not_of(" \t\r\n");
  response.headers[name] = first == std::string::npos ? "" : value.substr(first, last - first + 1);
  return size;
}

bool IsRetryableTransport(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

// One attempt; returns the curl code (the response is filled when it is CURLE_OK).
CURLcode Attempt(const HttpRequest& request, HttpResponse* response, std::string* error) {
  CURL* handle = HandlePool::Instance().Acquire();
  Transfer transfer{&request, response, handle};
  char message[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip before bodies
  const bool typed = std::any_of(request.headers.begin(), request.headers.end(), [](const auto& header) {
    return strcasecmp(header.first.c_str(), "Content-Type") == 0;
  });
  // Bodies are bytes; curl would otherwise label them as form data, which servers may parse.
  if (!typed && request.method != "GET" && request.method != "HEAD") {
    headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
  }
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, message);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 10L);
  // A connection that delivers nothing for a minute is dropped (and retried).
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  // Large receive buffers: fewer system calls and callbacks for multi-MiB ranges.
  curl_easy_setopt(handle, CURLOPT_BUFFERSIZE, 512L << 10);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, response);
  if (request.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
  }
  const CURLcode code = curl_easy_perform(handle);
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response->status);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) *error = message[0] ? message : curl_easy_strerror(code);
  HandlePool::Instance().Release(handle);
  return code;
}

}  // namespace

bool IsRetryableStatus(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

HttpResponse Send(const HttpRequest& request, int retries) {
  thread_local std::mt19937 random(std::random_device{}());
  for (int attempt = 0;; ++attempt) {
    HttpResponse response;
    std::string error;
    const CURLcode code = Attempt(request, &response, &error);
    const bool failed = code != CURLE_OK;
    const bool retry = failed ? IsRetryableTransport(code) : IsRetryableStatus(response.status);
    if (!retry || attempt >= retries) {
      if (failed) {
        throw IOError("cannot " + request.method + " " + request.url + ": " + error +
                      (attempt > 0 ? " (after " + std::to_string(attempt + 1) + " attempts)" : ""));
      }
      return response;
    }
    const double base = std::min(5.0, 0.1 * double(1 << std::min(attempt, 6)));
    const double delay = std::uniform_real_distribution<double>(base / 2, base)(random);
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
  }
}

}  // namespace tessera::io::remote
