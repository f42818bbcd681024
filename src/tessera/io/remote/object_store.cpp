#include "tessera/io/remote/object_store.hpp"

#include <cstdlib>
#include <fstream>

#include "tessera/base/error.hpp"
#include "tessera/io/remote/sigv4.hpp"
#include "tessera/io/remote/xml_leaves.hpp"

namespace tessera::io::remote {

namespace {

const std::string kEmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string Environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string HomeFile(const char* variable, const std::string& relative) {
  std::string path = Environment(variable);
  if (!path.empty()) return path;
  const std::string home = Environment("HOME");
  return home.empty() ? "" : home + "/" + relative;
}

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// The keys of one [section] of an INI file (~/.aws/credentials, ~/.aws/config); empty when the
// file or section is missing.
std::map<std::string, std::string> IniSection(const std::string& path, const std::string& section) {
  std::map<std::string, std::string> values;
  if (path.empty()) return values;
  std::ifstream file(path);
  std::string line;
  bool inside = false;
  while (std::getline(file, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      inside = Trim(line.substr(1, line.size() - 2)) == section;
      continue;
    }
    const auto equals = line.find('=');
    if (inside && equals != std::string::npos) values[Trim(line.substr(0, equals))] = Trim(line.substr(equals + 1));
  }
  return values;
}

std::string FirstOf(std::initializer_list<std::string> candidates) {
  for (const auto& candidate : candidates) {
    if (!candidate.empty()) return candidate;
  }
  return "";
}

std::string HostOf(const std::string& endpoint) {
  const auto start = endpoint.find("://");
  const auto from = start == std::string::npos ? 0 : start + 3;
  return endpoint.substr(from, endpoint.find('/', from) - from);
}

bool DnsCompatibleBucket(const std::string& bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
      return false;
    }
  }
  return true;
}

std::string ServerMessage(const HttpResponse& response) {
  if (response.body.empty() || response.body[0] != '<') return "";
  try {
    std::string code;
    std::string message;
    for (const auto& [name, text] : XmlLeaves(response.body, "an error")) {
      if (name == "Code" && code.empty()) code = text;
      if (name == "Message" && message.empty()) message = text;
    }
    if (code.empty()) return "";
    return " " + code + (message.empty() ? "" : ": " + message);
  } catch (const IOError&) {
    return "";
  }
}

}  // namespace

ObjectStore::ObjectStore(const Location& location, const StorageOptions& options)
    : scheme_(location.scheme), options_(options) {
  if (scheme_ == Scheme::kHttp) return;
  if (scheme_ == Scheme::kGcs) {
    // GCS's XML API speaks S3's protocol: HMAC keys sign with SigV4 (region "auto"), OAuth2
    // access tokens go in a bearer header, and public buckets need neither.
    endpoint_ = FirstOf({options.endpoint_url, "https://storage.googleapis.com"});
    region_ = FirstOf({options.region, "auto"});
    if (!options.anon) {
      access_key_ = options.key;
      secret_key_ = options.secret;
      bearer_token_ = options.token;
      credential_source_ = "storage_options";
    }
  } else {
    const std::string profile = FirstOf({options.profile, Environment("AWS_PROFILE"), "default"});
    const auto credentials = IniSection(HomeFile("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials"), profile);
    const auto config = IniSection(HomeFile("AWS_CONFIG_FILE", ".aws/config"),
                                   profile == "default" ? "default" : "profile " + profile);
    const auto from = [](const std::map<std::string, std::string>& values, const char* name) {
      const auto found = values.find(name);
      return found == values.end() ? std::string() : found->second;
    };
    region_ = FirstOf({options.region, Environment("AWS_REGION"), Environment("AWS_DEFAULT_REGION"),
                       from(config, "region"), "us-east-1"});
    endpoint_ = FirstOf({options.endpoint_url, Environment("AWS_ENDPOINT_URL_S3"), Environment("AWS_ENDPOINT_URL"),
                         from(config, "endpoint_url")});
    if (endpoint_.empty()) {
      endpoint_ = "https://s3." + region_ + ".amazonaws.com";
      virtual_hosted_ = true;
    }
    if (!options.anon) {
      if (!options.key.empty() || !options.secret.empty()) {
        access_key_ = options.key;
        secret_key_ = options.secret;
        session_token_ = options.token;
        credential_source_ = "storage_options key/secret";
      } else if (options.profile.empty() && !Environment("AWS_ACCESS_KEY_ID").empty()) {
        access_key_ = Environment("AWS_ACCESS_KEY_ID");
        secret_key_ = Environment("AWS_SECRET_ACCESS_KEY");
        session_token_ = Environment("AWS_SESSION_TOKEN");
        credential_source_ = "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY";
      } else if (!from(credentials, "aws_access_key_id").empty()) {
        access_key_ = from(credentials, "aws_access_key_id");
        secret_key_ = from(credentials, "aws_secret_access_key");
        session_token_ = from(credentials, "aws_session_token");
        credential_source_ = "profile '" + profile + "' of the shared credentials file";
      } else if (!from(config, "aws_access_key_id").empty()) {
        access_key_ = from(config, "aws_access_key_id");
        secret_key_ = from(config, "aws_secret_access_key");
        session_token_ = from(config, "aws_session_token");
        credential_source_ = "profile '" + profile + "' of the config file";
      }
      if (!access_key_.empty() && secret_key_.empty()) {
        throw InvalidArgument("an S3 access key was given (from " + credential_source_ +
                              ") without its secret; pass storage_options={'key': ..., 'secret': ...}");
      }
    }
  }
  while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
  if (endpoint_.find("://") == std::string::npos) endpoint_ = "http://" + endpoint_;
}

