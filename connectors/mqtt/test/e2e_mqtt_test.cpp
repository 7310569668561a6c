// MQTT connectors against real mosquitto brokers (test/servers/mosquitto_server):
// mosquitto_pub feeds MqttSource, mosquitto_sub checks what MqttSink published.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "child_process.h"
#include "servers/mosquitto_server.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string source_connector(const std::string& uri, const std::string& extra) {
  return fmt::format(R"(  - name: mqtt-in
    connector.class: io.confluent.connect.mqtt.MqttSourceConnector
    mqtt.server.uri: {}
    mqtt.topics: sensors/+,alerts/#
    kafka.topic: msgs
    mqtt.qos: 1
{})", uri, extra);
}

std::string worker(const std::string& dir) {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {}/offsets.json
  key.converter: StringConverter
  value.converter: ByteArrayConverter
connectors:
)", dir);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("MQTT to file and file to MQTT and MQTT to MQTT with topics from keys and retained messages", "[mqtt][e2e]") {
  MosquittoServer broker;
  MosquittoServer other;
  TempDir dir;
  const std::string pub = fmt::format("mosquitto_pub -p {} -q 1 ", broker.port());

  // 1. mosquitto_pub -> MqttSource -> FileStreamSink, and the same records ->
  //    MqttSink -> the other broker with the MQTT topic taken from the key.
  shell(pub + "-r -t sensors/a -m retained-a");  // retained: delivered on subscription
  shell(pub + "-t other/x -m not-subscribed");
  // A persistent session on the other broker collects what MqttSink publishes.
  const std::string sub_other = fmt::format("mosquitto_sub -p {} -c -i checker -q 1 -t '#' ", other.port());
  shell(sub_other + "-E");
  write_file(dir / "job.yaml", worker(dir.path()) + source_connector(broker.uri(), "") + fmt::format(R"(  - name: out
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: msgs
    value.converter: StringConverter
  - name: mqtt-out
    connector.class: io.confluent.connect.mqtt.MqttSinkConnector
    mqtt.server.uri: {1}
    topics: msgs
    mqtt.qos: 2
)", dir.path(), other.uri()));
  {
    Process run({"run", dir / "job.yaml"}, dir / "run.log");
    REQUIRE(eventually([&] { return read_file(dir / "run.log").find("subscribed to") != std::string::npos; }, 30s));
    shell(pub + "-t sensors/b -m 'hello b'");
    shell(pub + "-t alerts/x/y -m alert-1");
    shell(pub + "-t other/y -m not-subscribed-either");
    shell(fmt::format("printf 'bin\\001\\002' | mosquitto_pub -p {} -q 1 -t sensors/c -s", broker.port()));
    REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() >= 4; }, 30s));
    std::this_thread::sleep_for(500ms);  // nothing else may come
    run.signal(SIGTERM);
    CHECK(run.wait(30s) == 0);
  }
  const auto lines = read_lines(dir / "out.txt");
  INFO(read_file(dir / "run.log"));
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "retained-a");
  CHECK(lines[1] == "hello b");
  CHECK(lines[2] == "alert-1");
  CHECK(lines[3] == "bin\x01\x02");
  // The other broker got the same payloads on the topics the keys named.
  const std::string got = shell(sub_other + "-C 4 -W 10 -F '%t %p'");
  CHECK(got.find("sensors/a retained-a\n") != std::string::npos);
  CHECK(got.find("sensors/b hello b\n") != std::string::npos);
  CHECK(got.find("alerts/x/y alert-1\n") != std::string::npos);
  CHECK(got.find("other/") == std::string::npos);

  // 2. FileStreamSource -> MqttSink with a fixed topic, QoS 1, retained.
  write_file(dir / "in.txt", "one\ntwo\nthree\n");
  const std::string sub = fmt::format("mosquitto_sub -p {} -q 1 ", broker.port());
  shell(sub + "-c -i filecheck -t out/t -E");
  write_file(dir / "sink.yaml", worker(dir.path()) + fmt::format(R"(  - name: in
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: lines
    value.converter: StringConverter
  - name: mqtt-out
    connector.class: MqttSink
    mqtt.server.uri: {1}
    topics: lines
    mqtt.topic: out/t
    mqtt.qos: 1
    mqtt.retained.enabled: true
    value.converter: StringConverter
)", dir.path(), broker.uri()));
  auto r = run_connectrun({"run", "--once", dir / "sink.yaml"}, 60s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(shell(sub + "-c -i filecheck -t out/t -C 3 -W 10") == "one\ntwo\nthree\n");
  // A new subscriber gets the last one, flagged retained.
  CHECK(shell(sub + "-t out/t -C 1 -W 10 -F '%r %t %p'") == "1 out/t three\n");

  // 3. --once: the source ends after 1 s without messages (retained ones count).
  write_file(dir / "once.yaml", worker(dir.path()) + source_connector(broker.uri(), "") +
                                    fmt::format("  - name: out\n    connector.class: FileStreamSink\n    file: {}/once.txt\n"
                                                "    topics: msgs\n    value.converter: StringConverter\n",
                                                dir.path()));
  auto once = run_connectrun({"run", "--once", dir / "once.yaml"}, 60s);
  INFO(once.err);
  CHECK(once.exit_code == 0);
  CHECK(read_lines(dir / "once.txt") == std::vector<std::string>{"retained-a"});
}

TEST_CASE("MQTT faults: wrong credentials and a broker that is down are named", "[mqtt][e2e]") {
  MosquittoServer broker("connect", "secret");
  TempDir dir;
  const auto job = [&](const std::string& uri, const std::string& extra) {
    return worker(dir.path()) + source_connector(uri, extra) +
           fmt::format("  - name: out\n    connector.class: FileStreamSink\n    file: {}/out.txt\n    topics: msgs\n",
                       dir.path());
  };
  // Wrong password: refused at once (not retried), naming the broker and the cause.
  write_file(dir / "bad.yaml", job(broker.uri(), "    mqtt.username: connect\n    mqtt.password: wrong\n"
                                                 "    errors.retry.timeout: 60000\n"));
  auto bad = run_connectrun({"run", "--once", dir / "bad.yaml"}, 30s);
  INFO(bad.err);
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find(fmt::format("127.0.0.1:{}", broker.port())) != std::string::npos);
  CHECK(bad.err.find("refused the connection") != std::string::npos);
  CHECK(bad.err.find("secret") == std::string::npos);
  // The right password works (no messages: --once ends).
  write_file(dir / "good.yaml", job(broker.uri(), "    mqtt.username: connect\n    mqtt.password: secret\n"));
  auto good = run_connectrun({"run", "--once", dir / "good.yaml"}, 30s);
  INFO(good.err);
  CHECK(good.exit_code == 0);
  // Broker down at start: retried within errors.retry.timeout, then named.
  const int down = free_local_port();
  write_file(dir / "down.yaml", job(fmt::format("tcp://127.0.0.1:{}", down), "    errors.retry.timeout: 3000\n"));
  const auto t0 = std::chrono::steady_clock::now();
  auto d = run_connectrun({"run", "--once", dir / "down.yaml"}, 60s);
  INFO(d.err);
  CHECK(d.exit_code != 0);
  CHECK(std::chrono::steady_clock::now() - t0 >= 2s);
  CHECK(d.err.find(fmt::format("cannot connect to 127.0.0.1:{}", down)) != std::string::npos);
  CHECK(d.err.find("Connection refused") != std::string::npos);
  // Keys connectrun does not implement are refused, naming them.
  write_file(dir / "jks.yaml", job(broker.uri(), "    mqtt.ssl.trust.store.path: /x.jks\n"));
  auto jks = run_connectrun({"validate", dir / "jks.yaml"});
  CHECK(jks.exit_code == 2);
  CHECK((jks.err + jks.out).find("not supported by connectrun") != std::string::npos);
}

