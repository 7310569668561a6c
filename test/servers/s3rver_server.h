// S3rverServer: npm's s3rver (an S3-compatible server: path-style requests,
// SigV4, multipart uploads) on a free 127.0.0.1 port in a temporary folder,
// with buckets made at start, and Debian's s3cmd set up to look at it.
// scripts/install-deps installs s3rver into /usr/local/lib/connectrun-test;
// CONNECTRUN_S3RVER names another s3rver executable.
#pragma once

#include <string>
#include <vector>

#include "servers/test_server.h"

namespace testsupport {

class S3rverServer {
 public:
  // s3rver's fixed credentials.
  static constexpr const char* kAccessKey = "S3RVER";
  static constexpr const char* kSecretKey = "S3RVER";

  explicit S3rverServer(const std::vector<std::string>& buckets = {"test-bucket"});
  std::string url() const;  // http://127.0.0.1:PORT
  int port() const { return server_.port(); }
  const std::string& dir() const { return server_.dir(); }
  void stop() { server_.stop(); }

  // Runs s3cmd with a configuration pointing at this server (path style);
  // returns its stdout; throws std::runtime_error when it fails.
  std::string s3cmd(const std::string& args) const;
  // Keys of every object in `bucket`, sorted (s3cmd ls --recursive).
  std::vector<std::string> keys(const std::string& bucket) const;
  // An object's bytes (s3cmd get).
  std::string get(const std::string& bucket, const std::string& key) const;

 private:
  static std::string executable();
  TestServer server_;
  std::string config_;
};

}  // namespace testsupport
