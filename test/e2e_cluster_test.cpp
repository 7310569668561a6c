// End-to-end: a cluster of connectrun processes (group.id) sharing a job's
// source tasks through a Kafka consumer group, on librdkafka's mock cluster in
// this test process, with kcat as the outside reader of what they produced.
#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "http_support.h"
#include "kafka/mock_cluster.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;
using connectrun::MockCluster;

namespace {

constexpr int kTasks = 6;

// DataGen with 6 tasks: each numbers its records in the header
// current.iteration (0, 1, …) and names itself in task.id; its offset holds
// the next number, so a task resumed elsewhere continues the sequence.
std::string cluster_job(const TempDir& dir, const std::string& bootstrap, int iterations, const std::string& extra = "") {
  return fmt::format(R"(worker:
  bootstrap.servers: {1}
  offset.storage.file.filename: {0}/offsets.json
  offset.storage.topic: connect-offsets
  offset.storage.replication.factor: 1
  offset.flush.interval.ms: 300
  group.id: gen-cluster
  session.timeout.ms: 3000
  heartbeat.interval.ms: 500
  rebalance.timeout.ms: 20000
  listeners: http://127.0.0.1:0
  key.converter: StringConverter
  value.converter: StringConverter
{3}connectors:
  - name: gen
    connector.class: DataGen
    tasks.max: {4}
    kafka.topic: gen
    quickstart: pageviews
    random.seed: 11
    iterations: {2}
    max.interval: 50
)",
                     dir.path(), bootstrap, iterations, extra, kTasks);
}

// What the cluster produced: task id → its current.iteration headers in topic order.
std::map<int, std::vector<std::string>> produced(const MockCluster& b) {
  std::map<int, std::vector<std::string>> out;
  static const std::regex task_re("task\\.id=(\\d+)"), iteration_re("current\\.iteration=(\\d+)");
  for (auto& line : split_lines(shell(fmt::format("kcat -b {} -C -t gen -e -q -f '%h\\n' 2>/dev/null", b.bootstrap())))) {
    std::smatch t, i;
    if (std::regex_search(line, t, task_re) && std::regex_search(line, i, iteration_re)) out[std::stoi(t[1])].push_back(i[1]);
  }
  return out;
}

size_t distinct(const std::vector<std::string>& v) { return std::set<std::string>(v.begin(), v.end()).size(); }

// A `connectrun run job.yaml` of the cluster, logging to `log`, with its REST port once it listens.
struct Member {
  std::string log;
  std::unique_ptr<Process> process;
  int port = 0;
  Member(const TempDir& dir, const std::string& name)
      : log(dir / name), process(std::make_unique<Process>(std::vector<std::string>{"run", dir / "job.yaml"}, log)) {}
  void wait_listening() {
    REQUIRE(eventually([&] { return rest_port(log).has_value(); }, 30s));
    port = *rest_port(log);
  }
  RestClient client() const { return RestClient(port); }
  void stop() {
    process->signal(SIGTERM);
    CHECK(process->wait(30s) == 0);
  }
};

// Started together, so they join the group in its first rebalance.
std::vector<std::unique_ptr<Member>> start(const TempDir& dir, const std::vector<std::string>& logs) {
  std::vector<std::unique_ptr<Member>> out;
  for (auto& l : logs) out.push_back(std::make_unique<Member>(dir, l));
  for (auto& m : out) m->wait_listening();
  return out;
}

// The tasks a process says it holds itself (its own worker_id): RUNNING ones
// only, or also those it ran to their end (UNASSIGNED).
std::set<int> held_here(const Member& p, bool running_only = false) {
  std::set<int> out;
  auto r = p.client().get("/connectors/gen/status");
  if (r.status != 200) return out;
  Json j(r.body);
  const std::string self = fmt::format("127.0.0.1:{}", p.port);
  for (auto t : j.root["tasks"].get_array()) {
    std::string_view state = t["state"].get_string().value();
    auto worker = t["worker_id"];
    if ((state == "RUNNING" || !running_only) && !worker.error() && worker.get_string().value() == self)
      out.insert(static_cast<int>(t["id"].get_int64().value()));
  }
  return out;
}

std::set<int> running_here(const Member& p) { return held_here(p, true); }

}  // namespace

