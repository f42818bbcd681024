// Requests to object stores and web servers: S3 (and S3-compatible servers), GCS through its
// S3-interoperable XML API, and plain http(s). Resolves credentials, region and endpoint from
// StorageOptions, the environment and ~/.aws files; signs with SigV4; turns failures into
// errors that name the URL and the status.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/io/remote/http_client.hpp"
#include "tessera/io/remote/url.hpp"
#include "tessera/io/storage_options.hpp"

namespace tessera::io::remote {

struct ObjectInfo {
  int64_t size = 0;
  /// Empty when the server sends none; ranged reads then cannot detect a replaced object.
  std::string etag;
};

struct ListedObject {
  std::string key;
  int64_t size = 0;
};

/// One endpoint with its credentials. Thread-safe; every call blocks for its requests.
class ObjectStore {
 public:
  /// The store serving `location` (kS3, kGcs or kHttp) with `options`.
  ObjectStore(const Location& location, const StorageOptions& options);

  ObjectInfo Head(const Location& location) const;
  /// Reads [offset, offset + length) into dest (a ranged GET); throws IOError when the object
  /// changed since `etag` was read or the server ignores byte ranges.
  void GetRange(const Location& location, int64_t offset, int64_t length, const std::string& etag,
                uint8_t* dest) const;
  /// Every object of `bucket` whose key starts with `prefix`, in key order.
  std::vector<ListedObject> List(const std::string& bucket, const std::string& prefix) const;
  void Put(const Location& location, std::string_view body) const;
  std::string StartMultipartUpload(const Location& location) const;
  /// Returns the part's ETag.
  std::string UploadPart(const Location& location, const std::string& upload_id, int part_number,
                         std::string_view body) const;
  void CompleteMultipartUpload(const Location& location, const std::string& upload_id,
                               const std::vector<std::string>& etags) const;
  /// Best effort (called while unwinding): never throws.
  void AbortMultipartUpload(const Location& location, const std::string& upload_id) const noexcept;

  /// The endpoint requests go to ("https://s3.us-east-1.amazonaws.com", "http://127.0.0.1:5000").
  const std::string& endpoint() const { return endpoint_; }
  const std::string& region() const { return region_; }
  bool signs_requests() const { return !access_key_.empty(); }

 private:
  struct Call {
    std::string method = "GET";
    std::string bucket;
    std::string key;
    std::map<std::string, std::string> query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string_view body;
    uint8_t* dest = nullptr;
    int64_t dest_capacity = 0;
  };
  HttpResponse Send(const Call& call, const std::string& url_text) const;
  /// Throws IOError for a non-2xx response, naming `what` (a URL) and the status.
  void Check(const HttpResponse& response, const std::string& action, const std::string& what) const;

  Scheme scheme_;
  StorageOptions options_;
  std::string endpoint_;
  bool virtual_hosted_ = false;
  std::string region_;
  std::string access_key_;
  std::string secret_key_;
  std::string session_token_;
  std::string bearer_token_;
  std::string credential_source_;
};

/// A store for `location` with `options` (resolving credentials from the environment and
/// ~/.aws files now), held by the sources and outputs that use it.
std::shared_ptr<const ObjectStore> StoreFor(const Location& location, const StorageOptions& options);

}  // namespace tessera::io::remote
