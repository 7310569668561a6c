// End-to-end: offsets files that are damaged or planted are refused at start
// (exit 1, naming the file and what to do), before any connector writes; and
// nothing is ever written through a link planted beside the offsets file.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "support.h"

using namespace testsupport;

namespace {
// Runs the lines job once over "a\nb\n" with whatever is at the offsets path;
// it must be refused with `message`, the sink never writing.
void refused(const TempDir& dir, const std::string& message) {
  write_file(dir / "in.txt", "a\nb\n");
  write_file(dir / "job.yaml", lines_job(dir.path()));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(message) != std::string::npos);
  CHECK(read_file(dir / "out.txt").empty());
}
}  // namespace

TEST_CASE("damaged offsets files are refused at start: empty or a directory or a position that is not a number",
          "[e2e][offsets]") {
  TempDir dir;
  const std::string offsets = dir / "offsets.json";
  SECTION("zero bytes") {
    write_file(offsets, "");
    refused(dir, fmt::format("offsets file {} is empty (0 bytes)", offsets));
    CHECK(read_file(offsets).empty());
  }
  SECTION("whitespace only") {
    write_file(offsets, "\n\n");
    refused(dir, "is empty (2 bytes, whitespace only)");
    CHECK(read_file(offsets) == "\n\n");
  }
  SECTION("a directory (was found only after the sink had written)") {
    REQUIRE(::mkdir(offsets.c_str(), 0700) == 0);
    refused(dir, fmt::format("offsets file {} is a directory", offsets));
    CHECK(std::filesystem::is_empty(offsets));
  }
  SECTION("\"position\":\"abc\" (was read as no offset: everything sent again)") {
    const std::string text = fmt::format(R"({{"offsets":[{{"key":["src",{{"filename":"{}"}}],"offset":{{"position":"abc"}}}}]}})",
                                         dir / "in.txt");
    write_file(offsets, text);
    refused(dir, R"(the stored offset of )" + (dir / "in.txt") + R"( is {"position":"abc"}, but "position" must be a whole number)");
    CHECK(read_file(offsets) == text);
  }
  SECTION("a negative position") {
    write_file(offsets, fmt::format(R"({{"offsets":[{{"key":["src",{{"filename":"{}"}}],"offset":{{"position":-4}}}}]}})",
                                    dir / "in.txt"));
    refused(dir, "connectrun offsets reset --connector src");
  }
}

TEST_CASE("a symbolic link planted at the offsets lock is refused — its target untouched", "[e2e][offsets][security]") {
  TempDir dir;
  write_file(dir / "passwd", "root:x:0:0\n");
  REQUIRE(::symlink((dir / "passwd").c_str(), (dir / "offsets.json.lock").c_str()) == 0);
  refused(dir, fmt::format("lock file {0}.lock is a symbolic link; connectrun never writes through a link there (it "
                           "could overwrite another file): remove {0}.lock",
                           dir / "offsets.json"));
  CHECK(read_file(dir / "passwd") == "root:x:0:0\n");
  CHECK_FALSE(std::filesystem::exists(dir / "offsets.json"));
}

TEST_CASE("a run writes offsets and lock with mode 0600 and never through a planted temporary name",
          "[e2e][offsets][security]") {
  TempDir dir;
  write_file(dir / "passwd", "root:x:0:0\n");
  write_file(dir / "in.txt", "a\nb\n");
  write_file(dir / "job.yaml", lines_job(dir.path()));
  // The old temporary name was "<file>.tmp-<pid>": planted once the pid is
  // known, before the first write of offsets (at shutdown: the interval is long).
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  const std::string old_tmp = fmt::format("{}.tmp-{}", dir / "offsets.json", p.pid());
  REQUIRE(::symlink((dir / "passwd").c_str(), old_tmp.c_str()) == 0);
  REQUIRE(eventually([&] { return read_file(dir / "out.txt") == "a\nb\n"; }));
  p.signal(SIGTERM);
  int rc = p.wait(std::chrono::seconds(20));
  INFO(read_file(dir / "log.txt"));
  REQUIRE(rc == 0);
  CHECK(stored_position(dir / "offsets.json") == 4);
  CHECK(read_file(dir / "passwd") == "root:x:0:0\n");
  CHECK(std::filesystem::is_symlink(old_tmp));
  for (auto name : {"offsets.json", "offsets.json.lock"}) {
    struct stat st {};
    REQUIRE(::lstat((dir / name).c_str(), &st) == 0);
    INFO(name);
    CHECK(S_ISREG(st.st_mode));
    CHECK((st.st_mode & 07777) == 0600);
  }
}