TEST_CASE("MQTT source and sink reconnect after a broker restart", "[mqtt][e2e]") {
  MosquittoServer broker;
  TempDir dir;
  const std::string pub = fmt::format("mosquitto_pub -p {} -q 1 ", broker.port());
  const std::string checker = fmt::format("mosquitto_sub -p {} -c -i checker -q 1 -t out/t ", broker.port());
  shell(checker + "-E");  // a persistent session: the broker keeps what MqttSink publishes, across the restart
  write_file(dir / "job.yaml", worker(dir.path()) + source_connector(broker.uri(), "") + fmt::format(R"(  - name: out
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: msgs
    value.converter: StringConverter
  - name: mqtt-out
    connector.class: MqttSink
    mqtt.server.uri: {1}
    topics: msgs
    mqtt.topic: out/t
    mqtt.qos: 1
)", dir.path(), broker.uri()));
  Process run({"run", dir / "job.yaml"}, dir / "run.log");
  const auto count = [&](const std::string& what) {
    const std::string log = read_file(dir / "run.log");
    size_t n = 0;
    for (auto at = log.find(what); at != std::string::npos; at = log.find(what, at + 1)) ++n;
    return n;
  };
  REQUIRE(eventually([&] { return count("subscribed to") == 1 && count("publishing to") == 1; }, 30s));
  shell(pub + "-t sensors/a -m before");
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 1; }, 30s));
  broker.restart();
  // Both clients (source and sink) come back by themselves.
  INFO(read_file(dir / "run.log"));
  REQUIRE(eventually([&] { return count("reconnected to") >= 2; }, 60s));
  // Retained: delivered whether the new subscription is made before or after it arrives.
  shell(pub + "-r -t sensors/b -m after");
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 2; }, 30s));
  CHECK(read_lines(dir / "out.txt") == std::vector<std::string>{"before", "after"});
  CHECK(count("lost the connection to") >= 2);
  // Everything the broker kept for the session (a resent duplicate would be allowed).
  const std::string got = shell(checker + "-W 5");
  CHECK(got.find("before\n") != std::string::npos);
  CHECK(got.find("after\n") != std::string::npos);
  run.signal(SIGTERM);
  CHECK(run.wait(30s) == 0);
}

