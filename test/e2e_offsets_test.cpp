// End-to-end: `connectrun offsets list|reset|set` on source offsets (the
// offsets file), with the real binary on real files.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {
std::string offsets_job(const TempDir& dir) {
  return lines_job(dir.path(), {.worker_extra = "  offset.flush.interval.ms: 200\n"});
}

// A job that ran once over "a\nb\n": src's offset is position 4.
void ran_once(const TempDir& dir) {
  write_file(dir / "in.txt", "a\nb\n");
  write_file(dir / "job.yaml", offsets_job(dir));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(stored_position(dir / "offsets.json") == 4);
}
}  // namespace

TEST_CASE("offsets list: a table of the stored source offsets", "[e2e][offsets]") {
  TempDir dir;
  ran_once(dir);
  auto r = run_connectrun({"offsets", "list", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("CONNECTOR") == 0);
  CHECK(r.out.find(fmt::format("src        source  {{\"filename\":\"{}\"}}  {{\"position\":4}}", dir / "in.txt")) !=
        std::string::npos);
  CHECK(r.err.find("sink connectors on the in-process bus keep no offsets") != std::string::npos);
}

TEST_CASE("offsets list --json: Kafka Connect's GET /connectors/NAME/offsets shape", "[e2e][offsets]") {
  TempDir dir;
  ran_once(dir);
  auto one = run_connectrun({"offsets", "list", "--json", "--connector", "src", dir / "job.yaml"});
  REQUIRE(one.exit_code == 0);
  CHECK(one.out == fmt::format("{{\"offsets\":[{{\"partition\":{{\"filename\":\"{}\"}},\"offset\":{{\"position\":4}}}}]}}\n",
                               dir / "in.txt"));
  auto all = run_connectrun({"offsets", "list", "--json", dir / "job.yaml"});
  REQUIRE(all.exit_code == 0);
  CHECK(all.out == fmt::format("{{\"src\":{{\"offsets\":[{{\"partition\":{{\"filename\":\"{}\"}},\"offset\":{{\"position\":4}}}}]}},"
                               "\"snk\":{{\"offsets\":[]}}}}\n",
                               dir / "in.txt"));
}

TEST_CASE("offsets reset --yes: the next run reads the source from the start", "[e2e][offsets]") {
  TempDir dir;
  ran_once(dir);
  auto r = run_connectrun({"offsets", "reset", "--connector", "src", "--yes", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("removes 1 stored source offset(s) of connector 'src'") != std::string::npos);
  CHECK(stored_position(dir / "offsets.json") == -1);
  REQUIRE(run_connectrun({"run", "--once", dir / "job.yaml"}).exit_code == 0);
  CHECK(read_file(dir / "out.txt") == "a\nb\na\nb\n");
}

TEST_CASE("offsets set: a source partition's offset, then null removes it", "[e2e][offsets]") {
  TempDir dir;
  ran_once(dir);
  std::string partition = fmt::format("{{\"filename\":\"{}\"}}", dir / "in.txt");
  auto r = run_connectrun({"offsets", "set", "--connector", "src", "--partition", partition, "--offset",
                           "{\"position\":2}", "--yes", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("{\"position\":4} → {\"position\":2}") != std::string::npos);
  CHECK(stored_position(dir / "offsets.json") == 2);
  REQUIRE(run_connectrun({"run", "--once", dir / "job.yaml"}).exit_code == 0);
  CHECK(read_file(dir / "out.txt") == "a\nb\nb\n");  // resumed at byte 2: "b" again

  auto del = run_connectrun({"offsets", "set", "--connector", "src", "--partition", partition, "--offset", "null",
                             "--yes", dir / "job.yaml"});
  REQUIRE(del.exit_code == 0);
  CHECK(stored_position(dir / "offsets.json") == -1);
}

TEST_CASE("offsets: an unknown connector is an error with did-you-mean", "[e2e][offsets]") {
  TempDir dir;
  ran_once(dir);
  auto r = run_connectrun({"offsets", "reset", "--connector", "srcc", "--yes", dir / "job.yaml"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("unknown connector 'srcc' (did you mean 'src'?)") != std::string::npos);
  CHECK(stored_position(dir / "offsets.json") == 4);
}

TEST_CASE("offsets set: bad JSON in --partition or --offset is a usage error", "[e2e][offsets]") {
  TempDir dir;
  ran_once(dir);
  auto bad_partition = run_connectrun({"offsets", "set", "--connector", "src", "--partition", "{filename:", "--offset",
                                       "{\"position\":0}", "--yes", dir / "job.yaml"});
  CHECK(bad_partition.exit_code == 2);
  CHECK(bad_partition.err.find("--partition: not valid JSON") != std::string::npos);
  auto bad_offset = run_connectrun({"offsets", "set", "--connector", "src", "--partition", "{\"filename\":\"x\"}",
                                    "--offset", "[1,", "--yes", dir / "job.yaml"});
  CHECK(bad_offset.exit_code == 2);
  CHECK(bad_offset.err.find("--offset: not valid JSON") != std::string::npos);
  auto not_object = run_connectrun({"offsets", "set", "--connector", "src", "--partition", "\"x\"", "--offset",
                                    "{\"position\":0}", "--yes", dir / "job.yaml"});
  CHECK(not_object.exit_code == 2);
  CHECK(not_object.err.find("--partition: expected a JSON object") != std::string::npos);
  CHECK(stored_position(dir / "offsets.json") == 4);
}

TEST_CASE("offsets reset without --yes and without a terminal refuses", "[e2e][offsets]") {
  TempDir dir;
  ran_once(dir);
  auto r = run_connectrun({"offsets", "reset", "--connector", "src", dir / "job.yaml"});  // stdin is not a TTY here
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("stdin is not a terminal; pass --yes") != std::string::npos);
  CHECK(stored_position(dir / "offsets.json") == 4);
}

TEST_CASE("offsets cannot change while a job runs on the offsets file", "[e2e][offsets]") {
  TempDir dir;
  ran_once(dir);
  Process job({"run", dir / "job.yaml"}, dir / "log.txt");
  REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("running 2 connector(s)") != std::string::npos; }));
  auto r = run_connectrun({"offsets", "reset", "--connector", "src", "--yes", dir / "job.yaml"});
  CHECK(r.exit_code == 75);
  CHECK(r.err.find("in use by another connectrun process") != std::string::npos);
  // Listing needs no lock.
  CHECK(run_connectrun({"offsets", "list", dir / "job.yaml"}).exit_code == 0);
  job.signal(SIGTERM);
  REQUIRE(job.wait(20s) == 0);
  CHECK(stored_position(dir / "offsets.json") == 4);
}

