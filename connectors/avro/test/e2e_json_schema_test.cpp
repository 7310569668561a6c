// JsonSchemaConverter in a running job: DataGen's structs → the Kafka bus
// (librdkafka's mock cluster, in this process) as JSON Schema messages through
// the STAND-IN Schema Registry → FileStreamSink; the same job with Kafka's
// JsonConverter on the bus writes the same lines. kcat takes the raw bytes off
// the topic and @kafkajs/confluent-schema-registry decodes them.
#include <catch2/catch.hpp>

#include <csignal>

#include <fmt/format.h>

#include "connectors/avro/test/registry_test_helpers.h"
#include "kafka/mock_cluster.h"
#include "servers/schema_registry_server.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;
using connectrun::MockCluster;

namespace {

// `converter_keys`: the worker's value.converter and its keys, as YAML lines.
std::string job(const std::string& dir, const std::string& bootstrap, const std::string& converter_keys,
                const std::string& out) {
  return fmt::format(R"(worker:
{0}  offset.storage.file.filename: {1}/offsets-{3}.json
  offset.flush.interval.ms: 200
  key.converter: StringConverter
{2}connectors:
  - name: gen
    connector.class: DataGen
    quickstart: users
    iterations: 30
    max.interval: 0
    random.seed: 7
    kafka.topic: users
  - name: snk
    connector.class: FileStreamSink
    file: {1}/{3}
    topics: users
)",
                     bootstrap.empty() ? "" : fmt::format("  bootstrap.servers: {}\n", bootstrap), dir, converter_keys,
                     out);
}

std::string json_schema_keys(const std::string& registry) {
  return fmt::format("  value.converter: io.confluent.connect.json.JsonSchemaConverter\n"
                     "  value.converter.schema.registry.url: {}\n",
                     registry);
}

// Runs the job until the sink wrote 30 lines; returns them.
std::vector<std::string> run_job(const TempDir& dir, const std::string& yaml, const std::string& out) {
  write_file(dir / ("job-" + out + ".yaml"), yaml);
  Process p({"run", dir / ("job-" + out + ".yaml")}, dir / ("log-" + out + ".txt"));
  bool got = eventually([&] { return read_lines(dir / out).size() >= 30; }, 30s);
  p.signal(SIGTERM);
  CHECK(p.wait(20s) == 0);
  INFO(read_file(dir / ("log-" + out + ".txt")));
  REQUIRE(got);
  return read_lines(dir / out);
}

}  // namespace

TEST_CASE("json schema: DataGen → Kafka bus with JsonSchemaConverter → FileStreamSink, the records JsonConverter carries",
          "[kafka][e2e][avro]") {
  TempDir dir;
  SchemaRegistryStandIn registry;
  MockCluster b(1, {{"users", 1}});
  auto lines = run_job(dir, job(dir.path(), b.bootstrap(), json_schema_keys(registry.url()), "out-jsonschema.txt"),
                       "out-jsonschema.txt");
  // One registration (source) and, on the sink side, one schema fetch and one version lookup.
  CHECK(registry.requests() == 3);

  MockCluster b2(1, {{"users", 1}});
  auto with_json = run_job(dir, job(dir.path(), b2.bootstrap(), "  value.converter: JsonConverter\n", "out-json.txt"),
                           "out-json.txt");
  CHECK(lines == with_json);

  int status = 0;
  std::string bytes = shell(fmt::format("kcat -b {} -C -t users -o 0 -c 1 -e -q -f '%s' 2>/dev/null", b.bootstrap()), &status);
  REQUIRE(status == 0);
  REQUIRE(bytes.size() > 5);
  CHECK(bytes.substr(0, 5) == std::string("\x00\x00\x00\x00\x01", 5));
  CHECK(bytes.substr(5, 16) == R"({"registertime":)");
  std::string decoded = registrytest::node_script(
      "json_schema_check.js", fmt::format("decode {} {}", registry.url(), registrytest::hex(bytes)));
  std::string userid = decoded.substr(decoded.find("\"userid\":\"") + 10);
  userid = userid.substr(0, userid.find('"'));
  CHECK(!userid.empty());
  CHECK(lines[0].find("\"userid\":\"" + userid + "\"") != std::string::npos);
}