TEST_CASE("cluster: three processes share six source tasks and kill -9 of two loses nothing but resumes from the offsets topic",
          "[kafka][e2e][cluster]") {
  TempDir dir;
  // The mock cluster has no controller: the topics are made here, as on a cluster that lets no client create topics.
  MockCluster b(1, {{"connect-offsets", 5}, {"gen-cluster-tasks", kTasks}, {"gen", 1}});
  const int n = 1000;
  write_file(dir / "job.yaml", cluster_job(dir, b.bootstrap(), n));
  auto first = start(dir, {"p1.log", "p2.log", "p3.log"});
  Member& p3 = *first[2];

  // Every process runs at least one task, and together they run all six, each once.
  std::set<int> s1, s2, s3;
  bool spread = eventually([&] {
    s1 = running_here(*first[0]), s2 = running_here(*first[1]), s3 = running_here(p3);
    std::set<int> all(s1.begin(), s1.end());
    all.insert(s2.begin(), s2.end());
    all.insert(s3.begin(), s3.end());
    return !s1.empty() && !s2.empty() && !s3.empty() && all.size() == kTasks && s1.size() + s2.size() + s3.size() == kTasks;
  }, 40s);
  INFO("p1 " << s1.size() << " p2 " << s2.size() << " p3 " << s3.size() << "\n" << read_file(dir / "p1.log"));
  REQUIRE(spread);
  {
    // What p1 cannot know: the tasks it does not run are UNASSIGNED as far as it can tell, with no worker_id.
    auto r = first[0]->client().get("/connectors/gen/status");
    REQUIRE(r.status == 200);
    Json j(r.body);
    size_t listed = 0;
    for (auto t : j.root["tasks"].get_array()) {
      ++listed;
      int id = static_cast<int>(t["id"].get_int64().value());
      if (s1.count(id)) continue;
      INFO(r.body);
      CHECK(t["state"].get_string().value() == "UNASSIGNED");
      CHECK(t["worker_id"].error());
    }
    CHECK(listed == kTasks);
  }

  // Well into the data (a restart from the beginning would repeat a third of it), kill -9 the first.
  REQUIRE(eventually([&] {
    auto got = produced(b);
    for (int t = 0; t < kTasks; ++t)
      if (distinct(got[t]) < n / 3) return false;
    return true;
  }, 60s));
  first[0]->process->signal(SIGKILL);
  first[0]->process->wait(10s);
  // Its tasks move to the others within the session timeout.
  REQUIRE(eventually([&] { return held_here(*first[1]).size() + held_here(p3).size() == kTasks; }, 30s));
  first[1]->process->signal(SIGKILL);
  first[1]->process->wait(10s);
  REQUIRE(eventually([&] { return held_here(p3).size() == kTasks; }, 30s));
  // Both come back and get a share again (taken from p3 by a clean hand-over).
  auto again = start(dir, {"p1b.log", "p2b.log"});

  // Every task ends after its n records, wherever it runs.
  std::map<int, std::vector<std::string>> got;
  REQUIRE(eventually([&] {
    got = produced(b);
    for (int t = 0; t < kTasks; ++t)
      if (distinct(got[t]) < static_cast<size_t>(n)) return false;
    return true;
  }, 90s));
  for (auto* p : {again[0].get(), again[1].get(), &p3}) p->stop();

  std::vector<std::string> expected;
  for (int i = 0; i < n; ++i) expected.push_back(std::to_string(i));
  got = produced(b);
  for (int t = 0; t < kTasks; ++t) {
    INFO("task " << t << ": " << got[t].size() << " records for " << n);
    // In order per task, nothing lost, a record repeated only by a replay
    // (a task resumed from the offsets its last owner stored before it died).
    check_no_loss_in_order(expected, got[t]);
    // Resumed from the offsets topic, not from the beginning: far fewer repeats than a third of the data.
    CHECK(got[t].size() < static_cast<size_t>(n + n / 3));
  }
  // The processes that took tasks over said where they resumed.
  std::string later = read_file(dir / "p2.log") + read_file(dir / "p3.log") + read_file(dir / "p1b.log") +
                      read_file(dir / "p2b.log");
  static const std::regex resumed(R"(resuming at record (\d+))");
  size_t resumed_late = 0;
  for (std::sregex_iterator it(later.begin(), later.end(), resumed), end; it != end; ++it)
    if (std::stol((*it)[1]) > n / 3) ++resumed_late;
  CHECK(resumed_late >= 1);
  CHECK(later.find("cluster: this process now runs source task(s)") != std::string::npos);
}

