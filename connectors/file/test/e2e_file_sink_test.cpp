// FileStreamSink end to end: the repair of a torn last line, the text it
// writes for each kind of value, the files it creates, and a stdout whose
// reader went away.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "child_process.h"
#include "support.h"

using namespace testsupport;

namespace {

// Sets the source's stored position in `in` to `position`, through the CLI as a user would.
void set_position(const std::string& dir, long position) {
  auto r = run_connectrun({"offsets", "set", dir + "/job.yaml", "--connector", "src", "--partition",
                           fmt::format(R"({{"filename":"{}"}})", dir + "/in.txt"), "--offset",
                           fmt::format(R"({{"position":{}}})", position), "--yes"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

}  // namespace

TEST_CASE("a torn last line left by a crash is removed before the replay — 1..6, one per line", "[e2e][file]") {
  TempDir dir;
  write_file(dir / "in.txt", "1\n2\n3\n4\n5\n6\n");
  write_file(dir / "out.txt", "1\n2\n3\n4");  // the crash cut "4\n" short; the offset is after "3\n"
  write_file(dir / "job.yaml", lines_job(dir.path()));
  set_position(dir.path(), 6);
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(dir / "out.txt") == "1\n2\n3\n4\n5\n6\n");
  CHECK(r.err.find("ended with an incomplete line (1 bytes)") != std::string::npos);
}

TEST_CASE("an I/O error while removing a torn last line fails the sink naming the file and the error", "[e2e][file]") {
  TempDir dir;
  write_file(dir / "in.txt", "1\n2\n");
  write_file(dir / "out.txt", "0\n1");
  // An append-only file (chattr +a, as admins protect logs) can be opened
  // for appending, but not truncated: ftruncate fails with EPERM.
  int status = -1;
  shell(fmt::format("chattr +a {} 2>/dev/null", sh_quote(dir / "out.txt")), &status);
  if (status != 0) {
    WARN("SKIP: chattr +a is not allowed here (needs root and a filesystem with attributes)");
    return;
  }
  write_file(dir / "job.yaml", lines_job(dir.path()));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  shell(fmt::format("chattr -a {}", sh_quote(dir / "out.txt")));
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot remove the incomplete last line (1 bytes) of " + dir / "out.txt" +
                   ": Operation not permitted") != std::string::npos);
  CHECK(read_file(dir / "out.txt") == "0\n1");  // nothing glued to the fragment
  CHECK(stored_position(dir / "offsets.json") == -1);  // nothing delivered, nothing stored
}

TEST_CASE("FileStreamSink's text for bytes, Decimal, Date, Time and Timestamp", "[e2e][file]") {
  TempDir dir;
  // The sink reads JsonConverter's envelope, so each line carries its schema.
  write_file(dir / "in.txt",
             R"({"schema":{"type":"bytes"},"payload":"AQL/"})" "\n"
             R"({"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":"MDk="})" "\n"
             R"({"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":19000})" "\n"
             R"({"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Time"},"payload":3723004})" "\n"
             R"({"schema":{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp"},"payload":1700000000123})" "\n"
             R"({"schema":{"type":"boolean"},"payload":true})" "\n"
             R"({"schema":{"type":"double"},"payload":1.5E20})" "\n");
  LinesJob job;
  job.sink_extra = "    value.converter: JsonConverter\n    value.converter.schemas.enable: true\n";
  write_file(dir / "job.yaml", lines_job(dir.path(), job));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // docs/connectors/file.md: bytes as a base64 string, Decimal as its plain
  // number, Date/Time/Timestamp as epoch milliseconds (Kafka prints Java's
  // toString(): "[B@1b6d3586", "123.45", "Sat Jan 08 00:00:00 UTC 2022", …).
  CHECK(read_lines(dir / "out.txt") == std::vector<std::string>{
                                           "\"AQL/\"", "123.45", "1641600000000", "3723004", "1700000000123", "true",
                                           "1.5E20"});
}

// The sink writes each record's text in place in its buffer (the bytes past the text are room, not
// text): objects, strings and nulls mixed, objects longer than the room a value first makes, and
// enough of them to cross its 64 KiB writes many times, must come out exactly.
TEST_CASE("FileStreamSink writes objects, strings and nulls mixed across its buffer's writes, exactly", "[e2e][file]") {
  TempDir dir;
  std::string in, expected;
  for (int i = 0; i < 8000; ++i) {
    if (i % 3 == 0) {
      const std::string line =
          fmt::format(R"({{"id":{},"s":"{}","ok":true,"x":1.5}})", i, std::string(static_cast<size_t>(i % 7 == 0 ? 300 : i % 50), 'a'));
      in += line + "\n";
      expected += line + "\n";
    } else if (i % 3 == 1) {
      in += fmt::format(R"("text {}")", i) + "\n";
      expected += fmt::format("text {}", i) + "\n";
    } else {
      in += "null\n";
      expected += "null\n";
    }
  }
  write_file(dir / "in.txt", in);
  LinesJob job;
  job.sink_extra = "    value.converter: JsonConverter\n    value.converter.schemas.enable: false\n";
  write_file(dir / "job.yaml", lines_job(dir.path(), job));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string out = read_file(dir / "out.txt");
  REQUIRE(out.size() > 3 * 64 * 1024);
  CHECK(out == expected);
}

TEST_CASE("a file the sink creates gets mode 0644 (less the umask), and a symlinked path is followed", "[e2e][file]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\n");
  REQUIRE(::symlink((dir / "real-out.txt").c_str(), (dir / "out.txt").c_str()) == 0);
  write_file(dir / "job.yaml", lines_job(dir.path()));
  int status = -1;
  std::string err = shell(fmt::format("umask 022 && {} run --once {} 2>&1", CONNECTRUN_BINARY, sh_quote(dir / "job.yaml")), &status);
  INFO(err);
  REQUIRE(status == 0);
  CHECK(read_file(dir / "real-out.txt") == "a\n");
  struct stat st{};
  REQUIRE(::stat((dir / "real-out.txt").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0644);
}

TEST_CASE("a stdout sink whose reader closed the pipe fails with EPIPE — exit 1, a message, nothing stored past it",
          "[e2e][file]") {
  TempDir dir;
  write_file(dir / "in.txt", numbered_lines(0, 100000));  // ~5 MB: far more than a pipe holds
  LinesJob job;
  job.out = "''";  // empty: stdout
  write_file(dir / "job.yaml", lines_job(dir.path(), job));
  int status = -1;
  // `head -1` reads one line and exits; connectrun's next write meets a closed pipe.
  const std::string run = fmt::format("{} run --once {} 2>{}; echo \"exit $?\" >{}", CONNECTRUN_BINARY,
                                      sh_quote(dir / "job.yaml"), sh_quote(dir / "err.txt"), sh_quote(dir / "exit.txt"));
  std::string first = shell("bash -c " + sh_quote(run) + " | head -1", &status);
  CHECK(first == "line 000000 \n");
  REQUIRE(eventually([&] { return !read_file(dir / "exit.txt").empty(); }));
  std::string err = read_file(dir / "err.txt");
  INFO(err);
  CHECK(read_file(dir / "exit.txt") == "exit 1\n");  // not 141 (killed by SIGPIPE, without a word)
  CHECK(err.find("cannot write to stdout: Broken pipe") != std::string::npos);
  // The source's offset never passes what the sink wrote: the whole input is not stored.
  CHECK(stored_position(dir / "offsets.json") < static_cast<long>(read_file(dir / "in.txt").size()));
}
