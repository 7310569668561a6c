// Across the queue families over the Kafka bus (librdkafka's mock cluster in
// this process, as test/e2e_kafka_test.cpp): RabbitMQ -> bus -> MQTT and
// MQTT -> bus -> RabbitMQ, checked with amqp-tools and mosquitto-clients. And
// RabbitMQ over TLS (certificates made with openssl here) with an oversized
// record under the sink's error policy.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>

#include "connectors/mqtt/test/test_certs.h"
#include "kafka/mock_cluster.h"
#include "servers/mosquitto_server.h"
#include "servers/rabbitmq_server.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string amqp(const RabbitMQServer& b, const std::string& tool_args, int* status = nullptr) {
  return shell(fmt::format("{} -u {} 2>&1", tool_args, b.url()), status);
}

// Takes every message of `queue` (amqp-get, one at a time) until it is empty.
std::vector<std::string> drain(const RabbitMQServer& b, const std::string& queue) {
  std::vector<std::string> got;
  for (;;) {
    int status = 0;
    std::string body = shell(fmt::format("amqp-get -u {} -q {} 2>/dev/null", b.url(), queue), &status);
    if (status != 0) return got;
    got.push_back(body);
  }
}

}  // namespace

TEST_CASE("RabbitMQ to Kafka bus to MQTT and MQTT to Kafka bus to RabbitMQ", "[rabbitmq][mqtt][e2e]") {
  RabbitMQServer rabbit;
  MosquittoServer mqtt;
  connectrun::MockCluster bus(1, {{"from-rabbit", 1}, {"from-mqtt", 1}});
  TempDir dir;
  for (const char* q : {"bridge-in", "bridge-back"}) amqp(rabbit, fmt::format("amqp-declare-queue -d -q {}", q));
  const std::string checker = fmt::format("mosquitto_sub -p {} -q 1 -c -i bridge-check -t bridge/out ", mqtt.port());
  shell(checker + "-E");
  write_file(dir / "job.yaml", fmt::format(R"(worker:
  bootstrap.servers: {0}
  consumer.session.timeout.ms: 6000
  consumer.heartbeat.interval.ms: 500
  offset.storage.file.filename: {1}/offsets.json
  offset.flush.interval.ms: 200
  key.converter: JsonConverter
  key.converter.schemas.enable: false
  value.converter: ByteArrayConverter
connectors:
  - name: rabbit-in
    connector.class: com.github.jcustenborder.kafka.connect.rabbitmq.RabbitMQSourceConnector
    rabbitmq.host: 127.0.0.1
    rabbitmq.port: {2}
    rabbitmq.queue: bridge-in
    kafka.topic: from-rabbit
    transforms: body
    transforms.body.type: org.apache.kafka.connect.transforms.ExtractField$Value
    transforms.body.field: body
  - name: mqtt-out
    connector.class: io.confluent.connect.mqtt.MqttSinkConnector
    mqtt.server.uri: {3}
    topics: from-rabbit
    mqtt.topic: bridge/out
    mqtt.qos: 1
  - name: mqtt-in
    connector.class: io.confluent.connect.mqtt.MqttSourceConnector
    mqtt.server.uri: {3}
    mqtt.topics: bridge/back
    kafka.topic: from-mqtt
    mqtt.qos: 1
    mqtt.clean.session.enabled: false
    mqtt.client.id: bridge-in
  - name: rabbit-out
    connector.class: com.github.jcustenborder.kafka.connect.rabbitmq.RabbitMQSinkConnector
    rabbitmq.host: 127.0.0.1
    rabbitmq.port: {2}
    topics: from-mqtt
    rabbitmq.routing.key: bridge-back
)", bus.bootstrap(), dir.path(), rabbit.port(), mqtt.uri()));
  Process run({"run", dir / "job.yaml"}, dir / "run.log");
  REQUIRE(eventually([&] { return read_file(dir / "run.log").find("subscribed to") != std::string::npos; }, 60s));
  for (int i = 1; i <= 3; ++i) amqp(rabbit, fmt::format("amqp-publish -r bridge-in -b rabbit-{}", i));
  for (int i = 1; i <= 2; ++i) shell(fmt::format("mosquitto_pub -p {} -q 1 -t bridge/back -m mqtt-{}", mqtt.port(), i));

  // RabbitMQ -> bus -> MQTT: the bodies, in order, on bridge/out.
  CHECK(shell(checker + "-C 3 -W 60") == "rabbit-1\nrabbit-2\nrabbit-3\n");
  // MQTT -> bus -> RabbitMQ: the payloads in the queue bridge-back.
  std::vector<std::string> back;
  CHECK(eventually([&] {
    for (auto& b : drain(rabbit, "bridge-back")) back.push_back(b);
    return back.size() >= 2;
  }, 60s));
  CHECK(back == std::vector<std::string>{"mqtt-1", "mqtt-2"});
  run.signal(SIGTERM);
  CHECK(run.wait(30s) == 0);
  INFO(read_file(dir / "run.log"));
  // Both queues' messages were acknowledged after delivery: nothing left in bridge-in.
  CHECK(drain(rabbit, "bridge-in").empty());
}

TEST_CASE("RabbitMQ over TLS with peer verification on and off a wrong CA and an oversized record",
          "[rabbitmq][e2e]") {
  TempDir certs_dir;
  const TestCerts certs = make_test_certs(certs_dir);
  RabbitMQServer rabbit(RabbitMQTls{certs.ca, certs.server_cert, certs.server_key});
  TempDir dir;
  for (const char* q : {"tls-in", "tls-out"}) amqp(rabbit, fmt::format("amqp-declare-queue -d -q {}", q));
  const auto job = [&](const std::string& tls_keys, const std::string& sink_extra = "") {
    return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: rabbit-in
    connector.class: RabbitMQSource
    rabbitmq.host: localhost
    rabbitmq.port: {1}
    rabbitmq.ssl: true
{2}    rabbitmq.queue: tls-in
    kafka.topic: msgs
    transforms: body
    transforms.body.type: org.apache.kafka.connect.transforms.ExtractField$Value
    transforms.body.field: body
    value.converter: ByteArrayConverter
  - name: rabbit-out
    connector.class: RabbitMQSink
    rabbitmq.host: localhost
    rabbitmq.port: {1}
    rabbitmq.ssl: true
{2}    topics: msgs
    rabbitmq.routing.key: tls-out
    value.converter: ByteArrayConverter
    rabbitmq.max.message.bytes: 100
{3})", dir.path(), rabbit.tls_port(), tls_keys, sink_extra);
  };
  const std::string big(300, 'x');

  // Verified against the right CA (host name localhost checked); the sink's error policy skips the
  // oversized record and publishes the others.
  for (const std::string& b : {std::string("tls-1"), big, std::string("tls-2")})
    amqp(rabbit, "amqp-publish -r tls-in -b " + b);
  write_file(dir / "ca.yaml", job(fmt::format("    rabbitmq.ssl.ca.location: {}\n", certs.ca),
                                  "    errors.tolerance: all\n"));
  auto ok = run_connectrun({"run", "--once", dir / "ca.yaml"}, 90s);
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ok.err.find("the body of 300 bytes is larger than rabbitmq.max.message.bytes (100)") != std::string::npos);
  CHECK(drain(rabbit, "tls-out") == std::vector<std::string>{"tls-1", "tls-2"});
  CHECK(drain(rabbit, "tls-in").empty());

  // Not tolerated: the oversized record fails the task, naming it.
  amqp(rabbit, "amqp-publish -r tls-in -b " + big);
  write_file(dir / "strict.yaml", job(fmt::format("    rabbitmq.ssl.ca.location: {}\n", certs.ca)));
  auto strict = run_connectrun({"run", "--once", dir / "strict.yaml"}, 90s);
  INFO(strict.err);
  CHECK(strict.exit_code != 0);
  CHECK(strict.err.find("larger than rabbitmq.max.message.bytes (100)") != std::string::npos);
  CHECK(drain(rabbit, "tls-out").empty());
  CHECK(drain(rabbit, "tls-in").size() == 1);  // not acknowledged: still there

  // verify.peer off: no CA given, yet it connects.
  amqp(rabbit, "amqp-publish -r tls-in -b tls-3");
  write_file(dir / "noverify.yaml", job("    rabbitmq.ssl.verify.peer: false\n    rabbitmq.ssl.verify.hostname: false\n"));
  auto nv = run_connectrun({"run", "--once", dir / "noverify.yaml"}, 90s);
  INFO(nv.err);
  CHECK(nv.exit_code == 0);
  CHECK(drain(rabbit, "tls-out") == std::vector<std::string>{"tls-3"});

  // A wrong CA: a clear error naming the TLS check and the key.
  write_file(dir / "wrong.yaml", job(fmt::format("    rabbitmq.ssl.ca.location: {}\n", certs.wrong_ca)));
  auto wrong = run_connectrun({"run", "--once", dir / "wrong.yaml"}, 90s);
  INFO(wrong.err);
  CHECK(wrong.exit_code != 0);
  CHECK(wrong.err.find("TLS handshake failed") != std::string::npos);
  CHECK(wrong.err.find("rabbitmq.ssl.ca.location") != std::string::npos);
}