TEST_CASE("cluster: a task topic with another partition count or none that can be created is refused with what to do",
          "[kafka][e2e][cluster]") {
  TempDir dir;
  SECTION("partition count") {
    MockCluster b(1, {{"connect-offsets", 5}, {"gen-cluster-tasks", 4}, {"gen", 1}});
    write_file(dir / "job.yaml", cluster_job(dir, b.bootstrap(), 10));
    auto r = run_connectrun({"run", dir / "job.yaml"}, 60s);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("the task topic 'gen-cluster-tasks' has 4 partition(s), but the job has 6 source task(s)") !=
          std::string::npos);
  }
  SECTION("missing and not creatable (the mock cluster answers no CreateTopics)") {
    MockCluster b(1, {{"connect-offsets", 5}, {"gen", 1}});
    write_file(dir / "job.yaml", cluster_job(dir, b.bootstrap(), 10, "  admin.socket.timeout.ms: 1500\n"));
    auto r = run_connectrun({"run", dir / "job.yaml"}, 60s);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("the task topic 'gen-cluster-tasks' does not exist and cannot be created") != std::string::npos);
    CHECK(r.err.find("Create it yourself with 6 partition(s)") != std::string::npos);
  }
  SECTION("a reload that changes the source tasks") {
    MockCluster b(1, {{"connect-offsets", 5}, {"gen-cluster-tasks", kTasks}, {"gen", 1}});
    write_file(dir / "job.yaml", cluster_job(dir, b.bootstrap(), 100000));
    Member m(dir, "log.txt");
    m.wait_listening();
    REQUIRE(eventually([&] { return running_here(m).size() == kTasks; }, 30s));
    std::string job = read_file(dir / "job.yaml");
    job.replace(job.find("tasks.max: 6"), 12, "tasks.max: 3");
    write_file(dir / "job.yaml", job);
    m.process->signal(SIGHUP);
    REQUIRE(eventually([&] { return read_file(m.log).find("which a cluster (group.id) cannot apply") != std::string::npos; }));
    CHECK(running_here(m).size() == kTasks);  // the running configuration is kept
    m.stop();
  }
  SECTION("a REST change that changes the source tasks is refused before the job file is written") {
    MockCluster b(1, {{"connect-offsets", 5}, {"gen-cluster-tasks", kTasks}, {"gen", 1}});
    write_file(dir / "job.yaml", cluster_job(dir, b.bootstrap(), 100000));
    const std::string before = read_file(dir / "job.yaml");
    Member m(dir, "log.txt");
    m.wait_listening();
    REQUIRE(eventually([&] { return running_here(m).size() == kTasks; }, 30s));
    auto r = m.client().put("/connectors/gen/config",
                            R"({"connector.class":"DataGen","tasks.max":"3","kafka.topic":"gen","quickstart":"pageviews"})");
    INFO(r.body);
    CHECK(r.status == 409);
    CHECK(r.body.find("which a cluster (group.id) cannot apply while it runs") != std::string::npos);
    CHECK(read_file(dir / "job.yaml") == before);  // nothing written
    CHECK(running_here(m).size() == kTasks);  // the running configuration is kept
    m.stop();
  }
  SECTION("no broker answers") {
    write_file(dir / "job.yaml", cluster_job(dir, "127.0.0.1:1", 10, "  admin.socket.timeout.ms: 1500\n"));
    auto r = run_connectrun({"run", dir / "job.yaml"}, 60s);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("bootstrap.servers 127.0.0.1:1") != std::string::npos);
  }
}

TEST_CASE("cluster: what a cluster needs is checked before anything starts", "[e2e][cluster][validate][families]") {
  TempDir dir;
  auto refused = [&](const std::string& job, const std::string& message, const std::vector<std::string>& cmd = {"validate"}) {
    write_file(dir / "job.yaml", job);
    std::vector<std::string> args = cmd;
    args.push_back(dir / "job.yaml");
    auto r = run_connectrun(args, 30s);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(message) != std::string::npos);
  };
  const std::string job = cluster_job(dir, "127.0.0.1:9", 10);
  auto without = [&](const std::string& line) {
    std::string j = job;
    j.erase(j.find(line), line.size());
    return j;
  };
  SECTION("offset.storage.topic") {
    refused(without("  offset.storage.topic: connect-offsets\n"), "set offset.storage.topic");
  }
  SECTION("bootstrap.servers") {
    std::string j = without("  offset.storage.topic: connect-offsets\n");
    const std::string servers = "  bootstrap.servers: 127.0.0.1:9\n";
    j.erase(j.find(servers), servers.size());
    refused(j, "coordinated by a Kafka consumer group: set bootstrap.servers");
  }
  SECTION("heartbeat.interval.ms below session.timeout.ms") {
    std::string j = job;
    j.replace(j.find("heartbeat.interval.ms: 500"), 26, "heartbeat.interval.ms: 3000");
    refused(j, "heartbeat.interval.ms");
    CHECK(read_file(dir / "job.yaml").find("heartbeat.interval.ms: 3000") != std::string::npos);
  }
  SECTION("run --once") {
    refused(job, "run --once cannot join a cluster (group.id 'gen-cluster')", {"run", "--once"});
  }
  SECTION("the same job without group.id is valid") {
    write_file(dir / "job.yaml", without("  group.id: gen-cluster\n"));
    auto r = run_connectrun({"validate", dir / "job.yaml"}, 30s);
    INFO(r.err);
    CHECK(r.exit_code == 0);
  }
}
