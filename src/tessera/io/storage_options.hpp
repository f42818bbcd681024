// Where and how remote inputs and outputs (s3://, gs://, http(s)://) are reached: Dask's
// storage_options as plain data, so a plan holding them can be copied to another process.
#pragma once

#include <map>
#include <string>

namespace tessera::io {

struct StorageOptions {
  /// Send unsigned requests (public buckets), even when credentials are found.
  bool anon = false;
  /// S3: access key id, secret access key and session token. GCS: HMAC key and secret, or an
  /// OAuth2 access token in `token`. Empty: from the environment and ~/.aws files (S3).
  std::string key;
  std::string secret;
  std::string token;
  /// Profile of ~/.aws/credentials and ~/.aws/config (default: $AWS_PROFILE or "default").
  std::string profile;
  /// An S3-compatible server ("http://127.0.0.1:9000"); requests then use path-style URLs.
  std::string endpoint_url;
  /// S3 region (default: $AWS_REGION, $AWS_DEFAULT_REGION, ~/.aws/config, then us-east-1).
  std::string region;
  /// Adds x-amz-requester-pays (S3) / userProject billing consent to every request.
  bool requester_pays = false;
  /// Extra headers sent with every request (http(s):// authentication, for instance).
  std::map<std::string, std::string> headers;
  /// Attempts after the first on throttling (429, 503 SlowDown), server errors and dropped
  /// connections, with exponential backoff.
  int retries = 5;
};

}  // namespace tessera::io
