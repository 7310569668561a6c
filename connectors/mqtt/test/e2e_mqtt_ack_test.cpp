// MqttSource acknowledges a QoS 1 message only after its record was
// delivered (connectrun's own MQTT client): a failed delivery and kill -9
// leave messages with the broker's persistent session, which sends them
// again. Oversized messages go to the error policy in the source and the
// sink. TLS with the broker's own TLS listener. Real mosquitto brokers;
// mosquitto_pub / mosquitto_sub on the other side.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>

#include "connectors/mqtt/test/test_certs.h"
#include "servers/mosquitto_server.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

// MqttSource (persistent session `client`, QoS 1, topic filter ack/#) -> FileStreamSink `out`.
std::string source_job(const std::string& dir, const std::string& uri, const std::string& out,
                       const std::string& source_extra = "") {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: ByteArrayConverter
connectors:
  - name: mqtt-in
    connector.class: MqttSource
    mqtt.server.uri: {1}
    mqtt.topics: ack/#
    kafka.topic: msgs
    mqtt.qos: 1
    mqtt.clean.session.enabled: false
    mqtt.client.id: ack-test
{3}  - name: out
    connector.class: FileStreamSink
    file: {2}
    topics: msgs
    value.converter: StringConverter
)", dir, uri, out, source_extra);
}

}  // namespace

TEST_CASE("MQTT source acknowledges only after delivery so kill -9 and failed deliveries lose nothing",
          "[mqtt][e2e]") {
  MosquittoServer broker;
  TempDir dir;
  const std::string out = dir / "out.txt";
  const std::string pub = fmt::format("mosquitto_pub -p {} -q 1 ", broker.port());
  // The persistent session exists before anything is published (as after a first run).
  shell(fmt::format("mosquitto_sub -p {} -c -i ack-test -q 1 -t 'ack/#' -E", broker.port()));

  // 1. A record that fails after it was polled (a transform error, errors.tolerance=none): the task fails,
  //    its message was never acknowledged, and the next run gets it.
  shell(pub + "-t ack/one -m first");
  write_file(dir / "fail.yaml",
             source_job(dir.path(), broker.uri(), out,
                        "    transforms: body\n    transforms.body.type: org.apache.kafka.connect.transforms."
                        "ExtractField$Value\n    transforms.body.field: body\n"));
  auto failed = run_connectrun({"run", "--once", dir / "fail.yaml"}, 60s);
  INFO(failed.err);
  CHECK(failed.exit_code != 0);
  CHECK(read_lines(out).empty());
  write_file(dir / "job.yaml", source_job(dir.path(), broker.uri(), out));
  auto again = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  INFO(again.err);
  CHECK(again.exit_code == 0);
  REQUIRE(read_lines(out) == std::vector<std::string>{"first"});

  // 2. kill -9 in the middle of a stream, a publisher running (20 chunks of 150 over ~2 s or more).
  std::remove(out.c_str());
  std::thread publisher([&] {
    shell(fmt::format("for c in $(seq 0 19); do seq $((c*150+1)) $((c*150+150)) | mosquitto_pub -p {} -q 1 "
                      "-t ack/k -l; sleep 0.1; done",
                      broker.port()));
  });
  {
    Process run({"run", dir / "job.yaml"}, dir / "run1.log");
    const bool started = eventually([&] { return read_lines(out).size() >= 300; }, 60s);
    run.signal(SIGKILL);
    CHECK(run.wait(30s) == 128 + SIGKILL);
    publisher.join();
    INFO(read_file(dir / "run1.log"));
    REQUIRE(started);
  }
  const size_t before_restart = read_lines(out).size();
  CHECK(before_restart < 3000);  // killed in the middle
  {
    Process run({"run", dir / "job.yaml"}, dir / "run2.log");
    const auto complete = [&] {
      std::set<std::string> got;
      for (auto& l : read_lines(out)) got.insert(l);
      return got.size() == 3000;
    };
    const bool all = eventually(complete, 90s);
    INFO(read_file(dir / "run2.log"));
    CHECK(all);
    // A clean run: the rest published while it runs arrives, then SIGTERM acknowledges everything.
    shell(pub + "-t ack/k -m after-restart");
    CHECK(eventually([&] { return read_lines(out).back() == "after-restart"; }, 60s));
    run.signal(SIGTERM);
    CHECK(run.wait(30s) == 0);
  }
  const auto lines = read_lines(out);
  std::set<std::string> distinct(lines.begin(), lines.end());
  CHECK(distinct.size() == 3001);
  for (int i = 1; i <= 3000; ++i) CHECK(distinct.count(std::to_string(i)) == 1);
  // Duplicates only for messages not yet acknowledged when killed (bounded by what was in flight).
  INFO("duplicates: " << lines.size() - distinct.size());
  CHECK(lines.size() - distinct.size() <= before_restart + 100);
  // Everything was acknowledged at the clean stop: a new run finds nothing to redeliver.
  auto after = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  INFO(after.err);
  CHECK(after.exit_code == 0);
  CHECK(read_lines(out).size() == lines.size());
}

