#include "tessera/io/remote/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <ctime>

#include "tessera/io/remote/url.hpp"

namespace tessera::io::remote {

namespace {

std::string Hex(const unsigned char* bytes, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return out;
}

std::string Hmac(const std::string& key, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string Trim(const std::string& value) {
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return value.substr(first, value.find_last_not_of(" \t") - first + 1);
}

}  // namespace

std::string Sha256Hex(const char* data, size_t size) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data, size, digest, &length, EVP_sha256(), nullptr);
  return Hex(digest, length);
}

std::string Sha256Hex(const std::string& data) { return Sha256Hex(data.data(), data.size()); }

std::string CanonicalQuery(const std::map<std::string, std::string>& query) {
  std::string out;
  for (const auto& [name, value] : query) {
    if (!out.empty()) out += '&';
    out += UriEncode(name, false) + "=" + UriEncode(value, false);
  }
  return out;
}

std::string CanonicalRequest(const SigningRequest& request) {
  std::string headers;
  std::string signed_headers;
  for (const auto& [name, value] : request.headers) {
    headers += name + ":" + Trim(value) + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + name;
  }
  return request.method + "\n" + request.canonical_uri + "\n" + CanonicalQuery(request.query) + "\n" + headers +
         "\n" + signed_headers + "\n" + request.payload_hash;
}

std::string Authorization(const SigningRequest& request, const SigningKey& key, const std::string& amz_date) {
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = date + "/" + key.region + "/" + key.service + "/aws4_request";
  const std::string string_to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(CanonicalRequest(request));
  const std::string signing_key =
      Hmac(Hmac(Hmac(Hmac("AWS4" + key.secret_key, date), key.region), key.service), "aws4_request");
  const std::string signature = Hmac(signing_key, string_to_sign);
  std::string signed_headers;
  for (const auto& entry : request.headers) signed_headers += (signed_headers.empty() ? "" : ";") + entry.first;
  return "AWS4-HMAC-SHA256 Credential=" + key.access_key + "/" + scope + ", SignedHeaders=" + signed_headers +
         ", Signature=" + Hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
}

std::string AmzDateNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

}  // namespace tessera::io::remote
