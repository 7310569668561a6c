// FetchWake (kafka/fetch_wake.h) against librdkafka's mock cluster: a
// consumer whose queue reached queued.min.messages is woken once the queue has
// drained, and waking it neither loses nor repeats a record (a resume of the
// partitions, the other way to wake them, started them again from their
// assigned offsets in librdkafka 2.0.2).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "engine/herder.h"
#include "kafka/fetch_wake.h"
#include "kafka/kafka_bus.h"
#include "kafka/mock_cluster.h"
#include "offsets/offset_store.h"
#include "support.h"
#include "test_job.h"

using namespace testsupport;
using namespace std::chrono_literals;
using connectrun::MockCluster;

namespace {

// `n` lines "k<i>:line <i>" written to `topic` with kcat, keyed so that they spread over its partitions.
std::string write_lines(const TempDir& dir, const MockCluster& b, const std::string& topic, int n) {
  std::string input, values;
  for (int i = 0; i < n; ++i) {
    input += fmt::format("k{0}:line {0:05}\n", i);
    values += fmt::format("line {:05}\n", i);
  }
  write_file(dir / (topic + ".txt"), input);
  kcat_write(b.bootstrap(), topic, dir / (topic + ".txt"), true);
  return values;
}

void set(rd_kafka_conf_t* conf, const char* key, const std::string& value) {
  char err[256];
  REQUIRE(rd_kafka_conf_set(conf, key, value.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK);
}

}  // namespace

TEST_CASE("FetchWake: a queue held at queued.min.messages is woken once drained, and every record is read once",
          "[kafka][fetch_wake]") {
  TempDir dir;
  MockCluster b(1, {{"w", 8}});
  const int n = 8000;
  write_lines(dir, b, "w", n);

  connectrun::RdConf conf(rd_kafka_conf_new());
  set(conf.get(), "bootstrap.servers", b.bootstrap());
  set(conf.get(), "group.id", "fetch-wake");
  set(conf.get(), "enable.auto.commit", "false");
  set(conf.get(), "queued.min.messages", "400");
  connectrun::FetchWake wake;
  wake.read_thresholds(conf.get());
  char err[256];
  connectrun::RdKafka rk(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof err));
  REQUIRE(rk);
  conf.release();
  rd_kafka_poll_set_consumer(rk.get());
  connectrun::RdPartitions parts(rd_kafka_topic_partition_list_new(8));
  for (int p = 0; p < 8; ++p) rd_kafka_topic_partition_list_add(parts.get(), "w", p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  REQUIRE(rd_kafka_assign(rk.get(), parts.get()) == RD_KAFKA_RESP_ERR_NO_ERROR);
  wake.attach(rk.get());
  std::unique_ptr<rd_kafka_queue_t, connectrun::RdKafkaDeleter> queue(rd_kafka_queue_get_consumer(rk.get()));

  // The queue not yet seen high: no wake, however empty it is.
  CHECK_FALSE(wake.check());
  std::set<std::pair<int32_t, int64_t>> seen;
  int repeated = 0;
  bool held_seen = false;  // check() saw the queue at half the threshold or more
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (static_cast<int>(seen.size()) < n && std::chrono::steady_clock::now() < deadline) {
    // Small polls between checks, as a sink's: the queue is seen on its way down.
    const bool high = rd_kafka_queue_length(queue.get()) >= 200;  // only grows until this polls
    const bool woke = wake.check();
    if (high) {
      held_seen = true;
      CHECK_FALSE(woke);  // never while the queue is still half full
    }
    for (int i = 0; i < 25; ++i) {
      connectrun::RdMessage m(rd_kafka_consumer_poll(rk.get(), 100));
      if (!m) break;
      if (m->err) continue;
      wake.taken(m->len + m->key_len);
      if (!seen.emplace(m->partition, m->offset).second) ++repeated;
    }
  }
  CHECK(static_cast<int>(seen.size()) == n);
  CHECK(repeated == 0);
  CHECK(held_seen);
  CHECK(wake.wakes() >= 1);
  queue.reset();
  rd_kafka_consumer_close(rk.get());
}

TEST_CASE("FetchWake: a Kafka sink with a small queued.min.messages writes every record once", "[kafka][fetch_wake]") {
  TempDir dir;
  MockCluster b(1, {{"in", 4}});
  const std::string values = write_lines(dir, b, "in", 3000);
  const std::string job = fmt::format(R"(worker:
  bootstrap.servers: {1}
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
  consumer.queued.min.messages: 150
connectors:
  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: in
)",
                                      dir.path(), b.bootstrap());
  auto registry = test_registry([](connectrun::PluginRegistry&) {});
  connectrun::JobPlan plan = plan_yaml(job, *registry);
  auto store = connectrun::OffsetStore::open(dir / "offsets.json");
  auto bus = connectrun::make_kafka_bus(plan, /*once=*/true);
  connectrun::Herder herder(plan, /*once=*/true, *store, *bus);
  herder.start_all();
  herder.join_all();
  // Partitions interleave in the file: compared as sorted lines, each once.
  auto out = split_lines(read_file(dir / "out.txt"));
  auto expected = split_lines(values);
  std::sort(out.begin(), out.end());
  CHECK(out.size() == expected.size());
  CHECK(out == expected);
}
