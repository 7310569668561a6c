// ${env:} and ${file:} placeholders (setenv/unsetenv are POSIX, from stdlib.h).
#include <stdlib.h>

#include <catch2/catch.hpp>

#include "connectors/connectors.h"
#include "config/loader.h"
#include "plugin/registry.h"
#include "plan/job_config.h"
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

namespace {
// Loads, resolves and plans a YAML job as `validate` does.
connectrun::JobPlan plan_text(const std::string& yaml, Problems& problems) {
  RawJob job = load_yaml_text(yaml, "job.yaml", problems);
  resolve_placeholders(job, problems);
  return connectrun::plan_job(job, connectrun::builtin_plugins(), problems);
}
}  // namespace

TEST_CASE("validation errors name the placeholder — never the value it resolved to", "[config][validate]") {
  TempDir dir;
  std::string secrets = dir.write("shadow", "root=r00tHash:19000:0:99999\n");
  setenv("CONNECTRUN_TEST_PORT", "s3cr3t", 1);
  setenv("CONNECTRUN_TEST_TOPICS", "good,b@d-t0pic", 1);
  std::string yaml =
      "worker:\n"
      "  offset.storage.file.filename: /tmp/x.json\n"
      "  key.converter: StringConverter\n"
      "  value.converter: StringConverter\n"
      "  offset.flush.interval.ms: ${env:CONNECTRUN_TEST_PORT}\n"  // LONG
      "connectors:\n"
      "  - name: src\n"
      "    connector.class: FileStreamSource\n"
      "    file: /tmp/in.txt\n"
      "    topic: ${file:" + secrets + ":root}\n"                   // refused by the plugin's configure()
      "    batch.size: ${env:CONNECTRUN_TEST_PORT}\n"               // INT
      "  - name: snk\n"
      "    connector.class: FileStreamSink\n"
      "    file: /tmp/out.txt\n"
      "    topics: ${env:CONNECTRUN_TEST_TOPICS}\n"                 // one bad name in a list
      "    errors.tolerance: all-${env:CONNECTRUN_TEST_PORT}\n";    // a validator's valid set
  Problems problems;
  plan_text(yaml, problems);
  std::string all = all_problems(problems);
  INFO(all);
  auto has = [&](const std::string& key, const std::string& text) {
    for (const auto& p : problems.list())
      if (p.key == key && p.message.find(text) != std::string::npos) return true;
    return false;
  };
  CHECK(has("offset.flush.interval.ms", "expected a number of type LONG, got the value of ${env:CONNECTRUN_TEST_PORT}"));
  CHECK(has("batch.size", "expected a number of type INT, got the value of ${env:CONNECTRUN_TEST_PORT}"));
  CHECK(has("topic", "the value of ${file:" + secrets + ":root}"));
  CHECK(has("topics", "the value of ${env:CONNECTRUN_TEST_TOPICS}"));
  CHECK(has("errors.tolerance", "invalid value the value of all-${env:CONNECTRUN_TEST_PORT}: must be one of none, all"));
  CHECK(problems.size() == 5);
  CHECK(all.find("s3cr3t") == std::string::npos);
  CHECK(all.find("r00tHash") == std::string::npos);
  CHECK(all.find("19000") == std::string::npos);
  CHECK(all.find("b@d") == std::string::npos);

  // `validate` shows the placeholders of a valid job, not what they resolved to.
  setenv("CONNECTRUN_TEST_TOPIC", "t0p-secret", 1);
  Problems none;
  auto plan = plan_text("worker:\n  offset.storage.file.filename: /tmp/x.json\n  key.converter: StringConverter\n"
                        "  value.converter: StringConverter\nconnectors:\n  - name: src\n"
                        "    connector.class: FileStreamSource\n    file: /tmp/in.txt\n"
                        "    topic: ${env:CONNECTRUN_TEST_TOPIC}\n",
                        none);
  REQUIRE(none.empty());
  std::string shown = connectrun::describe_effective(plan);
  INFO(shown);
  CHECK(shown.find("topic: ${env:CONNECTRUN_TEST_TOPIC}") != std::string::npos);
  CHECK(shown.find("t0p-secret") == std::string::npos);
  CHECK(plan.connectors[0].plugin_cfg.get_string("topic") == "t0p-secret");  // resolved where it is used
  // The warning about a topic no sink reads names the placeholder too.
  for (auto& w : plan.warnings) CHECK(w.find("t0p-secret") == std::string::npos);
  unsetenv("CONNECTRUN_TEST_PORT");
  unsetenv("CONNECTRUN_TEST_TOPICS");
  unsetenv("CONNECTRUN_TEST_TOPIC");
}

TEST_CASE("redact hides resolved parts quoted or not and leaves the rest of the message", "[config]") {
  RawEntry e{"jdbc:Pa55word@db", {}, "jdbc:${env:PW}@db", {Resolved{5, 13, "${env:PW}"}}};
  CHECK(redact(e, "invalid url 'jdbc:Pa55word@db'") == "invalid url the value of jdbc:${env:PW}@db");
  CHECK(redact(e, "bad part 'Pa55word'") == "bad part the value of ${env:PW}");
  CHECK(redact(e, "bad part 'a55w'") == "bad part part of the value of jdbc:${env:PW}@db");
  CHECK(redact(e, "mapping PA55WORD is invalid") == "mapping ${env:PW} is invalid");  // any case
  CHECK(redact(e, "'jdbc' is fine, it was written") == "'jdbc' is fine, it was written");
  RawEntry port{"8080", {}, "${env:PORT}", {Resolved{0, 4, "${env:PORT}"}}};
  CHECK(redact(port, "must be at most 80800") == "must be at most 80800");  // digits only when quoted
  CHECK(redact(port, "got '8080'") == "got the value of ${env:PORT}");
  RawEntry plain{"s3cr3t", {}};
  CHECK(redact(plain, "got 's3cr3t'") == "got 's3cr3t'");  // not from a placeholder: as it was
}
