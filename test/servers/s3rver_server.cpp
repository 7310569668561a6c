#include "servers/s3rver_server.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "support.h"

namespace testsupport {

namespace {

std::vector<std::string> command_for(const std::string& exe, const std::vector<std::string>& buckets) {
  std::vector<std::string> cmd = {exe, "--directory", "{dir}/data", "--address", "127.0.0.1", "--port", "{port}",
                                  "--silent"};
  for (const auto& b : buckets) {
    cmd.push_back("--configure-bucket");
    cmd.push_back(b);
  }
  return cmd;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string S3rverServer::executable() {
  if (const char* e = std::getenv("CONNECTRUN_S3RVER"); e && *e) return e;
  std::string path = "/usr/local/lib/connectrun-test/node_modules/.bin/s3rver";
  if (::access(path.c_str(), X_OK) != 0)
    throw std::runtime_error("s3rver is not installed at " + path + ": run scripts/install-deps (or set CONNECTRUN_S3RVER)");
  return path;
}

S3rverServer::S3rverServer(const std::vector<std::string>& buckets)
    : server_({.name = "s3rver", .command = command_for(executable(), buckets)}) {
  config_ = server_.dir() + "/s3cfg";
  write_file(config_, fmt::format("[default]\naccess_key = {}\nsecret_key = {}\nhost_base = 127.0.0.1:{}\n"
                                  "host_bucket = 127.0.0.1:{}\nuse_https = False\nsignature_v2 = False\n"
                                  "bucket_location = us-east-1\n",
                                  kAccessKey, kSecretKey, port(), port()));
}

std::string S3rverServer::url() const { return fmt::format("http://127.0.0.1:{}", port()); }

std::string S3rverServer::s3cmd(const std::string& args) const {
  int status = 0;
  std::string out = shell("s3cmd --no-progress -c " + quote(config_) + " " + args + " 2>&1", &status);
  if (status != 0) throw std::runtime_error("s3cmd " + args + " failed: " + out);
  return out;
}

std::vector<std::string> S3rverServer::keys(const std::string& bucket) const {
  std::vector<std::string> out;
  std::istringstream in(s3cmd("ls --recursive " + quote("s3://" + bucket + "/")));
  std::string prefix = "s3://" + bucket + "/";
  for (std::string line; std::getline(in, line);) {
    auto at = line.find(prefix);
    if (at != std::string::npos) out.push_back(line.substr(at + prefix.size()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string S3rverServer::get(const std::string& bucket, const std::string& key) const {
  std::string file = server_.dir() + "/got";
  s3cmd("get --force " + quote("s3://" + bucket + "/" + key) + " " + quote(file));
  std::string content = read_file(file);
  ::unlink(file.c_str());
  return content;
}

}  // namespace testsupport