TEST_CASE("MQTT source and sink fail over to the next server of mqtt.server.uri", "[mqtt][e2e]") {
  MosquittoServer a, b;
  TempDir dir;
  // Live subscribers on both brokers, on sessions made first so nothing published is missed.
  for (auto* broker : {&a, &b}) shell(fmt::format("mosquitto_sub -p {} -c -i live -q 1 -t out/t -E", broker->port()));
  const auto live = [&](MosquittoServer& broker, const char* file) {
    return fmt::format("exec mosquitto_sub -p {} -c -i live -q 1 -t out/t > {}/{}", broker.port(), dir.path(), file);
  };
  ShellChild sub_a(live(a, "a.txt")), sub_b(live(b, "b.txt"));
  const std::string servers = a.uri() + "," + b.uri();
  write_file(dir / "job.yaml", worker(dir.path()) + source_connector(servers, "") + fmt::format(R"(  - name: out
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: msgs
    value.converter: StringConverter
  - name: lines
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: lines
    value.converter: StringConverter
  - name: mqtt-out
    connector.class: MqttSink
    mqtt.server.uri: {1}
    topics: lines
    value.converter: StringConverter
    mqtt.topic: out/t
    mqtt.qos: 1
)", dir.path(), servers));
  write_file(dir / "in.txt", numbered_lines(0, 50));
  Process run({"run", dir / "job.yaml"}, dir / "run.log");
  const auto log = [&] { return read_file(dir / "run.log"); };
  REQUIRE(eventually([&] { return read_lines(dir / "a.txt").size() >= 50; }, 30s));
  REQUIRE(eventually([&] { return log().find("subscribed to") != std::string::npos; }, 30s));
  shell(fmt::format("mosquitto_pub -p {} -q 1 -t sensors/a -m on-a", a.port()));
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 1; }, 30s));

  a.stop();
  append_file(dir / "in.txt", numbered_lines(50, 100));
  INFO(log());
  // The sink publishes the new lines (and any unacknowledged ones again) on b.
  const auto has_all = [&](const std::vector<std::string>& got, int from, int to) {
    std::set<std::string> seen(got.begin(), got.end());
    for (const auto& line : lines_of(numbered_lines(from, to)))
      if (!seen.count(line)) return false;
    return true;
  };
  REQUIRE(eventually([&] { return has_all(read_lines(dir / "b.txt"), 50, 100); }, 60s));
  CHECK(log().find(fmt::format("failed over from mqtt {} to mqtt {}", a.uri(), b.uri())) != std::string::npos);
  // Nothing lost across the two brokers, and b got the new lines in order.
  auto both = read_lines(dir / "a.txt");
  for (auto& line : read_lines(dir / "b.txt")) both.push_back(line);
  CHECK(has_all(both, 0, 100));
  std::vector<std::string> on_b = read_lines(dir / "b.txt");
  std::vector<std::string> new_on_b;
  for (auto& line : on_b)
    if (std::find(new_on_b.begin(), new_on_b.end(), line) == new_on_b.end()) new_on_b.push_back(line);
  auto tail = lines_of(numbered_lines(50, 100));
  CHECK(std::vector<std::string>(new_on_b.end() - 50, new_on_b.end()) == tail);

  // The source subscribes on b; a retained message is delivered whenever the subscription is made.
  REQUIRE(eventually([&] { return log().find("reconnected to " + b.uri()) != std::string::npos; }, 60s));
  shell(fmt::format("mosquitto_pub -p {} -q 1 -r -t sensors/b -m on-b", b.port()));
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 2; }, 30s));
  CHECK(read_lines(dir / "out.txt") == std::vector<std::string>{"on-a", "on-b"});
  run.signal(SIGTERM);
  CHECK(run.wait(30s) == 0);
}