TEST_CASE("offsets of a connector no longer in the job can be listed and reset", "[e2e][offsets]") {
  TempDir dir;
  ran_once(dir);
  write_file(dir / "job2.yaml", fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: other
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: lines
)", dir.path()));
  auto list = run_connectrun({"offsets", "list", dir / "job2.yaml"});
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find("src        source (not in this job)") != std::string::npos);
  auto r = run_connectrun({"offsets", "reset", "--connector", "src", "--yes", dir / "job2.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(stored_position(dir / "offsets.json") == -1);
}

TEST_CASE("offsets: a sink on the in-process bus has no offsets to change", "[e2e][offsets]") {
  TempDir dir;
  ran_once(dir);
  auto r = run_connectrun({"offsets", "reset", "--connector", "snk", "--yes", dir / "job.yaml"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("in-process bus") != std::string::npos);
}

TEST_CASE("offsets reset on a terminal asks, and only y changes anything", "[e2e][offsets]") {
  TempDir dir;
  ran_once(dir);
  int status = -1;
  // script(1) gives the command a pseudo-terminal as stdin.
  auto on_tty = [&](const std::string& answer) {
    return shell(fmt::format("echo {} | script -qec '{} offsets reset --connector src {}' /dev/null 2>&1", answer,
                             CONNECTRUN_BINARY, dir / "job.yaml"),
                 &status);
  };
  std::string no = on_tty("n");
  INFO(no);
  CHECK(no.find("Proceed? [y/N]") != std::string::npos);
  CHECK(no.find("aborted: nothing was changed") != std::string::npos);
  CHECK(stored_position(dir / "offsets.json") == 4);
  std::string yes = on_tty("y");
  INFO(yes);
  CHECK(yes.find("reset: 1 source offset(s) of 'src' removed") != std::string::npos);
  CHECK(stored_position(dir / "offsets.json") == -1);
}
