// S3Sink when the server answers 500 in the middle of a multipart upload.
// s3rver cannot be told to fail, so a stand-in proxy (cpp-httplib) sits
// between the sink and s3rver and answers 500 InternalError to the first
// UploadPart requests, passing everything else through.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include <httplib.h>

#include "connectors/s3/test/s3_test_support.h"
#include "support.h"

using namespace testsupport;
using namespace s3test;

namespace {
class FaultyProxy {
 public:
  FaultyProxy(int upstream_port, int failing_parts) : failures_left_(failing_parts) {
    auto pass = [this, upstream_port](const httplib::Request& req, httplib::Response& res) {
      if (req.method == "PUT" && req.target.find("partNumber=") != std::string::npos && failures_left_.fetch_sub(1) > 0) {
        res.status = 500;
        res.set_content("<Error><Code>InternalError</Code><Message>stand-in fault</Message></Error>", "application/xml");
        return;
      }
      httplib::Client up("127.0.0.1", upstream_port);
      up.set_url_encode(false);  // the target is passed as the sink encoded it
      httplib::Headers h;
      for (const auto& [k, v] : req.headers)
        if (k != "Host" && k != "Content-Length" && k != "Content-Type" && k.rfind("REMOTE_", 0) != 0 &&
            k.rfind("LOCAL_", 0) != 0)
          h.emplace(k, v);
      std::string type = req.get_header_value("Content-Type");
      auto r = [&]() -> httplib::Result {
        if (req.method == "GET") return up.Get(req.target, h);
        if (req.method == "HEAD") return up.Head(req.target, h);
        if (req.method == "PUT") return up.Put(req.target, h, req.body, type.c_str());
        if (req.method == "POST") return up.Post(req.target, h, req.body, type.c_str());
        return up.Delete(req.target, h);
      }();
      if (!r) {
        res.status = 502;
        return;
      }
      res.status = r->status;
      res.body = r->body;
      for (const char* name : {"ETag", "Content-Type"})
        if (r->has_header(name)) res.set_header(name, r->get_header_value(name));
    };
    server_.Get(".*", pass);
    server_.Put(".*", pass);
    server_.Post(".*", pass);
    server_.Delete(".*", pass);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // bind_to_any_port already listens: connections wait for the accept loop.
  }
  ~FaultyProxy() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int failures_left() const { return failures_left_.load(); }

 private:
  httplib::Server server_;
  std::atomic<int> failures_left_;
  int port_ = 0;
  std::thread thread_;
};

std::string via(const std::string& yaml, const S3rverServer& s3, const FaultyProxy& proxy) {
  std::string out = yaml;
  out.replace(out.find(s3.url()), s3.url().size(), proxy.url());
  return out;
}
}  // namespace

TEST_CASE("S3Sink retries a 500 in the middle of a multipart upload and fails cleanly when it persists", "[s3]") {
  S3rverServer s3;
  std::string input = json_lines(0, 120000);  // 5.6 MB: a part of 5 MiB and the rest
  const std::string extra = "    flush.size: 120000\n    s3.part.size: 5242880\n";
  {
    FaultyProxy proxy(s3.port(), 2);  // two failures: within s3.part.retries 3
    TempDir dir;
    write_file(dir / "in.txt", input);
    REQUIRE(run_in_process(via(sink_job(s3, SinkJob{.dir = dir.path(), .sink_extra = extra}), s3, proxy)));
    CHECK(proxy.failures_left() < 0);  // the failures were served, and the parts after them passed
    REQUIRE(s3.keys("test-bucket") == std::vector<std::string>{"topics/events/partition=0/events+0+0000000000.json"});
    CHECK(s3.get("test-bucket", "topics/events/partition=0/events+0+0000000000.json") == input);
  }
  {
    FaultyProxy proxy(s3.port(), 1000);  // every part fails: the task fails, nothing is written or committed
    TempDir dir;
    write_file(dir / "in.txt", input);
    CHECK_FALSE(run_in_process(via(sink_job(s3, SinkJob{.dir = dir.path(), .sink_extra = extra + "    topics.dir: failed\n"}),
                                   s3, proxy)));
    for (auto& k : s3.keys("test-bucket")) CHECK(k.rfind("failed/", 0) != 0);
    CHECK(stored_position(dir / "offsets.json") == -1);
  }
}