HttpResponse ObjectStore::Send(const Call& call, const std::string& url_text) const {
  HttpRequest request;
  request.method = call.method;
  request.body = call.body;
  request.dest = call.dest;
  request.dest_capacity = call.dest_capacity;
  request.headers = call.headers;
  for (const auto& [name, value] : options_.headers) request.headers.emplace_back(name, value);
  if (scheme_ == Scheme::kHttp) {
    request.url = url_text;
    request.follow_redirects = true;
    return remote::Send(request, options_.retries);
  }
  std::string host = HostOf(endpoint_);
  std::string path;
  const bool virtual_hosted = virtual_hosted_ && DnsCompatibleBucket(call.bucket);
  if (virtual_hosted) {
    host = call.bucket + "." + host;
    path = "/" + UriEncode(call.key, true);
  } else {
    path = "/" + call.bucket + (call.key.empty() && call.method == "GET" && !call.query.empty() ? "" : "/") +
           UriEncode(call.key, true);
  }
  const std::string scheme = endpoint_.substr(0, endpoint_.find("://"));
  request.url = scheme + "://" + host + path;
  if (!call.query.empty()) request.url += "?" + CanonicalQuery(call.query);
  request.headers.emplace_back("Host", host);
  if (options_.requester_pays && scheme_ == Scheme::kS3) request.headers.emplace_back("x-amz-request-payer", "requester");
  if (!bearer_token_.empty()) request.headers.emplace_back("Authorization", "Bearer " + bearer_token_);
  if (!access_key_.empty()) {
    SigningRequest signing;
    signing.method = call.method;
    signing.canonical_uri = path;
    signing.query = call.query;
    signing.payload_hash = call.body.empty() ? kEmptyPayloadHash : Sha256Hex(call.body.data(), call.body.size());
    const std::string date = AmzDateNow();
    signing.headers["host"] = host;
    signing.headers["x-amz-date"] = date;
    signing.headers["x-amz-content-sha256"] = signing.payload_hash;
    if (!session_token_.empty()) signing.headers["x-amz-security-token"] = session_token_;
    if (options_.requester_pays && scheme_ == Scheme::kS3) signing.headers["x-amz-request-payer"] = "requester";
    request.headers.emplace_back("x-amz-date", date);
    request.headers.emplace_back("x-amz-content-sha256", signing.payload_hash);
    if (!session_token_.empty()) request.headers.emplace_back("x-amz-security-token", session_token_);
    request.headers.emplace_back("Authorization", Authorization(signing, {access_key_, secret_key_, region_, "s3"}, date));
  }
  return remote::Send(request, options_.retries);
}

