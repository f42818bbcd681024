#include "tessera/io/remote/url.hpp"

#include "tessera/base/error.hpp"

namespace tessera::io::remote {

namespace {

bool StartsWith(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

Location ParseLocation(const std::string& text) {
  Location location;
  location.text = text;
  const auto separator = text.find("://");
  if (separator == std::string::npos) {
    location.path = text;
    return location;
  }
  std::string scheme = text.substr(0, separator);
  for (auto& c : scheme) c = char(std::tolower(static_cast<unsigned char>(c)));
  const std::string rest = text.substr(separator + 3);
  if (scheme == "file") {
    // file:///abs/path and file://localhost/abs/path
    location.path = StartsWith(rest, "localhost/") ? rest.substr(9) : rest;
    if (location.path.empty() || location.path[0] != '/') {
      throw InvalidArgument("'" + text + "' is not a file URL with an absolute path; write file:///dir/file.csv");
    }
    return location;
  }
  if (scheme == "http" || scheme == "https") {
    location.scheme = Scheme::kHttp;
    if (rest.empty()) throw InvalidArgument("'" + text + "' has no host");
    return location;
  }
  if (scheme == "s3" || scheme == "s3a" || scheme == "gs" || scheme == "gcs") {
    location.scheme = scheme == "gs" || scheme == "gcs" ? Scheme::kGcs : Scheme::kS3;
    const auto slash = rest.find('/');
    location.bucket = rest.substr(0, slash);
    location.key = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (location.bucket.empty()) {
      throw InvalidArgument("'" + text + "' names no bucket; write " + scheme + "://bucket/path/to/object");
    }
    return location;
  }
  throw InvalidArgument("unsupported URL scheme '" + scheme + "://' in '" + text +
                        "'; use a local path, file://, s3://, gs:// (gcs://), http:// or https://");
}

std::string UriEncode(const std::string& text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(char(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace tessera::io::remote
