// Units of remote storage that need no server: URL parsing, SigV4 against AWS's published
// examples, XML listings, and where credentials and regions are found.
#include <gtest/gtest.h>

#include <cstdlib>

#include "tessera/base/error.hpp"
#include "tessera/io/remote/object_store.hpp"
#include "tessera/io/remote/sigv4.hpp"
#include "tessera/io/remote/url.hpp"
#include "tessera/io/remote/xml_leaves.hpp"
#include "tessera/io/tests/temp_directory.hpp"

namespace tessera::io::remote {

namespace {

const std::string kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Sets environment variables for one test and restores them after.
class ScopedEnvironment {
 public:
  void Set(const char* name, const std::string& value) {
    const char* old = std::getenv(name);
    saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
    ::setenv(name, value.c_str(), 1);
  }
  void Unset(const char* name) {
    const char* old = std::getenv(name);
    saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
    ::unsetenv(name);
  }
  ~ScopedEnvironment() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        ::setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        ::unsetenv(it->first.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace

TEST(UrlTest, ParsesSchemesBucketsAndKeys) {
  const auto s3 = ParseLocation("s3://my-bucket/data/2015/yellow_*.csv");
  EXPECT_EQ(s3.scheme, Scheme::kS3);
  EXPECT_EQ(s3.bucket, "my-bucket");
  EXPECT_EQ(s3.key, "data/2015/yellow_*.csv");
  EXPECT_EQ(ParseLocation("gs://b/k.csv").scheme, Scheme::kGcs);
  EXPECT_EQ(ParseLocation("gcs://b/k.csv").scheme, Scheme::kGcs);
  EXPECT_EQ(ParseLocation("S3://b/k").scheme, Scheme::kS3);
  EXPECT_EQ(ParseLocation("s3://b").key, "");
  const auto file = ParseLocation("file:///tmp/x.csv");
  EXPECT_EQ(file.scheme, Scheme::kLocal);
  EXPECT_EQ(file.path, "/tmp/x.csv");
  EXPECT_EQ(ParseLocation("file://localhost/tmp/x.csv").path, "/tmp/x.csv");
  EXPECT_EQ(ParseLocation("relative/x.csv").path, "relative/x.csv");
  EXPECT_EQ(ParseLocation("https://example.com/a.csv?version=2").scheme, Scheme::kHttp);
  EXPECT_EQ(ParseLocation("http://127.0.0.1:8000/a.csv").scheme, Scheme::kHttp);
  EXPECT_EQ(ParseLocation("/data/a.csv").scheme, Scheme::kLocal);
}

TEST(UrlTest, RejectsUnsupportedSchemesAndMissingBuckets) {
  try {
    ParseLocation("ftp://host/a.csv");
    FAIL() << "ftp:// was accepted";
  } catch (const InvalidArgument& error) {
    EXPECT_NE(std::string(error.what()).find("unsupported URL scheme 'ftp://'"), std::string::npos) << error.what();
  }
  EXPECT_THROW(ParseLocation("s3:///key.csv"), InvalidArgument);
  EXPECT_THROW(ParseLocation("file://relative.csv"), InvalidArgument);
}

TEST(UrlTest, EncodesAsSigV4Requires) {
  EXPECT_EQ(UriEncode("a b/c~d_e.f-g", true), "a%20b/c~d_e.f-g");
  EXPECT_EQ(UriEncode("a b/c", false), "a%20b%2Fc");
  EXPECT_EQ(UriEncode("x=1&y=ü", false), "x%3D1%26y%3D%C3%BC");
}

// "Example: GET Object" of AWS's S3 SigV4 documentation (Authenticating Requests: Using the
// Authorization Header).
TEST(SigV4Test, MatchesAwsGetObjectExample) {
  SigningRequest request;
  request.method = "GET";
  request.canonical_uri = "/test.txt";
  request.headers = {{"host", "examplebucket.s3.amazonaws.com"},
                     {"range", "bytes=0-9"},
                     {"x-amz-content-sha256", kEmptyHash},
                     {"x-amz-date", "20130524T000000Z"}};
  request.payload_hash = kEmptyHash;
  EXPECT_EQ(CanonicalRequest(request),
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:" + kEmptyHash + "\nx-amz-date:20130524T000000Z\n\n"
            "host;range;x-amz-content-sha256;x-amz-date\n" + kEmptyHash);
  const SigningKey key{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "s3"};
  EXPECT_EQ(Authorization(request, key, "20130524T000000Z"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// "Example: GET Bucket (List Objects)" of the same page: query parameters in canonical order.
TEST(SigV4Test, MatchesAwsListObjectsExample) {
  SigningRequest request;
  request.method = "GET";
  request.canonical_uri = "/";
  request.query = {{"prefix", "J"}, {"max-keys", "2"}};
  request.headers = {{"host", "examplebucket.s3.amazonaws.com"},
                     {"x-amz-content-sha256", kEmptyHash},
                     {"x-amz-date", "20130524T000000Z"}};
  request.payload_hash = kEmptyHash;
  EXPECT_EQ(CanonicalQuery(request.query), "max-keys=2&prefix=J");
  const SigningKey key{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "s3"};
  const std::string authorization = Authorization(request, key, "20130524T000000Z");
  EXPECT_NE(authorization.find("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
            std::string::npos)
      << authorization;
}

// The IAM ListUsers example of AWS's general SigV4 documentation (another service and date).
TEST(SigV4Test, MatchesAwsIamExample) {
  SigningRequest request;
  request.method = "GET";
  request.canonical_uri = "/";
  request.query = {{"Action", "ListUsers"}, {"Version", "2010-05-08"}};
  request.headers = {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"},
                     {"host", "iam.amazonaws.com"},
                     {"x-amz-date", "20150830T123600Z"}};
  request.payload_hash = Sha256Hex("");
  EXPECT_EQ(Sha256Hex(CanonicalRequest(request)), "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  const SigningKey key{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "iam"};
  const std::string authorization = Authorization(request, key, "20150830T123600Z");
  EXPECT_NE(authorization.find("Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"),
            std::string::npos)
      << authorization;
}

TEST(XmlLeavesTest, ReadsListingsAndRejectsBrokenXml) {
  const std::string listing =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Name>b</Name><IsTruncated>true</IsTruncated><Contents><Key>a &amp; b.csv</Key><Size>12</Size></Contents>"
      "<Contents><Key>c.csv</Key><Size>0</Size></Contents><NextContinuationToken>t1</NextContinuationToken>"
      "</ListBucketResult>";
  const auto leaves = XmlLeaves(listing, "test");
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"Name", "b"}, {"IsTruncated", "true"}, {"Key", "a & b.csv"}, {"Size", "12"},
      {"Key", "c.csv"}, {"Size", "0"}, {"NextContinuationToken", "t1"}};
  EXPECT_EQ(leaves, expected);
  EXPECT_THROW(XmlLeaves("<a><b></a>", "test"), IOError);
}

TEST(ObjectStoreTest, FindsCredentialsRegionAndEndpoint) {
  TempDirectory dir;
  const std::string credentials = dir.Write("credentials",
                                            "[default]\naws_access_key_id = AKDEFAULT\naws_secret_access_key = s1\n"
                                            "[work]\naws_access_key_id=AKWORK\naws_secret_access_key=s2\n");
  const std::string config = dir.Write("config", "[default]\nregion = eu-west-1\n[profile work]\nregion=ap-south-1\n"
                                                 "endpoint_url = http://127.0.0.1:9999\n");
  ScopedEnvironment environment;
  environment.Set("AWS_SHARED_CREDENTIALS_FILE", credentials);
  environment.Set("AWS_CONFIG_FILE", config);
  for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                           "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"}) {
    environment.Unset(name);
  }
  const Location location = ParseLocation("s3://bucket/key.csv");

  const ObjectStore from_files(location, {});
  EXPECT_TRUE(from_files.signs_requests());
  EXPECT_EQ(from_files.region(), "eu-west-1");
  EXPECT_EQ(from_files.endpoint(), "https://s3.eu-west-1.amazonaws.com");

  StorageOptions work;
  work.profile = "work";
  const ObjectStore from_profile(location, work);
  EXPECT_EQ(from_profile.region(), "ap-south-1");
  EXPECT_EQ(from_profile.endpoint(), "http://127.0.0.1:9999");

  StorageOptions anonymous;
  anonymous.anon = true;
  anonymous.region = "us-west-2";
  const ObjectStore unsigned_store(location, anonymous);
  EXPECT_FALSE(unsigned_store.signs_requests());
  EXPECT_EQ(unsigned_store.region(), "us-west-2");

  environment.Set("AWS_REGION", "ca-central-1");
  environment.Set("AWS_ENDPOINT_URL", "localhost:5000");
  const ObjectStore from_environment(location, {});
  EXPECT_EQ(from_environment.region(), "ca-central-1");
  EXPECT_EQ(from_environment.endpoint(), "http://localhost:5000");

  StorageOptions key_only;
  key_only.key = "AKONLY";
  EXPECT_THROW(ObjectStore(location, key_only), InvalidArgument);

  const ObjectStore gcs(ParseLocation("gs://bucket/key.csv"), {});
  EXPECT_FALSE(gcs.signs_requests());
  EXPECT_EQ(gcs.endpoint(), "https://storage.googleapis.com");
}

}  // namespace tessera::io::remote