void ObjectStore::Check(const HttpResponse& response, const std::string& action, const std::string& what) const {
  if (response.status >= 200 && response.status < 300) return;
  const std::string status = "HTTP " + std::to_string(response.status) + ServerMessage(response);
  if (response.status == 401 || response.status == 403) {
    std::string fix;
    if (scheme_ == Scheme::kHttp) {
      fix = "pass the headers the server needs, e.g. storage_options={'headers': {'Authorization': ...}}";
    } else if (!access_key_.empty() || !bearer_token_.empty()) {
      fix = "the credentials from " + credential_source_ + " are not allowed to " + action +
            " it; check the key, secret and token (or the profile), and the bucket's policy";
    } else {
      fix = "the request was sent without credentials; " +
            std::string(scheme_ == Scheme::kGcs
                            ? "pass storage_options={'token': <OAuth2 access token>} or HMAC {'key': ..., 'secret': ...}"
                            : "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, add them to ~/.aws/credentials, or "
                              "pass storage_options={'key': ..., 'secret': ...}");
    }
    throw IOError("access denied to " + what + " (" + status + "): " + fix);
  }
  if (response.status == 404) {
    throw IOError("no such object " + what + " (" + status + "); check the bucket and the path");
  }
  if (response.status == 412) {
    throw IOError(what + " changed while it was being read (" + status + "); read it again once it stops changing");
  }
  if (response.status == 301 || response.status == 307 || response.status == 400) {
    const auto region = response.headers.find("x-amz-bucket-region");
    if (region != response.headers.end() && region->second != region_) {
      throw IOError("cannot " + action + " " + what + " (" + status + "): the bucket is in region '" + region->second +
                    "', not '" + region_ + "'; pass storage_options={'region': '" + region->second + "'}");
    }
  }
  throw IOError("cannot " + action + " " + what + " (" + status + ")" +
                (IsRetryableStatus(response.status) && options_.retries > 0
                     ? " after " + std::to_string(options_.retries + 1) + " attempts"
                     : ""));
}

ObjectInfo ObjectStore::Head(const Location& location) const {
  Call call;
  call.method = "HEAD";
  call.bucket = location.bucket;
  call.key = location.key;
  HttpResponse response = Send(call, location.text);
  ObjectInfo info;
  const auto length = response.headers.find("content-length");
  if (response.status >= 200 && response.status < 300 && length != response.headers.end()) {
    info.size = std::stoll(length->second);
  } else if (scheme_ == Scheme::kHttp && ((response.status >= 200 && response.status < 300) ||
                                           response.status == 405 || response.status == 501)) {
    // Servers that refuse HEAD (or answer it without a length) still tell the size of a range.
    call.method = "GET";
    call.headers.emplace_back("Range", "bytes=0-0");
    uint8_t byte = 0;
    call.dest = &byte;
    call.dest_capacity = 1;
    response = Send(call, location.text);
    Check(response, "read", location.text);
    const auto range = response.headers.find("content-range");
    const auto total = range == response.headers.end() ? std::string::npos : range->second.rfind('/');
    if (total == std::string::npos || range->second.substr(total + 1) == "*") {
      throw IOError("cannot tell the size of " + location.text + ": the server sends no Content-Length or Content-Range");
    }
    info.size = std::stoll(range->second.substr(total + 1));
  } else {
    Check(response, "read", location.text);
    throw IOError("cannot tell the size of " + location.text + ": the server sends no Content-Length");
  }
  const auto etag = response.headers.find("etag");
  // Weak validators (W/"...") do not promise identical bytes, so they are not used for If-Match.
  if (etag != response.headers.end() && etag->second.rfind("W/", 0) != 0) info.etag = etag->second;
  return info;
}

void ObjectStore::GetRange(const Location& location, int64_t offset, int64_t length, const std::string& etag,
                           uint8_t* dest) const {
  if (length <= 0) return;
  Call call;
  call.bucket = location.bucket;
  call.key = location.key;
  call.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1));
  if (!etag.empty()) call.headers.emplace_back("If-Match", etag);
  call.dest = dest;
  call.dest_capacity = length;
  const HttpResponse response = Send(call, location.text);
  Check(response, "read", location.text);
  if (response.status == 200 && (offset != 0 || response.received != length)) {
    throw IOError("the server of " + location.text + " ignores byte ranges (it answered a Range request with the "
                  "whole object); download the file and read it locally");
  }
  if (response.received != length) {
    throw IOError("reading " + location.text + " at byte " + std::to_string(offset) + " returned " +
                  std::to_string(response.received) + " bytes instead of " + std::to_string(length) +
                  "; the object may have changed while it was being read");
  }
}

