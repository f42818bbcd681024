// Parsing of the locations tessera reads and writes: local paths, file://, s3://, gs:// /
// gcs:// and http(s):// URLs.
#pragma once

#include <string>

namespace tessera::io::remote {

enum class Scheme { kLocal, kS3, kGcs, kHttp };

struct Location {
  Scheme scheme = Scheme::kLocal;
  /// The text as given (used in messages).
  std::string text;
  /// kLocal: the file path (file:// removed). kS3/kGcs: bucket and key (without a leading '/').
  /// kHttp: the whole URL in `text`.
  std::string path;
  std::string bucket;
  std::string key;
};

/// Splits `text` into scheme, bucket and key. Throws InvalidArgument naming the text for an
/// unsupported scheme ("ftp://...") or an object URL without a bucket.
Location ParseLocation(const std::string& text);

/// Percent-encodes as SigV4 requires (RFC 3986 unreserved characters stay); '/' is kept when
/// `keep_slash` (object keys in paths).
std::string UriEncode(const std::string& text, bool keep_slash);

}  // namespace tessera::io::remote
