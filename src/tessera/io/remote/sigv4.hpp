// AWS Signature Version 4 for S3 requests (and GCS's S3-interoperable XML API with HMAC keys).
// Written against AWS's published specification with OpenSSL's SHA-256 and HMAC: Debian 12
// packages no AWS SDK for C++, and signing is a few hashes over canonical text.
#pragma once

#include <map>
#include <string>

namespace tessera::io::remote {

/// Hex SHA-256 of `data` (the x-amz-content-sha256 of a payload).
std::string Sha256Hex(const std::string& data);
std::string Sha256Hex(const char* data, size_t size);

struct SigningRequest {
  std::string method;
  /// Path, already percent-encoded ("/bucket/my%20key").
  std::string canonical_uri;
  /// Query parameters, not yet encoded; sorted by the map.
  std::map<std::string, std::string> query;
  /// Headers to sign, names in lower case (must include "host" and "x-amz-date").
  std::map<std::string, std::string> headers;
  std::string payload_hash;
};

struct SigningKey {
  std::string access_key;
  std::string secret_key;
  std::string region;
  std::string service = "s3";
};

/// The canonical request text (exposed for tests against AWS's published examples).
std::string CanonicalRequest(const SigningRequest& request);

/// The Authorization header value for `request` made at `amz_date` ("20130524T000000Z").
std::string Authorization(const SigningRequest& request, const SigningKey& key, const std::string& amz_date);

/// The current time as x-amz-date ("YYYYMMDDTHHMMSSZ").
std::string AmzDateNow();

/// The query string in canonical order and encoding ("a=1&b=x%2Fy").
std::string CanonicalQuery(const std::map<std::string, std::string>& query);

}  // namespace tessera::io::remote