std::vector<ListedObject> ObjectStore::List(const std::string& bucket, const std::string& prefix) const {
  std::vector<ListedObject> objects;
  const std::string what = (scheme_ == Scheme::kGcs ? "gs://" : "s3://") + bucket + "/" + prefix + "*";
  std::string token;
  while (true) {
    Call call;
    call.bucket = bucket;
    call.query["prefix"] = prefix;
    // GCS's XML API lists with markers (ListObjects v1); S3 with continuation tokens (v2).
    if (scheme_ == Scheme::kGcs) {
      if (!token.empty()) call.query["marker"] = token;
    } else {
      call.query["list-type"] = "2";
      if (!token.empty()) call.query["continuation-token"] = token;
    }
    const HttpResponse response = Send(call, what);
    if (response.status == 404) {
      throw IOError("no such bucket '" + bucket + "' (listing " + what + ": HTTP 404" + ServerMessage(response) + ")");
    }
    Check(response, "list", what);
    bool truncated = false;
    std::string next;
    for (const auto& [name, text] : XmlLeaves(response.body, "listing " + what)) {
      if (name == "Key") objects.push_back({text, 0});
      if (name == "Size" && !objects.empty()) objects.back().size = std::stoll(text);
      if (name == "IsTruncated") truncated = text == "true";
      if (name == "NextContinuationToken" || name == "NextMarker") next = text;
    }
    if (!truncated) break;
    if (next.empty() && scheme_ == Scheme::kGcs && !objects.empty()) next = objects.back().key;
    if (next.empty() || next == token) throw IOError("listing " + what + " did not advance; the server's listing is inconsistent");
    token = next;
  }
  return objects;
}

void ObjectStore::Put(const Location& location, std::string_view body) const {
  if (scheme_ == Scheme::kHttp) {
    throw InvalidArgument("cannot write to " + location.text + ": writing over http(s) is not supported; "
                          "write to s3://, gs:// or a local path");
  }
  Call call;
  call.method = "PUT";
  call.bucket = location.bucket;
  call.key = location.key;
  call.body = body;
  Check(Send(call, location.text), "write", location.text);
}

std::string ObjectStore::StartMultipartUpload(const Location& location) const {
  Call call;
  call.method = "POST";
  call.bucket = location.bucket;
  call.key = location.key;
  call.query["uploads"] = "";
  const HttpResponse response = Send(call, location.text);
  Check(response, "write", location.text);
  for (const auto& [name, text] : XmlLeaves(response.body, "starting an upload to " + location.text)) {
    if (name == "UploadId") return text;
  }
  throw IOError("starting an upload to " + location.text + " gave no upload id");
}

std::string ObjectStore::UploadPart(const Location& location, const std::string& upload_id, int part_number,
                                    std::string_view body) const {
  Call call;
  call.method = "PUT";
  call.bucket = location.bucket;
  call.key = location.key;
  call.query["partNumber"] = std::to_string(part_number);
  call.query["uploadId"] = upload_id;
  call.body = body;
  const HttpResponse response = Send(call, location.text);
  Check(response, "write", location.text);
  const auto etag = response.headers.find("etag");
  if (etag == response.headers.end()) throw IOError("uploading part " + std::to_string(part_number) + " of " + location.text + " gave no ETag");
  return etag->second;
}

void ObjectStore::CompleteMultipartUpload(const Location& location, const std::string& upload_id,
                                          const std::vector<std::string>& etags) const {
  std::string body = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etags[i] + "</ETag></Part>";
  }
  body += "</CompleteMultipartUpload>";
  Call call;
  call.method = "POST";
  call.bucket = location.bucket;
  call.key = location.key;
  call.query["uploadId"] = upload_id;
  call.body = body;
  const HttpResponse response = Send(call, location.text);
  Check(response, "write", location.text);
  // S3 may answer 200 and still report a failure in the body.
  if (response.body.find("<Error>") != std::string::npos) {
    throw IOError("cannot finish writing " + location.text + " (" + ServerMessage(response) + ")");
  }
}

void ObjectStore::AbortMultipartUpload(const Location& location, const std::string& upload_id) const noexcept {
  try {
    Call call;
    call.method = "DELETE";
    call.bucket = location.bucket;
    call.key = location.key;
    call.query["uploadId"] = upload_id;
    Send(call, location.text);
  } catch (...) {
    // The upload stays incomplete; buckets' lifecycle rules remove such uploads.
  }
}

std::shared_ptr<const ObjectStore> StoreFor(const Location& location, const StorageOptions& options) {
  return std::make_shared<const ObjectStore>(location, options);
}

}  // namespace tessera::io::remote
