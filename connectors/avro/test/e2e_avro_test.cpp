// AvroConverter in a running job: DataGen's structs → the Kafka bus (librdkafka's
// mock cluster, in this process) as Avro through the STAND-IN Schema Registry →
// FileStreamSink reading them back; kcat takes the raw bytes off the topic and
// @kafkajs/confluent-schema-registry decodes them from the same registry.
#include <catch2/catch.hpp>

#include <csignal>

#include <fmt/format.h>

#include "kafka/mock_cluster.h"
#include "connectors/avro/test/registry_test_helpers.h"
#include "servers/schema_registry_server.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;
using connectrun::MockCluster;
using registrytest::hex;

namespace {

std::string job(const std::string& dir, const std::string& bootstrap, const std::string& registry) {
  return fmt::format(R"(worker:
{0}  offset.storage.file.filename: {1}/offsets.json
  offset.flush.interval.ms: 200
  key.converter: StringConverter
  value.converter: io.confluent.connect.avro.AvroConverter
  value.converter.schema.registry.url: {2}
connectors:
  - name: gen
    connector.class: DataGen
    quickstart: users
    iterations: 30
    max.interval: 0
    random.seed: 7
    kafka.topic: users
  - name: snk
    connector.class: FileStreamSink
    file: {1}/out.txt
    topics: users
)",
                     bootstrap.empty() ? "" : fmt::format("  bootstrap.servers: {}\n", bootstrap), dir, registry);
}

}  // namespace

TEST_CASE("avro: DataGen → Kafka bus as Avro → FileStreamSink — kafkajs decodes the topic's bytes", "[kafka][e2e][avro]") {
  TempDir dir;
  SchemaRegistryStandIn registry;
  MockCluster b(1, {{"users", 1}});
  write_file(dir / "job.yaml", job(dir.path(), b.bootstrap(), registry.url()));
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  bool got = eventually([&] { return read_lines(dir / "out.txt").size() >= 30; }, 30s);
  p.signal(SIGTERM);
  CHECK(p.wait(20s) == 0);
  INFO(read_file(dir / "log.txt"));
  REQUIRE(got);
  auto lines = read_lines(dir / "out.txt");
  CHECK(lines[0].rfind("{\"registertime\":", 0) == 0);
  // One registration (source) and, on the sink side, one schema fetch and one version lookup.
  CHECK(registry.requests() == 3);

  int status = 0;
  std::string bytes = shell(fmt::format("kcat -b {} -C -t users -o 0 -c 1 -e -q -f '%s' 2>/dev/null", b.bootstrap()), &status);
  REQUIRE(status == 0);
  REQUIRE(bytes.size() > 5);
  CHECK(bytes.substr(0, 5) == std::string("\x00\x00\x00\x00\x01", 5));
  std::string decoded = shell(fmt::format(
      "NODE_PATH=/usr/local/lib/connectrun-test/node_modules node {}/connectors/avro/test/avro_check.js decode {} {} 2>&1",
      CONNECTRUN_SOURCE_DIR, registry.url(), hex(bytes)), &status);
  INFO(decoded);
  REQUIRE(status == 0);
  // The sink's line for the first record holds the values kafkajs read.
  std::string userid = decoded.substr(decoded.find("\"userid\":\"") + 10);
  userid = userid.substr(0, userid.find('"'));
  CHECK(!userid.empty());
  CHECK(lines[0].find("\"userid\":\"" + userid + "\"") != std::string::npos);
}

TEST_CASE("avro: --dry-run shows the Avro bytes in Confluent's wire format", "[e2e][avro]") {
  TempDir dir;
  SchemaRegistryStandIn registry;
  write_file(dir / "job.yaml", job(dir.path(), "", registry.url()));
  auto r = run_connectrun({"run", "--dry-run", dir / "job.yaml"}, 30s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("value=\\x00\\x00\\x00\\x00\\x01") != std::string::npos);
}
