// ${env:} and ${file:} placeholders (setenv/unsetenv are POSIX, from stdlib.h).
#include <stdlib.h>

#include <catch2/catch.hpp>

#include "config/loader.h"
#include "config_test_util.h"

using namespace connectrun::config;
using connectrun::test::TempDir;
using connectrun::test::find_problem;
using connectrun::test::all_problems;

TEST_CASE("placeholders: env and file providers", "[config]") {
  TempDir dir;
  std::string secrets = dir.write("secrets.properties", "db.password=hunter2\n");
  setenv("CONNECTRUN_TEST_SECRET", "s3cret", 1);
  unsetenv("CONNECTRUN_TEST_MISSING");
  std::string yaml =
      "worker:\n"                                                              // 1
      "  a: ${env:CONNECTRUN_TEST_SECRET}\n"                                   // 2
      "  b: pre-${env:CONNECTRUN_TEST_SECRET}-${file:" + secrets + ":db.password}-post\n"  // 3
      "  c: ${env:CONNECTRUN_TEST_MISSING}\n"                                  // 4
      "  d: ${vault:secret/db:password}\n"                                     // 5
      "  e: ${file:" + secrets + ":nope}\n"                                    // 6
      "  f: ${file:" + dir.path("gone.properties") + ":k}\n"                   // 7
      "  g: $${env:CONNECTRUN_TEST_SECRET}\n"                                  // 8
      "  h: ${notaplaceholder} and ${unclosed\n"                               // 9
      "connectors:\n"                                                          // 10
      "  - name: x\n"                                                          // 11
      "    password: ${env:CONNECTRUN_TEST_MISSING}\n";                        // 12
  std::string path = dir.write("job.yaml", yaml);
  Problems problems;
  RawJob job = load_job({path}, problems);
  REQUIRE(problems.empty());
  resolve_placeholders(job, problems);
  INFO(all_problems(problems));
  const auto& w = job.worker.entries;
  CHECK(w.at("a").value == "s3cret");
  CHECK(w.at("b").value == "pre-s3cret-hunter2-post");
  CHECK(w.at("c").value == "${env:CONNECTRUN_TEST_MISSING}");  // left as written
  CHECK(w.at("g").value == "$s3cret");                          // $${ is not an escape in Kafka
  CHECK(w.at("h").value == "${notaplaceholder} and ${unclosed");

  REQUIRE(problems.size() == 5);
  const Problem* env = find_problem(problems, "environment variable CONNECTRUN_TEST_MISSING is not set");
  REQUIRE(env);
  CHECK(env->key == "c");
  CHECK(env->loc.str() == path + ":4:6");
  const Problem* vault = find_problem(problems, "unknown config provider");
  REQUIRE(vault);
  CHECK(vault->message == "unknown config provider 'vault' (supported: env, file)");
  CHECK(vault->loc.str() == path + ":5:6");
  const Problem* nokey = find_problem(problems, "key 'nope' not found");
  REQUIRE(nokey);
  CHECK(nokey->loc.line == 6);
  const Problem* nofile = find_problem(problems, "No such file or directory");
  REQUIRE(nofile);
  CHECK(nofile->key == "f");
  CHECK(nofile->loc.line == 7);
  const Problem* conn = &problems.list().back();
  CHECK(conn->connector == "x");
  CHECK(conn->key == "password");
  CHECK(conn->loc.str() == path + ":12:15");
  for (const auto& p : problems.list()) {
    CHECK(p.str().find("s3cret") == std::string::npos);
    CHECK(p.str().find("hunter2") == std::string::npos);
  }
  unsetenv("CONNECTRUN_TEST_SECRET");
}

TEST_CASE("placeholders: properties files and provider syntax errors", "[config]") {
  setenv("CONNECTRUN_TEST_USER", "alice", 1);
  Problems problems;
  RawJob job;
  job.worker.entries = load_properties_text("u=${env:CONNECTRUN_TEST_USER}@${env:CONNECTRUN_TEST_USER}\n"
                                            "p=${env:path:CONNECTRUN_TEST_USER}\n"
                                            "q=${file:only-key}\n"
                                            "r=${enw:X}\n",
                                            "w.properties", problems);
  resolve_placeholders(job, problems);
  INFO(all_problems(problems));
  CHECK(job.worker.entries.at("u").value == "alice@alice");
  REQUIRE(problems.size() == 3);
  CHECK(problems.list()[0].message.find("the env provider takes no path") != std::string::npos);
  CHECK(problems.list()[0].loc.str() == "w.properties:2");
  CHECK(problems.list()[1].message.find("the file provider needs a path") != std::string::npos);
  CHECK(problems.list()[2].message == "unknown config provider 'enw' (supported: env, file) (did you mean 'env'?)");
  unsetenv("CONNECTRUN_TEST_USER");
}