TEST_CASE("json schema: --dry-run shows the JSON Schema messages in Confluent's wire format", "[e2e][avro]") {
  TempDir dir;
  SchemaRegistryStandIn registry;
  write_file(dir / "job.yaml", job(dir.path(), "", json_schema_keys(registry.url()), "out.txt"));
  auto r = run_connectrun({"run", "--dry-run", dir / "job.yaml"}, 30s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find(R"(value=\x00\x00\x00\x00\x01{"registertime":)") != std::string::npos);
}

TEST_CASE("json schema: a JsonSchemaConverter key connectrun does not have is refused by validate", "[e2e][avro]") {
  TempDir dir;
  write_file(dir / "job.yaml",
             job(dir.path(), "", json_schema_keys("http://127.0.0.1:1") + "  value.converter.json.value.type: x\n", "out.txt"));
  auto r = run_connectrun({"validate", dir / "job.yaml"}, 30s);
  CHECK(r.exit_code != 0);
  CHECK((r.out + r.err).find("unknown key for JsonSchemaConverter") != std::string::npos);
}

TEST_CASE("json schema: a message without the magic byte fails the sink, or is skipped with errors.tolerance=all",
          "[kafka][e2e][avro]") {
  TempDir dir;
  SchemaRegistryStandIn registry;
  MockCluster b(1, {{"mixed", 1}});
  // A message @kafkajs/confluent-schema-registry writes, one that is plain JSON, and the first again.
  std::string good = registrytest::unhex(registrytest::node_script(
      "json_schema_check.js", fmt::format("encode {} mixed-value {} {}", registry.url(),
                                          registrytest::quote(R"({"type":"object","properties":{"a":{"type":"integer"}}})"),
                                          registrytest::quote(R"({"a":1})"))));
  write_file(dir / "messages.txt", good + "\n{\"a\":2}\n" + good + "\n");
  kcat_write(b.bootstrap(), "mixed", dir / "messages.txt", false);
  auto sink = [&](const std::string& tolerance) {
    return fmt::format(R"(worker:
  bootstrap.servers: {0}
  offset.storage.file.filename: {1}/offsets.json
  key.converter: StringConverter
{2}connectors:
  - name: snk-{3}
    connector.class: FileStreamSink
    file: {1}/out-{3}.txt
    topics: mixed
    errors.tolerance: {3}
)",
                       b.bootstrap(), dir.path(), json_schema_keys(registry.url()), tolerance);
  };
  write_file(dir / "none.yaml", sink("none"));
  auto failed = run_connectrun({"run", "--once", dir / "none.yaml"}, 30s);
  CHECK(failed.exit_code != 0);
  CHECK(failed.err.find("Unknown magic byte") != std::string::npos);
  CHECK(failed.err.find("topic mixed") != std::string::npos);

  write_file(dir / "all.yaml", sink("all"));
  auto skipped = run_connectrun({"run", "--once", dir / "all.yaml"}, 30s);
  INFO(skipped.err);
  CHECK(skipped.exit_code == 0);
  auto lines = read_lines(dir / "out-all.txt");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("\"a\":1") != std::string::npos);
}

TEST_CASE("json schema: the same job on the in-process bus converts through the registry too", "[e2e][avro]") {
  TempDir dir;
  SchemaRegistryStandIn registry;
  auto lines = run_job(dir, job(dir.path(), "", json_schema_keys(registry.url()), "out.txt"), "out.txt");
  CHECK(lines[0].rfind("{\"registertime\":", 0) == 0);
  CHECK(registry.requests() == 3);  // registered by the source side, fetched and looked up by the sink side
}
