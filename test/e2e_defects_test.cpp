// End-to-end checks of the command line's rough edges a migration trial hit
// (issue 19, "Defects found"): `test DIR`, unknown subcommands, --version
// --json, `broker --address-file`.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <regex>

#include <fmt/format.h>
#include <simdjson.h>

#include "support.h"

using namespace testsupport;

namespace {
const std::string kSourceDir = CONNECTRUN_SOURCE_DIR;
}  // namespace

TEST_CASE("connectrun test DIR runs every test file under the directory", "[e2e][defects]") {
  // The examples folder holds two test files and the job one of them names.
  auto r = run_connectrun({"test", kSourceDir + "/examples/tests"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("# " + kSourceDir + "/examples/tests/inline-test.yaml") != std::string::npos);
  CHECK(r.out.find("# " + kSourceDir + "/examples/tests/quickstart-test.yaml") != std::string::npos);
  CHECK(r.out.find("quickstart-job.yaml") == std::string::npos);  // a job file is no test

  // Nested folders are walked, in name order; a failing case still gives exit 1.
  TempDir dir;
  std::filesystem::create_directories(dir / "a/b");
  write_file(dir / "job.yaml", "worker:\n  offset.storage.file.filename: offsets.json\n  key.converter: StringConverter\n"
                               "  value.converter: StringConverter\nconnectors:\n  - name: src\n    connector.class: FileStreamSource\n    file: in.txt\n"
                               "    topic: t\n");
  std::string failing = "job: ../../job.yaml\nconnector: src\ncases:\n  - input: {topic: t, value: x}\n"
                        "    expect: {topic: u}\n";
  write_file(dir / "a/b/t.yaml", failing);
  write_file(dir / "notes.txt", "not yaml: [");
  auto nested = run_connectrun({"test", dir.path()});
  INFO(nested.out << nested.err);
  CHECK(nested.exit_code == 1);
  CHECK(nested.out.find("FAIL") != std::string::npos);

  // A directory without a test file, and a missing path: exit 2 with the reason, never an abort.
  TempDir empty;
  auto none = run_connectrun({"test", empty.path()});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("no test file under this directory") != std::string::npos);
  auto missing = run_connectrun({"test", empty / "nope"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("no such file or directory") != std::string::npos);
}

TEST_CASE("an unknown subcommand is named with the closest one", "[e2e][defects]") {
  struct Case {
    std::string word, hint;
  };
  for (auto& c : {Case{"version", "did you mean '--version'?"}, Case{"help", "did you mean '--help'?"},
                  Case{"valdate", "did you mean 'validate'?"}, Case{"rnu", "did you mean 'run'?"}}) {
    auto r = run_connectrun({c.word, "x.yaml"});
    INFO(c.word << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("unknown subcommand '" + c.word + "'") != std::string::npos);
    CHECK(r.err.find(c.hint) != std::string::npos);
    CHECK(r.err.find("A subcommand is required") == std::string::npos);
  }
  // Global options with values before the subcommand are skipped over, not taken for it.
  auto ok = run_connectrun({"--log-level", "warn", "plugins", "FileStreamSink"});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  // No word at all still says a subcommand is required.
  CHECK(run_connectrun({}).exit_code == 2);
}

TEST_CASE("connectrun --version --json gives every linked library's version and the build commit", "[e2e][defects]") {
  auto r = run_connectrun({"--version", "--json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  REQUIRE(parser.parse(r.out).get(obj) == simdjson::SUCCESS);
  std::string_view v;
  REQUIRE(obj["connectrun"].get(v) == simdjson::SUCCESS);
  CHECK(v == CONNECTRUN_VERSION);
  REQUIRE(obj["commit"].get(v) == simdjson::SUCCESS);
  // This test runs from a git checkout: the commit is a hash, not "unknown".
  CHECK(std::regex_match(std::string(v), std::regex("[0-9a-f]{40}")));
  simdjson::dom::object libs;
  REQUIRE(obj["libraries"].get(libs) == simdjson::SUCCESS);
  std::vector<std::string> expected{"librdkafka"};
#if defined(CONNECTRUN_WITH_HTTP) || defined(CONNECTRUN_WITH_S3)
  expected.push_back("libcurl");
#endif
#ifdef CONNECTRUN_WITH_JDBC
  for (auto l : {"libpq", "libmariadb", "sqlite"}) expected.push_back(l);
#endif
#ifdef CONNECTRUN_WITH_RABBITMQ
  expected.push_back("librabbitmq");
#endif
#ifdef CONNECTRUN_WITH_MQTT
  expected.push_back("libmosquitto");
#endif
  for (auto& name : expected) {
    INFO(name);
    REQUIRE(libs[name].get(v) == simdjson::SUCCESS);
    CHECK(std::regex_search(std::string(v), std::regex("^[0-9]+\\.[0-9]+")));
  }
  // The plain flag is unchanged.
  auto plain = run_connectrun({"--version"});
  CHECK(plain.exit_code == 0);
  CHECK(plain.out == std::string("connectrun ") + CONNECTRUN_VERSION + "\n");
}

TEST_CASE("connectrun broker --address-file holds the whole address once it listens and goes when it stops", "[e2e][defects][kafka]") {
  TempDir dir;
  std::string addr = dir / "broker.addr";
  write_file(addr, "127.0.0.1:1\n");  // a stale file from a broker killed earlier
  Process broker({"broker", "--topic", "t:2", "--address-file", addr}, dir / "broker.log", dir / "broker.out");
  // The file is never seen empty or partial: either absent, stale (before the broker removed it) or whole.
  std::string seen;
  REQUIRE(eventually([&] {
    seen = read_file(addr);
    return std::regex_match(seen, std::regex("127\\.0\\.0\\.1:[0-9]+\n")) && seen != "127.0.0.1:1\n";
  }));
  CHECK(!std::filesystem::exists(addr + ".tmp"));
  CHECK(eventually([&] { return read_lines(dir / "broker.out").size() == 1; }));
  CHECK(read_lines(dir / "broker.out").at(0) + "\n" == seen);
  // The address answers: a job produces to it and reads back through it.
  std::string bootstrap = seen.substr(0, seen.size() - 1);
  write_file(dir / "in.txt", "a\nb\n");
  // The shortest connection bound librdkafka takes: a reachable broker must never make --once give up.
  write_file(dir / "job.yaml", fmt::format(R"(worker:
  bootstrap.servers: {0}
  producer.socket.connection.setup.timeout.ms: 1000
  consumer.socket.connection.setup.timeout.ms: 1000
  offset.storage.file.filename: {1}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: src
    connector.class: FileStreamSource
    file: {1}/in.txt
    topic: t
  - name: snk
    connector.class: FileStreamSink
    file: {1}/out.txt
    topics: t
)",
                                           bootstrap, dir.path()));
  auto run = run_connectrun({"run", "--once", dir / "job.yaml"}, std::chrono::seconds(90));
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(read_lines(dir / "out.txt").size() == 2);
  CHECK(run.err.find("no Kafka broker reachable") == std::string::npos);
  broker.signal(SIGTERM);
  CHECK(broker.wait(std::chrono::seconds(20)) == 0);
  CHECK(!std::filesystem::exists(addr));
}
