// RabbitMQ connectors without a broker: the keys connectrun refuses or checks,
// and a broker that is not there (retries, then a clear error).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <chrono>
#include <string>

#include "support.h"
#include "servers/test_server.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string source_job(const std::string& dir, int port, const std::string& extra) {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: rmq
    connector.class: com.github.jcustenborder.kafka.connect.rabbitmq.RabbitMQSourceConnector
    rabbitmq.host: 127.0.0.1
    rabbitmq.port: {1}
    rabbitmq.queue: q
    kafka.topic: msgs
{2}  - name: out
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: msgs
)", dir, port, extra);
}

}  // namespace

TEST_CASE("RabbitMQ keys connectrun does not implement are refused with a message naming them", "[rabbitmq]") {
  TempDir dir;
  struct Case {
    std::string extra, expect;
  };
  for (const Case& c : {Case{"    rabbitmq.topology.recovery.enabled: false\n", "not supported by connectrun"},
                        Case{"    kafka.topic: rabbit.${envelope.routingKey}\n", "templates"},
                        Case{"    rabbitmq.requested.frame.max: 100\n", "at least 4096"},
                        Case{"    rabbitmq.prefetch.count: -1\n", "rabbitmq.prefetch.count"},
                        Case{"    rabbitmq.ssl.certificate.location: /nonexistent.pem\n", "go together"}}) {
    // A later duplicate key would be refused as such: kafka.topic is replaced instead.
    std::string job = source_job(dir.path(), 5672, c.extra);
    if (c.extra.find("kafka.topic") != std::string::npos) job.replace(job.find("    kafka.topic: msgs\n"), 22, "");
    write_file(dir / "job.yaml", job);
    auto r = run_connectrun({"validate", dir / "job.yaml"});
    INFO(c.extra << r.err << r.out);
    CHECK(r.exit_code == 2);
    CHECK((r.err + r.out).find(c.expect) != std::string::npos);
  }
  // The sink: auto.create needs a routing key to name the queue.
  write_file(dir / "sink.yaml", fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: in
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: lines
  - name: rmq
    connector.class: RabbitMQSinkConnector
    topics: lines
    rabbitmq.routing.key: ""
    rabbitmq.auto.create: true
)", dir.path()));
  auto r = run_connectrun({"validate", dir / "sink.yaml"});
  INFO(r.err << r.out);
  CHECK(r.exit_code == 2);
  CHECK((r.err + r.out).find("needs rabbitmq.routing.key") != std::string::npos);
}

TEST_CASE("RabbitMQ broker down at start: the source retries within errors.retry.timeout then names the broker",
          "[rabbitmq][e2e]") {
  TempDir dir;
  const int port = free_local_port();  // nothing listens there
  write_file(dir / "job.yaml", source_job(dir.path(), port,
                                          "    errors.retry.timeout: 3000\n    errors.retry.delay.max.ms: 500\n"));
  const auto started = std::chrono::steady_clock::now();
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  const auto took = std::chrono::steady_clock::now() - started;
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK(r.err.find(fmt::format("cannot connect to rabbitmq 127.0.0.1:{} vhost /", port)) != std::string::npos);
  CHECK(r.err.find("attempt") != std::string::npos);  // it retried
  CHECK(took >= 2s);
}
