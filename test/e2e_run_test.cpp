// End-to-end: the real binary on real files.
#include <catch2/catch.hpp>

#include <filesystem>
#include <cstdlib>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string job_yaml(const TempDir& dir, const std::string& extra_worker = "", const std::string& source_extra = "",
                     const std::string& sink_extra = "") {
  return lines_job(dir.path(), {.worker_extra = "  offset.flush.interval.ms: 200\n" + extra_worker,
                                .source_extra = source_extra,
                                .sink_extra = sink_extra});
}

}  // namespace

TEST_CASE("quickstart example: output equals input", "[e2e]") {
  TempDir dir;
  std::filesystem::create_directories(dir / "examples/data");
  std::filesystem::create_directories(dir / "build");
  std::filesystem::copy_file(std::string(CONNECTRUN_SOURCE_DIR) + "/examples/data/quickstart.txt", dir / "examples/data/quickstart.txt");
  auto r = run_connectrun({"run", "--once", std::string(CONNECTRUN_SOURCE_DIR) + "/examples/quickstart.yaml"}, 30s, dir.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(dir / "build/quickstart-output.txt") == read_file(dir / "examples/data/quickstart.txt"));
  CHECK(read_file(dir / "build/quickstart.offsets.json").find("\"position\":") != std::string::npos);
}

TEST_CASE("run --once twice: the second run writes only what was appended", "[e2e]") {
  TempDir dir;
  write_file(dir / "job.yaml", job_yaml(dir));
  write_file(dir / "in.txt", numbered_lines(0, 1000));
  auto r1 = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r1.err);
  REQUIRE(r1.exit_code == 0);
  auto r2 = run_connectrun({"run", "--once", dir / "job.yaml"});
  REQUIRE(r2.exit_code == 0);
  CHECK(read_file(dir / "out.txt") == numbered_lines(0, 1000));
  append_file(dir / "in.txt", numbered_lines(1000, 1500) + "partial line without newline");
  auto r3 = run_connectrun({"run", "--once", dir / "job.yaml"});
  REQUIRE(r3.exit_code == 0);
  CHECK(read_file(dir / "out.txt") == numbered_lines(0, 1500));
  CHECK(r3.err.find("connector 'src': 500 read") != std::string::npos);
}

TEST_CASE("SIGTERM drains and stores offsets — a restart continues without loss or duplicates", "[e2e]") {
  TempDir dir;
  write_file(dir / "job.yaml", job_yaml(dir));
  write_file(dir / "in.txt", numbered_lines(0, 5000));
  {
    Process p({"run", dir / "job.yaml"}, dir / "log1.txt");
    REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 5000; }));
    append_file(dir / "in.txt", numbered_lines(5000, 6000));  // read while running (tail mode)
    REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 6000; }));
    p.signal(SIGTERM);
    INFO(read_file(dir / "log1.txt"));
    REQUIRE(p.wait(20s) == 0);
  }
  append_file(dir / "in.txt", numbered_lines(6000, 7000));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(dir / "out.txt") == numbered_lines(0, 7000));
}

TEST_CASE("kill -9 at random moments loses nothing and keeps order", "[e2e]") {
  TempDir dir;
  write_file(dir / "job.yaml", job_yaml(dir));
  write_file(dir / "in.txt", "");
  unsigned seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  int written = 0;
  for (int round = 0; round < 6; ++round) {
    Process p({"run", dir / "job.yaml"}, dir / "log.txt");
    // A writer appends while connectrun runs.
    int target = written + 3000 + static_cast<int>(rng() % 3000);
    while (written < target) {
      int next = std::min(target, written + 500);
      append_file(dir / "in.txt", numbered_lines(written, next));
      written = next;
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 30));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 400));
    p.signal(SIGKILL);
    REQUIRE(p.wait(10s) == 128 + SIGKILL);
  }
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err << read_file(dir / "log.txt"));
  REQUIRE(r.exit_code == 0);
  auto input = read_lines(dir / "in.txt");
  REQUIRE(input.size() == static_cast<size_t>(written));
  check_no_loss_in_order(input, read_lines(dir / "out.txt"));
  // No torn line: every output line is a whole input line (checked above) and the file ends with a newline.
  auto out = read_file(dir / "out.txt");
  CHECK((out.empty() || out.back() == '\n'));
}

TEST_CASE("the .properties form gives the same output as the YAML form", "[e2e]") {
  TempDir dir;
  std::filesystem::create_directories(dir / "examples/data");
  std::filesystem::create_directories(dir / "build");
  std::filesystem::copy_file(std::string(CONNECTRUN_SOURCE_DIR) + "/examples/data/quickstart.txt", dir / "examples/data/quickstart.txt");
  std::string ex = std::string(CONNECTRUN_SOURCE_DIR) + "/examples/";
  auto r1 = run_connectrun({"run", "--once", ex + "quickstart.yaml"}, 30s, dir.path());
  auto r2 = run_connectrun({"run", "--once", ex + "properties/worker.properties", ex + "properties/connect-file-source.properties",
                            ex + "properties/connect-file-sink.properties"}, 30s, dir.path());
  INFO(r1.err << r2.err);
  REQUIRE(r1.exit_code == 0);
  REQUIRE(r2.exit_code == 0);
  CHECK(read_file(dir / "build/quickstart-properties-output.txt") == read_file(dir / "build/quickstart-output.txt"));
  CHECK_FALSE(read_file(dir / "build/quickstart-output.txt").empty());
}

TEST_CASE("JSON example with schemas round-trips every line", "[e2e]") {
  TempDir dir;
  std::filesystem::create_directories(dir / "examples/data");
  std::filesystem::create_directories(dir / "build");
  std::filesystem::copy_file(std::string(CONNECTRUN_SOURCE_DIR) + "/examples/data/quickstart.txt", dir / "examples/data/quickstart.txt");
  auto r = run_connectrun({"run", "--once", std::string(CONNECTRUN_SOURCE_DIR) + "/examples/json-with-schema.yaml"}, 30s, dir.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(dir / "build/json-example-output.txt") == read_file(dir / "examples/data/quickstart.txt"));
}

TEST_CASE("no file: the source reads stdin and the sink writes stdout", "[e2e]") {
  TempDir dir;
  write_file(dir / "job.yaml", fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: JsonConverter
  value.converter.schemas.enable: false
connectors:
  - name: stdin-source
    connector.class: FileStreamSource
    topic: lines
  - name: stdout-sink
    connector.class: FileStreamSink
    topics: lines
)",
                                           dir.path()));
  write_file(dir / "in.txt", "one\r\ntwo\n{\"not\":\"parsed by the source\"}\n");
  // The source's JsonConverter writes each line as a JSON string; the sink reads it back as a string.
  std::string cmd = fmt::format("'{}' run --once '{}' < '{}' > '{}' 2> '{}'", CONNECTRUN_BINARY, dir / "job.yaml",
                                dir / "in.txt", dir / "out.txt", dir / "err.txt");
  int rc = std::system(cmd.c_str());
  INFO(read_file(dir / "err.txt"));
  REQUIRE(rc == 0);
  CHECK(read_file(dir / "out.txt") == "one\ntwo\n{\"not\":\"parsed by the source\"}\n");
  // Offsets of stdin are not tracked.
  CHECK(read_file(dir / "offsets.json").find("stdin-source") == std::string::npos);
}
