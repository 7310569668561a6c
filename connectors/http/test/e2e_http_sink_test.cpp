// HttpSink end to end: the connectrun binary runs FileStreamSource → HttpSink
// against an HTTP server in the test process.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "support.h"
#include "http_test_server.h"

using namespace testsupport;
using namespace httptest;
using namespace std::chrono_literals;

namespace {

std::string http_job(const TempDir& dir, const std::string& url, const std::string& sink_extra = "") {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: src
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: lines
  - name: snk
    connector.class: io.aiven.kafka.connect.http.HttpSinkConnector
    topics: lines
    http.url: {1}
    http.authorization.type: none
    retry.backoff.ms: 10
{2})",
                     dir.path(), url, sink_extra);
}

}  // namespace

TEST_CASE("HttpSink end to end: every line arrives once in order and a run again sends nothing", "[e2e][http][httpsink]") {
  ScheduledServer server;
  TempDir dir;
  std::string in;
  std::vector<std::string> lines;
  for (int i = 0; i < 1000; ++i) {
    lines.push_back(fmt::format("line {}", i));
    in += lines.back() + "\n";
  }
  write_file(dir / "in.txt", in);
  write_file(dir / "job.yaml", http_job(dir, server.url(),
                                        "    batching.enabled: true\n    batch.max.size: 100\n"
                                        "    batch.prefix: \"[\"\n    batch.separator: \",\"\n    batch.suffix: \"]\"\n"));
  server.schedule({{.status = 503, .retry_after = "0"}});  // the first request is retried once
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto bodies = server.bodies();
  REQUIRE(bodies.size() >= 11);
  CHECK(bodies[0] == bodies[1]);
  std::vector<std::string> got;
  for (size_t i = 1; i < bodies.size(); ++i) {
    const std::string& b = bodies[i];
    REQUIRE(b.size() >= 2);
    CHECK(b.front() == '[');
    CHECK(b.back() == ']');
    size_t start = 1;
    size_t n = 0;
    for (;;) {
      size_t comma = b.find(',', start);
      got.push_back(b.substr(start, (comma == std::string::npos ? b.size() - 1 : comma) - start));
      ++n;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    CHECK(n <= 100);
  }
  CHECK(got == lines);  // every line once, in order

  auto again = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(server.bodies().size() == bodies.size());  // positions were stored after the 2xx: nothing read again
}

TEST_CASE("HttpSink end to end: a record answered 400 goes to the dead letter queue under errors.tolerance=all", "[e2e][http][httpsink]") {
  ScheduledServer server;
  TempDir dir;
  write_file(dir / "in.txt", "1\n2\n3\n4\n5\n");
  write_file(dir / "job.yaml", http_job(dir, server.url(),
                                        "    errors.tolerance: all\n"
                                        "    errors.deadletterqueue.topic.name: dlq\n"
                                        "    errors.deadletterqueue.context.headers.enable: true\n") +
                                   fmt::format(R"(  - name: dlq-sink
    connector.class: FileStreamSink
    file: {}/dlq.txt
    topics: dlq
)",
                                               dir.path()));
  server.schedule({{.status = 200}, {.status = 400, .body = "value 2 is not allowed"}});
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(server.bodies() == std::vector<std::string>{"1", "2", "3", "4", "5"});
  CHECK(read_file(dir / "dlq.txt") == "2\n");
  CHECK(r.err.find("answered HTTP 400 for a batch of 1 record(s); response body: value 2 is not allowed") !=
        std::string::npos);
  CHECK(r.err.find("connector 'snk': 5 read, 5 written, 0 skipped, 1 dead-lettered") != std::string::npos);
}

TEST_CASE("HttpSink end to end: an endpoint that is down fails the run within errors.retry.timeout naming it", "[e2e][http][httpsink]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\nb\n");
  const std::string url = fmt::format("http://127.0.0.1:{}/down", closed_port());
  write_file(dir / "job.yaml", http_job(dir, url, "    max.retries: 2\n    errors.retry.timeout: 2000\n"));
  const auto started = std::chrono::steady_clock::now();
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("POST " + url + " failed: ") != std::string::npos);
  CHECK(r.err.find("after 2 retries") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started < 40s);  // gave up, did not hang
}
