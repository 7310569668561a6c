// `connectrun validate` and the checks behind it: every problem with its
// location, key and a suggestion.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "connectors/connectors.h"
#include "config/loader.h"
#include "plan/job_config.h"
#include "support.h"

using namespace connectrun;
using namespace testsupport;

namespace {
std::vector<std::string> problems_of(const std::string& yaml) {
  config::Problems problems;
  auto job = config::load_yaml_text(yaml, "job.yaml", problems);
  if (problems.empty()) plan_job(job, builtin_plugins(), problems);
  std::vector<std::string> out;
  for (auto& p : problems.list()) out.push_back(p.str());
  return out;
}

const char* kGood = R"(worker:
  offset.storage.file.filename: /tmp/x.json
  key.converter: StringConverter
  value.converter: JsonConverter
  value.converter.schemas.enable: false
connectors:
  - name: src
    connector.class: FileStreamSource
    file: /tmp/in.txt
    topic: t
  - name: snk
    connector.class: FileStreamSink
    file: /tmp/out.txt
    topics: t
)";

bool has(const std::vector<std::string>& problems, const std::string& text) {
  for (auto& p : problems)
    if (p.find(text) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("a good job has no problems", "[validate]") { CHECK(problems_of(kGood).empty()); }

TEST_CASE("misspelt keys and plugins get a location and a suggestion", "[validate]") {
  std::string yaml = kGood;
  yaml.replace(yaml.find("topic: t\n"), 9, "topik: t\n");
  yaml.replace(yaml.find("FileStreamSink"), 14, "FileStreamSnk");
  auto p = problems_of(yaml);
  INFO(fmt::format("{}", fmt::join(p, "\n")));
  CHECK(has(p, "job.yaml:10:12: connector 'src': key 'topik': unknown key for FileStreamSource (did you mean 'topic'?)"));
  CHECK(has(p, "connector 'src': key 'topic': missing required key"));
  CHECK(has(p, "job.yaml:12:22: connector 'snk': key 'connector.class': unknown connector 'FileStreamSnk' (did you mean 'FileStreamSink'?)"));
}

TEST_CASE("wrong types, bad topic names and unknown converters are reported", "[validate]") {
  std::string yaml = kGood;
  yaml.replace(yaml.find("topic: t\n"), 9, "topic: bad topic!\n    batch.size: lots\n");
  yaml.replace(yaml.find("value.converter: JsonConverter"), 30, "value.converter: JsonConvertor");
  auto p = problems_of(yaml);
  INFO(fmt::format("{}", fmt::join(p, "\n")));
  CHECK(has(p, "job.yaml:11:17: connector 'src': key 'batch.size': expected a number of type INT, got 'lots'"));
  CHECK(has(p, "key 'topic': topic name 'bad topic!' contains ' '"));
  CHECK(has(p, "job.yaml:4:20: worker: key 'value.converter': unknown converter 'JsonConvertor' (did you mean 'JsonConverter'?)"));
}

TEST_CASE("sinks need exactly one of topics and topics.regex", "[validate]") {
  std::string yaml = kGood;
  yaml.replace(yaml.find("    topics: t\n"), 14, "    topics: t\n    topics.regex: t.*\n");
  CHECK(has(problems_of(yaml), "set only one of 'topics' and 'topics.regex'"));
  yaml = kGood;
  yaml.replace(yaml.find("    topics: t\n"), 14, "");
  CHECK(has(problems_of(yaml), "a sink connector needs one of 'topics' or 'topics.regex'"));
}

TEST_CASE("unknown worker keys, converter keys and values outside the valid set", "[validate]") {
  std::string yaml = kGood;
  const std::string from = "  value.converter.schemas.enable: false\n";
  yaml.replace(yaml.find(from), from.size(), "  value.converter.schemas.enabled: false\n  offset.flush.intervall.ms: 5\n");
  yaml += "    errors.tolerance: some\n";
  auto p = problems_of(yaml);
  INFO(fmt::format("{}", fmt::join(p, "\n")));
  CHECK(has(p, "key 'value.converter.schemas.enabled': unknown key for JsonConverter (did you mean 'schemas.enable'?)"));
  CHECK(has(p, "key 'offset.flush.intervall.ms': unknown worker key (did you mean 'offset.flush.interval.ms'?)"));
  CHECK(has(p, "key 'errors.tolerance': invalid value 'some': must be one of none, all"));
}

TEST_CASE("validate prints the effective configuration or every problem", "[validate][e2e]") {
  TempDir dir;
  write_file(dir / "good.yaml", kGood);
  auto ok = run_connectrun({"validate", dir / "good.yaml"});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("offset.flush.interval.ms: 60000") != std::string::npos);  // a default filled in
  CHECK(ok.out.find("batch.size: 2000") != std::string::npos);
  CHECK(ok.out.find("value.converter.schemas.enable: false") != std::string::npos);
  CHECK(ok.out.find("connector.class: FileStreamSink") != std::string::npos);

  write_file(dir / "bad.yaml", "worker:\n  key.converter: [unclosed\nconnectors: []\n");
  auto bad = run_connectrun({"validate", dir / "bad.yaml"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find(dir / "bad.yaml:") != std::string::npos);

  auto missing = run_connectrun({"validate", dir / "nope.yaml"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("No such file or directory") != std::string::npos);
}

TEST_CASE("secrets are shown as [hidden] in the effective configuration", "[validate]") {
  // A registry with one extra source whose key is a password.
  PluginRegistry registry;
  register_core_plugins(registry);
  register_connectors(registry);
  PluginInfo secret = *registry.find("FileStreamSource", {PluginKind::Source});
  secret.name = "SecretSource";
  secret.aliases.clear();
  secret.spec.define({.name = "api.password", .type = config::KeyType::Password, .default_value = std::nullopt,
                      .doc = "A secret."});
  registry.add(secret);
  setenv("CONNECTRUN_TEST_SECRET", "s3cr3t-value", 1);
  std::string yaml = kGood;
  yaml.replace(yaml.find("connector.class: FileStreamSource"), 33,
               "connector.class: SecretSource\n    api.password: ${env:CONNECTRUN_TEST_SECRET}");
  config::Problems problems;
  auto job = config::load_yaml_text(yaml, "job.yaml", problems);
  config::resolve_placeholders(job, problems);
  auto plan = plan_job(job, registry, problems);
  REQUIRE(problems.empty());
  CHECK(plan.connectors[0].plugin_cfg.get_string("api.password") == "s3cr3t-value");
  std::string text = describe_effective(plan);
  CHECK(text.find("api.password: \"[hidden]\"") != std::string::npos);
  CHECK(text.find("s3cr3t") == std::string::npos);
}

TEST_CASE("Kafka's .properties files validate, with file:line locations", "[validate][e2e]") {
  TempDir dir;
  write_file(dir / "worker.properties", "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
                                        "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
                                        "offset.storage.file.filename=/tmp/o.json\n");
  write_file(dir / "src.properties", "name=src\nconnector.class=org.apache.kafka.connect.file.FileStreamSourceConnector\n"
                                     "tasks.max=1\nfile=/tmp/in.txt\n# comment\ntopik=t\n");
  auto r = run_connectrun({"validate", dir / "worker.properties", dir / "src.properties"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(dir / "src.properties:6: connector 'src': key 'topik': unknown key for FileStreamSource (did you mean 'topic'?)") !=
        std::string::npos);
}

TEST_CASE("bootstrap.servers must list host:port entries", "[validate][kafka]") {
  auto with = [](const std::string& value) {
    std::string yaml = kGood;
    yaml.replace(yaml.find("worker:\n"), 8, "worker:\n  bootstrap.servers: " + value + "\n");
    return problems_of(yaml);
  };
  CHECK(with("\"\"").size() == 1);
  CHECK(has(with("\"\""), "no broker given"));
  CHECK(has(with("localhost"), "invalid url 'localhost'"));
  CHECK(has(with("a:9092,b:99999"), "invalid url 'b:99999'"));
  CHECK(has(with("a:9092,:9092"), "invalid url ':9092'"));
  CHECK(with("a:9092,10.0.0.1:9093,[::1]:9094").empty());
}

TEST_CASE("a sink writing the file a source of the same job reads is refused — by path or link or inode", "[validate]") {
  TempDir dir;
  std::string in = dir / "in.txt";
  write_file(in, "1\n2\n");
  auto job = [&](const std::string& source_file, const std::string& sink_file) {
    return fmt::format("worker:\n  offset.storage.file.filename: {}\n  key.converter: StringConverter\n"
                       "  value.converter: StringConverter\nconnectors:\n"
                       "  - name: src\n    connector.class: FileStreamSource\n    file: {}\n    topic: t\n"
                       "  - name: snk\n    connector.class: FileStreamSink\n    file: {}\n    topics: t\n",
                       dir / "offsets.json", source_file, sink_file);
  };
  auto refused = [&](const std::string& source_file, const std::string& sink_file) {
    auto p = problems_of(job(source_file, sink_file));
    INFO(fmt::format("{}", fmt::join(p, "\n")));
    REQUIRE(p.size() == 1);
    CHECK(has(p, "job.yaml:12:11: connector 'snk': key 'file': connector 'snk' (FileStreamSink) writes '" + sink_file +
                     "', the file that connector 'src' (FileStreamSource) reads"));
    CHECK(has(p, "growing the file without end"));
  };
  SECTION("the same path") { refused(in, in); }
  SECTION("another spelling of the path") { refused(in, dir / "./in.txt"); }
  SECTION("a hard link") {
    REQUIRE(::link(in.c_str(), (dir / "hard.txt").c_str()) == 0);
    refused(in, dir / "hard.txt");
  }
  SECTION("a symbolic link, either way") {
    REQUIRE(::symlink(in.c_str(), (dir / "soft.txt").c_str()) == 0);
    refused(in, dir / "soft.txt");
    refused(dir / "soft.txt", in);
  }
  SECTION("a file that does not exist yet") { refused(dir / "later.txt", dir / "./later.txt"); }
  SECTION("different files, stdin and stdout are fine") {
    CHECK(problems_of(job(in, dir / "out.txt")).empty());
    CHECK(problems_of(job("", "")).empty());
  }
}

namespace {
// A job of `n` connectors: source/sink pairs joined by one topic each.
std::string generated_job(size_t n) {
  std::string yaml = "worker:\n  offset.storage.file.filename: /tmp/x.json\n  key.converter: StringConverter\n"
                     "  value.converter: StringConverter\nconnectors:\n";
  for (size_t i = 0; i < n / 2; ++i)
    yaml += fmt::format("  - name: src{0}\n    connector.class: FileStreamSource\n    file: /tmp/in{0}.txt\n"
                        "    topic: t{0}\n  - name: snk{0}\n    connector.class: FileStreamSink\n"
                        "    file: /tmp/out{0}.txt\n    topics: t{0}\n",
                        i);
  return yaml;
}
}  // namespace

// Validation is linear in the number of connectors (it used to compare every
// source with every sink); a job beyond the limit is refused before planning.
TEST_CASE("a job of 10000 connectors validates and one of 20000 is refused clearly", "[validate]") {
  config::Problems problems;
  auto job = config::load_yaml_text(generated_job(config::kMaxConnectors), "job.yaml", problems);
  REQUIRE(problems.empty());
  auto plan = plan_job(job, builtin_plugins(), problems);
  CHECK(problems.empty());
  CHECK(plan.connectors.size() == config::kMaxConnectors);
  CHECK(plan.warnings.empty());  // every source's topic is read by its sink

  auto refused = problems_of(generated_job(20000));
  REQUIRE(refused.size() == 1);
  CHECK(refused[0] == "job.yaml:6:3: worker: 20000 connectors in one job; connectrun runs at most 10000 in one process "
                      "(split the job into several, one process each)");
}
