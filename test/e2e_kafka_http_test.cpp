// End-to-end on the Kafka bus (librdkafka's mock cluster in this process):
// pause, resume and restart over REST, and SIGHUP.
#include <catch2/catch.hpp>

#include <thread>

#include <fmt/format.h>

#include "http_support.h"
#include "kafka/mock_cluster.h"

using namespace testsupport;
using namespace std::chrono_literals;
using connectrun::MockCluster;

namespace {

std::string kafka_job(const TempDir& dir, const MockCluster& b, const std::string& sink_extra = "") {
  return lines_job(dir.path(), {.worker_extra = fmt::format(R"(  bootstrap.servers: {}
  consumer.session.timeout.ms: 6000
  consumer.heartbeat.interval.ms: 500
  offset.flush.interval.ms: 200
  listeners: http://127.0.0.1:0
  producer.statistics.interval.ms: 200
  consumer.statistics.interval.ms: 200
)",
                                                            b.bootstrap()),
                                .sink_extra = sink_extra});
}

}  // namespace

TEST_CASE("kafka: REST pause, resume and restart lose nothing and repeat nothing", "[e2e][kafka][http]") {
  MockCluster b(1, {{"lines", 1}});
  TempDir dir;
  write_file(dir / "job.yaml", kafka_job(dir, b));
  write_file(dir / "in.txt", numbered_lines(0, 500));
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  REQUIRE(eventually([&] { return rest_port(dir / "log.txt").has_value(); }));
  RestClient c(*rest_port(dir / "log.txt"));
  INFO(read_file(dir / "log.txt"));
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 500; }, 60s));

  // A paused sink writes nothing while its source keeps producing to Kafka.
  REQUIRE(c.put("/connectors/snk/pause").status == 202);
  append_file(dir / "in.txt", numbered_lines(500, 1000));
  auto read_by_src = [&] {
    auto text = c.get("/metrics").body;
    return text.find(R"(connectrun_connector_records_written_total{connector="src",type="source"} 1000)") != std::string::npos;
  };
  REQUIRE(eventually(read_by_src));
  // librdkafka's statistics reach /metrics: the producer's delivered messages, the consumer's lag.
  // `prefix` up to an "@" (any librdkafka handle name), then the rest of the labels.
  auto kafka_metric = [&](const std::string& prefix) -> std::optional<double> {
    auto text = c.get("/metrics").body;
    auto at = text.find("\n" + prefix.substr(0, prefix.find("@")));
    if (at == std::string::npos) return std::nullopt;
    auto line = text.substr(at + 1, text.find('\n', at + 1) - at - 1);
    if (auto rest = prefix.find("@"); rest != std::string::npos && line.find(prefix.substr(rest + 1)) == std::string::npos)
      return std::nullopt;
    return std::stod(line.substr(line.rfind(' ') + 1));
  };
  CHECK(eventually([&] { return kafka_metric(R"(connectrun_kafka_tx_messages_total{client="connectrun-src",role="producer",handle="@"} )") >= 1000.0; }));
  CHECK(eventually([&] { return kafka_metric(R"(connectrun_kafka_consumer_lag{client="connectrun-snk",role="consumer",handle="@",topic="lines",partition="0"} )").has_value(); }));
  // The sink's lag, summed over its partitions, once librdkafka's statistics know it. Its exact
  // value while paused depends on when the last fetch saw the high watermark: checked at 0 below.
  auto lag = [&] { return kafka_metric(R"(connectrun_connector_lag{connector="snk",type="sink"} )"); };
  CHECK(eventually([&] { return lag().has_value(); }));
  std::this_thread::sleep_for(1000ms);
  CHECK(read_lines(dir / "out.txt").size() == 500);
  REQUIRE(c.put("/connectors/snk/resume").status == 202);
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 1000; }, 60s));
  CHECK(eventually([&] { return lag() == 0.0; }));
  // A sink's offsets are its consumer group's, in Kafka Connect's shape.
  CHECK(eventually([&] {
    return c.get("/connectors/snk/offsets").body ==
           R"({"offsets":[{"partition":{"kafka_topic":"lines","kafka_partition":0},"offset":{"kafka_offset":1000}}]})";
  }));

  // Restarts: the sink keeps its consumer, the source its stored offset.
  REQUIRE(c.post("/connectors/snk/restart").status == 204);
  REQUIRE(c.post("/connectors/src/restart").status == 204);
  append_file(dir / "in.txt", numbered_lines(1000, 1500));
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() >= 1500; }, 60s));
  CHECK(read_file(dir / "out.txt") == numbered_lines(0, 1500));
  p.signal(SIGTERM);
  CHECK(p.wait(30s) == 0);
}