TEST_CASE("MQTT oversized messages go to the error policy in the source and the sink", "[mqtt][e2e]") {
  MosquittoServer broker;
  TempDir dir;
  const std::string out = dir / "out.txt";
  const std::string pub = fmt::format("mosquitto_pub -p {} -q 1 ", broker.port());
  shell(fmt::format("mosquitto_sub -p {} -c -i ack-test -q 1 -t 'ack/#' -E", broker.port()));
  const std::string big(300, 'x');
  shell(pub + "-t ack/a -m small-1");
  shell(pub + "-t ack/a -m " + big);
  shell(pub + "-t ack/a -m small-2");

  // Not tolerated: the task fails, naming the message and the key.
  write_file(dir / "strict.yaml", source_job(dir.path(), broker.uri(), out, "    mqtt.max.message.bytes: 100\n"));
  auto strict = run_connectrun({"run", "--once", dir / "strict.yaml"}, 60s);
  INFO(strict.err);
  CHECK(strict.exit_code != 0);
  CHECK(strict.err.find("mqtt topic ack/a message id") != std::string::npos);
  CHECK(strict.err.find("payload of 300 bytes is larger than mqtt.max.message.bytes (100)") != std::string::npos);

  // Tolerated: skipped and counted, the others delivered; the skipped one is acknowledged (not sent again).
  write_file(dir / "lenient.yaml", source_job(dir.path(), broker.uri(), out,
                                              "    mqtt.max.message.bytes: 100\n    errors.tolerance: all\n"
                                              "    errors.log.enable: true\n"));
  auto lenient = run_connectrun({"run", "--once", dir / "lenient.yaml"}, 60s);
  INFO(lenient.err);
  CHECK(lenient.exit_code == 0);
  CHECK(read_lines(out) == std::vector<std::string>{"small-1", "small-2"});
  CHECK(lenient.err.find("larger than mqtt.max.message.bytes") != std::string::npos);
  auto none_left = run_connectrun({"run", "--once", dir / "lenient.yaml"}, 60s);
  CHECK(none_left.exit_code == 0);
  CHECK(read_lines(out).size() == 2);

  // The sink: a line longer than mqtt.max.message.bytes is skipped under errors.tolerance=all.
  write_file(dir / "in.txt", "line-1\n" + big + "\nline-2\n");
  const std::string sub = fmt::format("mosquitto_sub -p {} -q 1 -c -i sink-check -t out/t ", broker.port());
  shell(sub + "-E");
  const auto sink_job = [&](const std::string& extra) {
    return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/sink-offsets-{2}.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: in
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: lines
    key.converter: StringConverter
    value.converter: StringConverter
  - name: mqtt-out
    connector.class: MqttSink
    mqtt.server.uri: {1}
    topics: lines
    mqtt.topic: out/t
    mqtt.qos: 1
    mqtt.max.message.bytes: 100
    key.converter: StringConverter
    value.converter: StringConverter
{3})", dir.path(), broker.uri(), extra.empty() ? "strict" : "lenient", extra);
  };
  write_file(dir / "sink-strict.yaml", sink_job(""));
  auto sink_strict = run_connectrun({"run", "--once", dir / "sink-strict.yaml"}, 60s);
  INFO(sink_strict.err);
  CHECK(sink_strict.exit_code != 0);
  CHECK(sink_strict.err.find("payload of 300 bytes is larger than mqtt.max.message.bytes (100)") != std::string::npos);
  shell(sub + "-W 3");  // drop what the failed run published
  write_file(dir / "sink-lenient.yaml", sink_job("    errors.tolerance: all\n"));
  auto sink_lenient = run_connectrun({"run", "--once", dir / "sink-lenient.yaml"}, 60s);
  INFO(sink_lenient.err);
  CHECK(sink_lenient.exit_code == 0);
  CHECK(shell(sub + "-C 2 -W 10") == "line-1\nline-2\n");
}

