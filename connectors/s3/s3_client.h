// A small S3 REST client over libcurl: PUT, multipart upload, GET, LIST
// (ListObjectsV2), signed with AWS Signature Version 4 (CURLOPT_AWS_SIGV4),
// one connection reused for every request, retrying 5xx, throttling and
// connection failures with doubling backoff (s3.part.retries, s3.retry.backoff.ms).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/connect_error.h"

namespace connectrun::s3 {

struct S3Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // AWS_SESSION_TOKEN / aws_session_token, optional
};

// The credentials from the keys if set, else AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), else the shared credentials
// file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, profile AWS_PROFILE
// or "default"). Throws ConnectError naming all three when none is found.
S3Credentials resolve_credentials(const std::string& access_key, const std::string& secret_key);

struct S3Endpoint {
  std::string url;     // store.url, "" for AWS: https://s3.<region>.amazonaws.com
  std::string region;  // s3.region
  std::string bucket;
  bool path_style = true;
};

struct S3RetryPolicy {
  int retries = 3;            // s3.part.retries: tries after the first
  int64_t backoff_ms = 200;   // s3.retry.backoff.ms: before the first retry, doubled each time
};

// A failed request. retriable(): a 5xx, a throttling answer or a connection
// failure, worth trying again later.
class S3Error : public ConnectError {
 public:
  S3Error(const std::string& msg, bool retriable, long status) : ConnectError(msg, retriable), status_(status) {}
  long status() const { return status_; }  // HTTP status, 0 when there was no answer

 private:
  long status_;
};

struct S3Object {
  std::string key;
  int64_t size = 0;
};

class S3Client {
 public:
  S3Client(S3Endpoint endpoint, S3Credentials credentials, S3RetryPolicy retry);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // "bucket B at endpoint E", for messages.
  std::string where() const;
  // HEAD Bucket: throws S3Error saying what is wrong (403, 404, down).
  void check_bucket();
  void put_object(const std::string& key, std::string_view body);
  std::string create_multipart_upload(const std::string& key);
  std::string upload_part(const std::string& key, const std::string& upload_id, int part_number, std::string_view body);
  void complete_multipart_upload(const std::string& key, const std::string& upload_id,
                                 const std::vector<std::string>& etags);
  void abort_multipart_upload(const std::string& key, const std::string& upload_id);
  std::string get_object(const std::string& key);
  // Every object under `prefix` with a key after `start_after` ("" for all), in key order.
  std::vector<S3Object> list_objects(const std::string& prefix, const std::string& start_after = "");

 private:
  struct Response {
    long status = 0;
    std::string body;
    std::string etag;
  };
  Response send(const char* method, const std::string& key, const std::string& query, std::string_view body,
                const std::string& content_type = "");
  Response attempt(const char* method, const std::string& url, std::string_view body, const std::string& content_type);
  S3Error failure(const char* what, const std::string& key, const Response& r) const;

  struct Impl;
  std::unique_ptr<Impl> impl_;
  S3Endpoint endpoint_;
  S3Credentials credentials_;
  S3RetryPolicy retry_;
};

// RFC 3986 percent-encoding as SigV4 wants it; '/' kept when `keep_slash`.
std::string uri_encode(std::string_view s, bool keep_slash);

}  // namespace connectrun::s3
