// RabbitMQ end to end against a real broker (rabbitmq-server, started once per
// test case: it is slow to start): records and properties as jcustenborder's
// connector makes them, --once draining queues, publishing with confirms,
// the faults of issue 18, kill -9 and a broker restart mid-run.
#include <catch2/catch.hpp>

#include <signal.h>

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <map>
#include <regex>
#include <string>
#include <thread>

#include "connectors/rabbitmq/test/amqp_test_client.h"
#include "servers/rabbitmq_server.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string worker(const std::string& dir, const std::string& extra = "") {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {}/offsets.json
  offset.flush.interval.ms: 200
  key.converter: JsonConverter
  key.converter.schemas.enable: false
  value.converter: JsonConverter
  value.converter.schemas.enable: false
{}connectors:
)", dir, extra);
}

std::string rabbit(int port) { return fmt::format("    rabbitmq.host: 127.0.0.1\n    rabbitmq.port: {}\n", port); }

std::string amqp(const RabbitMQServer& b, const std::string& tool_args, int* status = nullptr) {
  return shell(fmt::format("{} -u {} 2>&1", tool_args, b.url()), status);
}

}  // namespace

TEST_CASE("RabbitMQ to file and file to RabbitMQ with properties headers errors and --once on one broker",
          "[rabbitmq][e2e]") {
  RabbitMQServer broker;
  AmqpTestClient client(broker.port());
  client.declare_queue("dead");
  client.declare_queue("full", "dead");  // rejected messages go to "dead"
  client.declare_queue("bodies");
  client.declare_queue("copy");

  // Outside clients put the messages in.
  int st = 0;
  for (int i = 0; i < 3; ++i) {
    amqp(broker, fmt::format("amqp-publish -r full -p -C text/plain -E utf-8 -H 'x-origin: test' -b 'hello {}'", i), &st);
    REQUIRE(st == 0);
  }
  client.publish("full", "cannot be a record", "bad-1", /*nested_table_header=*/true);
  std::string bodies;
  for (int i = 0; i < 30; ++i) bodies += fmt::format("body {:03d}\n", i);
  shell(fmt::format("printf '{}' | amqp-publish -l -r bodies -H 'x-origin: lines' -u {}", bodies, broker.url()), &st);
  REQUIRE(st == 0);
  // amqp-publish does not wait for the broker to confirm: the last messages may still be on their way.
  REQUIRE(eventually([&] { return client.ready("bodies") == 30; }, 10s));

  TempDir dir;
  write_file(dir / "in.txt", "one\ntwo\nthree\n");
  const std::string job = worker(dir.path()) + fmt::format(R"(  - name: full
    connector.class: com.github.jcustenborder.kafka.connect.rabbitmq.RabbitMQSourceConnector
{0}    rabbitmq.queue: full
    kafka.topic: full
    errors.tolerance: all
  - name: full-out
    connector.class: FileStreamSink
    file: {1}/full.txt
    topics: full
  - name: bodies
    connector.class: RabbitMQSource
{0}    rabbitmq.queue: bodies
    kafka.topic: bodies
    value.converter: StringConverter
    transforms: body
    transforms.body.type: org.apache.kafka.connect.transforms.ExtractField$Value
    transforms.body.field: body
  - name: bodies-out
    connector.class: FileStreamSink
    file: {1}/bodies.txt
    topics: bodies
    value.converter: StringConverter
  - name: bodies-copy
    connector.class: com.github.jcustenborder.kafka.connect.rabbitmq.RabbitMQSinkConnector
{0}    topics: bodies
    value.converter: ByteArrayConverter
    rabbitmq.routing.key: copy
  - name: lines
    connector.class: FileStreamSource
    file: {1}/in.txt
    topic: lines
    value.converter: StringConverter
  - name: lines-out
    connector.class: RabbitMQSink
{0}    topics: lines
    value.converter: StringConverter
    rabbitmq.exchange: made
    rabbitmq.routing.key: made-queue
    rabbitmq.auto.create: true
    rabbitmq.headers: x-from:connectrun
)", rabbit(broker.port()), dir.path());
  write_file(dir / "job.yaml", job);
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 120s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);

  // The Message struct as jcustenborder's MessageConverter builds it.
  auto full = read_lines(dir / "full.txt");
  REQUIRE(full.size() == 3);
  for (int i = 0; i < 3; ++i) {
    INFO(full[i]);
    CHECK(full[i].find(R"("consumerTag":"amq.ctag-)") != std::string::npos);
    CHECK(full[i].find(R"("envelope":{"deliveryTag":)") != std::string::npos);
    CHECK(full[i].find(R"("isRedeliver":false,"exchange":"","routingKey":"full"})") != std::string::npos);
    CHECK(full[i].find(R"("contentType":"text/plain","contentEncoding":"utf-8")") != std::string::npos);
    CHECK(full[i].find(R"("headers":{"x-origin":{"type":"string","timestamp":null,)") != std::string::npos);
    CHECK(full[i].find(R"("string":"test","bytes":null})") != std::string::npos);
    CHECK(full[i].find(R"("deliveryMode":2,"priority":null)") != std::string::npos);
    // body "hello i" as JsonConverter writes bytes: base64
    const char* b64[] = {"aGVsbG8gMA==", "aGVsbG8gMQ==", "aGVsbG8gMg=="};
    CHECK(full[i].find(fmt::format(R"("body":"{}")", b64[i])) != std::string::npos);
  }
  // The message that could not become a record was skipped (errors.tolerance=all)
  // and rejected without requeueing: the queue's dead-letter exchange has it.
  CHECK(r.err.find("header 'nested' is a nested table") != std::string::npos);
  auto dead = client.get("dead");
  REQUIRE(dead.has_value());
  CHECK(dead->body == "cannot be a record");

  // ExtractField$Value field=body: the bodies alone, in order (amqp-publish -l
  // keeps each line's newline in the body; the sink adds its own).
  std::string expected_bodies;
  for (int i = 0; i < 30; ++i) expected_bodies += fmt::format("body {:03d}\n\n", i);
  CHECK(read_file(dir / "bodies.txt") == expected_bodies);
  // Every message was acknowledged: nothing is left in the queues.
  CHECK(client.ready("full") == 0);
  CHECK(client.ready("bodies") == 0);

  // RabbitMQ → bus → RabbitMQ: the bodies again, persistent, with the headers
  // the source made record headers.
  REQUIRE(client.ready("copy") == 30);
  for (int i = 0; i < 30; ++i) {
    auto m = client.get("copy");
    REQUIRE(m.has_value());
    CHECK(m->body == fmt::format("body {:03d}\n", i));
    CHECK(m->delivery_mode == 2);
    CHECK(m->string_headers["x-origin"] == "lines");
  }
  // file → RabbitMQ, the exchange and queue made by rabbitmq.auto.create;
  // read with amqp-get (an outside client).
  REQUIRE(client.ready("made-queue") == 3);
  for (const char* line : {"one", "two", "three"}) CHECK(amqp(broker, "amqp-get -q made-queue") == line);

  // --once on queues that are empty at start ends at once, exit 0.
  {
    TempDir d2;
    write_file(d2 / "job.yaml", worker(d2.path()) + fmt::format(R"(  - name: empty
    connector.class: RabbitMQSource
{}    rabbitmq.queue: full,bodies
    kafka.topic: t
  - name: out
    connector.class: FileStreamSink
    file: {}/out.txt
    topics: t
)", rabbit(broker.port()), d2.path()));
    auto e = run_connectrun({"run", "--once", d2 / "job.yaml"}, 60s);
    INFO(e.err);
    CHECK(e.exit_code == 0);
  }

  // Faults, each a clear error naming what to fix.
  struct Fault {
    std::string connector, expect;
  };
  const std::string lines_in = fmt::format(R"(  - name: in
    connector.class: FileStreamSource
    file: {}/in.txt
    topic: lines
    value.converter: StringConverter
)", dir.path());
  for (const Fault& f : {
           Fault{"  - name: src\n    connector.class: RabbitMQSource\n" + rabbit(broker.port()) +
                     "    rabbitmq.queue: bodies\n    kafka.topic: t\n    rabbitmq.password: wrong\n",
                 "refused the login of user 'guest'"},
           Fault{"  - name: src\n    connector.class: RabbitMQSource\n" + rabbit(broker.port()) +
                     "    rabbitmq.queue: bodies\n    kafka.topic: t\n    rabbitmq.virtual.host: nowhere\n",
                 "virtual host 'nowhere'"},
           Fault{"  - name: src\n    connector.class: RabbitMQSource\n" + rabbit(broker.port()) +
                     "    rabbitmq.queue: bodies,nope\n    kafka.topic: t\n",
                 "consume from queue 'nope' (rabbitmq.queue): the broker closed the channel: 404 NOT_FOUND"},
           Fault{lines_in + "  - name: snk\n    connector.class: RabbitMQSink\n" + rabbit(broker.port()) +
                     "    topics: lines\n    value.converter: StringConverter\n    rabbitmq.exchange: nope\n"
                     "    rabbitmq.routing.key: k\n",
                 "find exchange 'nope' (rabbitmq.exchange; rabbitmq.auto.create creates it)"},
           Fault{lines_in + "  - name: snk\n    connector.class: RabbitMQSink\n" + rabbit(broker.port()) +
                     "    topics: lines\n    value.converter: StringConverter\n    rabbitmq.exchange: amq.direct\n"
                     "    rabbitmq.routing.key: nobody\n",
                 "the broker returned the message: 312 NO_ROUTE (exchange 'amq.direct', routing key 'nobody')"}}) {
    TempDir d3;
    std::string connectors = f.connector;
    if (connectors.find("FileStreamSource") != std::string::npos)
      connectors.replace(connectors.find(dir.path() + "/in.txt"), dir.path().size() + 7, d3 / "in.txt");
    write_file(d3 / "in.txt", "one\n");
    std::string job3 = worker(d3.path()) + connectors;
    if (connectors.find("RabbitMQSource") != std::string::npos)
      job3 += fmt::format("  - name: out\n    connector.class: FileStreamSink\n    file: {}/out.txt\n    topics: t\n",
                          d3.path());
    write_file(d3 / "job.yaml", job3);
    auto e = run_connectrun({"run", "--once", d3 / "job.yaml"}, 60s);
    INFO(job3 << e.err);
    CHECK(e.exit_code != 0);
    CHECK(e.err.find(f.expect) != std::string::npos);
  }
  CHECK(client.ready("bodies") == 0);
}

namespace {

// The messageId and isRedeliver of each line the sink wrote.
struct Seen {
  std::map<std::string, int> count;
  int duplicates = 0;
  int duplicates_not_redelivered = 0;
};
Seen seen(const std::string& path) {
  static const std::regex id(R"re("messageId":"(m\d+)")re");
  static const std::regex redelivered(R"("isRedeliver":(true|false))");
  Seen s;
  for (auto& line : read_lines(path)) {
    std::smatch m, r;
    if (!std::regex_search(line, m, id) || !std::regex_search(line, r, redelivered)) continue;
    if (s.count[m[1]]++ > 0) {
      ++s.duplicates;
      // A message seen again must be one the broker redelivered (never acknowledged).
      if (r[1] != "true") ++s.duplicates_not_redelivered;
    }
  }
  return s;
}

}  // namespace

TEST_CASE("RabbitMQ source under kill -9 with a publisher running and a broker restart loses nothing",
          "[rabbitmq][e2e]") {
  RabbitMQServer broker;
  AmqpTestClient(broker.port()).declare_queue("stream");
  TempDir dir;
  write_file(dir / "job.yaml", worker(dir.path()) + fmt::format(R"(  - name: src
    connector.class: RabbitMQSource
{}    rabbitmq.queue: stream
    rabbitmq.prefetch.count: 500
    rabbitmq.network.recovery.interval.ms: 1000
    kafka.topic: t
  - name: out
    connector.class: FileStreamSink
    file: {}/out.txt
    topics: t
)", rabbit(broker.port()), dir.path()));
  constexpr int kFirst = 3000, kSecond = 500;
  std::atomic<int> published{0};
  auto publish = [&](int from, int to) {
    AmqpTestClient c(broker.port());
    for (int i = from; i < to; ++i) {
      c.publish("stream", fmt::format("message {}", i), fmt::format("m{:06d}", i));
      published = i + 1;
      if (i % 10 == 0) std::this_thread::sleep_for(10ms);  // ≥ 3 s in all: still running at the kill
    }
  };
  auto distinct = [&] { return seen(dir / "out.txt").count.size(); };

  std::thread publisher(publish, 0, kFirst);
  {
    Process first({"run", dir / "job.yaml"}, dir / "first.log");
    REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() >= 300; }, 60s));
    first.signal(SIGKILL);
    CHECK(first.wait(10s) == 128 + SIGKILL);
  }
  CHECK(published < kFirst);  // the publisher was still running
  Process second({"run", dir / "job.yaml"}, dir / "second.log");
  publisher.join();
  {
    INFO(read_file(dir / "second.log"));
    REQUIRE(eventually([&] { return distinct() == kFirst; }, 60s));
  }

  // The broker restarts under the running connector: it reconnects, and
  // what was published after the restart arrives too.
  broker.restart();
  publish(kFirst, kFirst + kSecond);
  {
    INFO(read_file(dir / "second.log"));
    REQUIRE(eventually([&] { return distinct() == kFirst + kSecond; }, 90s));
  }
  second.signal(SIGTERM);
  CHECK(second.wait(30s) == 0);
  CHECK(read_file(dir / "second.log").find("reconnecting") != std::string::npos);

  Seen s = seen(dir / "out.txt");
  for (int i = 0; i < kFirst + kSecond; ++i) REQUIRE(s.count[fmt::format("m{:06d}", i)] >= 1);
  WARN("duplicates after kill -9 and the broker restart: " << s.duplicates);
  CHECK(s.duplicates_not_redelivered == 0);
  CHECK(AmqpTestClient(broker.port()).ready("stream") == 0);
}