TEST_CASE("MQTT over TLS with peer verification on and off and a wrong CA named", "[mqtt][e2e]") {
  TempDir certs_dir;
  const TestCerts certs = make_test_certs(certs_dir);
  MosquittoServer broker("", "", MosquittoTls{certs.ca, certs.server_cert, certs.server_key});
  TempDir dir;
  const std::string out = dir / "out.txt";
  const auto job = [&](const std::string& tls_keys) {
    return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: ByteArrayConverter
connectors:
  - name: mqtt-in
    connector.class: MqttSource
    mqtt.server.uri: {1}
    mqtt.topics: tls/in
    kafka.topic: msgs
    mqtt.qos: 1
    mqtt.clean.session.enabled: false
    mqtt.client.id: tls-source
{2}  - name: mqtt-out
    connector.class: MqttSink
    mqtt.server.uri: {1}
    topics: msgs
    mqtt.topic: tls/out
    mqtt.qos: 1
{2}  - name: out
    connector.class: FileStreamSink
    file: {3}
    topics: msgs
    value.converter: StringConverter
)", dir.path(), broker.tls_uri("localhost"), tls_keys, out);
  };
  // The source's session exists; a checker's persistent session collects what the sink publishes.
  const std::string sub_tls = fmt::format("mosquitto_sub -p {} --cafile {} -q 1 ", broker.tls_port(), certs.ca);
  shell(sub_tls + "-c -i tls-source -t tls/in -E");
  const std::string checker = fmt::format("mosquitto_sub -p {} -q 1 -c -i tls-check -t tls/out ", broker.port());
  shell(checker + "-E");
  shell(fmt::format("mosquitto_pub -p {} --cafile {} -q 1 -t tls/in -m over-tls-1", broker.tls_port(), certs.ca));

  // Verified against the right CA (host name localhost checked).
  write_file(dir / "ca.yaml", job(fmt::format("    mqtt.ssl.ca.location: {}\n", certs.ca)));
  auto ok = run_connectrun({"run", "--once", dir / "ca.yaml"}, 60s);
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(read_lines(out) == std::vector<std::string>{"over-tls-1"});
  CHECK(shell(checker + "-C 1 -W 10") == "over-tls-1\n");

  // verify.peer off: the system CAs do not know this CA, yet it connects.
  shell(fmt::format("mosquitto_pub -p {} --cafile {} -q 1 -t tls/in -m over-tls-2", broker.tls_port(), certs.ca));
  write_file(dir / "noverify.yaml", job("    mqtt.ssl.verify.peer: false\n"));
  auto nv = run_connectrun({"run", "--once", dir / "noverify.yaml"}, 60s);
  INFO(nv.err);
  CHECK(nv.exit_code == 0);
  CHECK(read_lines(out) == std::vector<std::string>{"over-tls-1", "over-tls-2"});
  CHECK(shell(checker + "-C 1 -W 10") == "over-tls-2\n");

  // A wrong CA: a clear error naming the certificate check and the key, not retried forever.
  write_file(dir / "wrong.yaml", job(fmt::format("    mqtt.ssl.ca.location: {}\n", certs.wrong_ca)));
  auto wrong = run_connectrun({"run", "--once", dir / "wrong.yaml"}, 60s);
  INFO(wrong.err);
  CHECK(wrong.exit_code != 0);
  CHECK(wrong.err.find("certificate") != std::string::npos);
  CHECK(wrong.err.find("mqtt.ssl.ca.location") != std::string::npos);
}
