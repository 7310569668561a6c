// `connectrun schema` checked by an outside validator (Debian's python3-jsonschema,
// Draft 2020-12, through test/data/validate_job_schema.py): every example job and
// every whole job in the docs is valid; a misspelt key, a wrong type and a wrong
// enum value are flagged; and on a set of variants the schema agrees with
// `connectrun validate` both ways (a job the loader accepts must not be refused).
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

#include "support.h"

using namespace testsupport;

namespace {

const std::string kSourceDir = CONNECTRUN_SOURCE_DIR;

// Writes the schema into `dir` and returns its path.
std::string write_schema(const TempDir& dir) {
  auto r = run_connectrun({"schema"});
  REQUIRE(r.exit_code == 0);
  std::string path = dir / "connectrun.schema.json";
  write_file(path, r.out);
  return path;
}

struct Verdict {
  int status = -1;     // 0: every file valid
  std::string output;  // "valid PATH" / "invalid PATH: …" lines
};

Verdict validate_with_schema(const std::string& schema, const std::vector<std::string>& files) {
  // Debian's interpreter, so Debian's python3-jsonschema and python3-yaml (scripts/install-deps).
  std::string cmd = "/usr/bin/python3 " + kSourceDir + "/test/data/validate_job_schema.py '" + schema + "'";
  for (auto& f : files) cmd += " '" + f + "'";
  Verdict v;
  v.output = shell(cmd + " 2>&1", &v.status);
  return v;
}

bool is_job(const std::string& yaml_text) {
  try {
    YAML::Node root = YAML::Load(yaml_text);
    return root.IsMap() && root["worker"] && root["connectors"];
  } catch (const YAML::Exception&) {
    return false;
  }
}

// The whole jobs (worker: and connectors:) in the ```yaml blocks of a Markdown file.
std::vector<std::string> doc_jobs(const std::string& path) {
  std::vector<std::string> jobs;
  std::istringstream in(read_file(path));
  std::string line, text;
  bool open = false, fragment = false;
  size_t indent = 0;
  while (std::getline(in, line)) {
    size_t start = line.find_first_not_of(' ');
    bool fence = start != std::string::npos && line.compare(start, 3, "```") == 0;
    if (open) {
      if (fence) {
        if (!fragment && is_job(text)) jobs.push_back(text);
        open = false;
      } else {
        text += (line.size() >= indent ? line.substr(indent) : std::string()) + "\n";
      }
    } else if (fence && line.compare(start, 7, "```yaml") == 0) {
      open = true;
      fragment = line.find("fragment") != std::string::npos;
      indent = start;
      text.clear();
    }
  }
  return jobs;
}

const char* kJob =
    "worker:\n"
    "  offset.storage.file.filename: offsets.json\n"
    "  key.converter: StringConverter\n"
    "  value.converter: StringConverter\n"
    "WORKER"
    "connectors:\n"
    "  - name: in\n"
    "    connector.class: FileStreamSource\n"
    "    file: in.txt\n"
    "    topic: lines\n"
    "SOURCE"
    "  - name: out\n"
    "    connector.class: FileStreamSink\n"
    "    file: out.txt\n"
    "    topics: lines\n"
    "SINK";

// kJob with extra lines in the worker, the source and the sink (each line indented as its section).
std::string job(const std::string& worker, const std::string& source = "", const std::string& sink = "") {
  std::string out = kJob;
  auto put = [&](const std::string& mark, const std::string& lines) {
    out.replace(out.find(mark), mark.size(), lines);
  };
  put("WORKER", worker);
  put("SOURCE", source);
  put("SINK", sink);
  return out;
}

}  // namespace

TEST_CASE("schema validates every example job and every whole job in the docs", "[schema]") {
  TempDir dir;
  std::string schema = write_schema(dir);
  std::vector<std::string> files;
  for (const char* folder : {"/examples", "/examples/tests"})
    for (auto& e : std::filesystem::directory_iterator(kSourceDir + folder))
      if (e.path().extension() == ".yaml" && is_job(read_file(e.path().string()))) files.push_back(e.path().string());
  // The example jobs of every connector family and the quickstarts at least.
  CHECK(files.size() >= 12);
  int n = 0;
  std::vector<std::filesystem::path> docs{kSourceDir + "/README.md"};
  for (const char* folder : {"/docs", "/docs/connectors"})
    for (auto& e : std::filesystem::directory_iterator(kSourceDir + folder))
      if (e.path().extension() == ".md") docs.push_back(e.path());
  for (auto& doc : docs)
    for (auto& text : doc_jobs(doc.string())) {
      std::string path = dir / ("doc-" + std::to_string(++n) + "-" + doc.stem().string() + ".yaml");
      write_file(path, "# from " + doc.string() + "\n" + text);
      files.push_back(path);
    }
  // README's job and its editor support example, and the docs' whole jobs.
  CHECK(n >= 3);
  auto v = validate_with_schema(schema, files);
  INFO(v.output);
  CHECK(v.status == 0);
  for (auto& f : files) CHECK(v.output.find("valid " + f + "\n") != std::string::npos);
}

TEST_CASE("schema agrees with connectrun validate on misspelt keys wrong types enums and accepted forms", "[schema]") {
  TempDir dir;
  std::string schema = write_schema(dir);
  write_file(dir / "in.txt", "");
  write_file(dir / "values.properties", "ms=5000\ntasks=1\n");
  struct Case {
    std::string name, text;
    bool valid;
  };
  const std::vector<Case> cases{
      {"the base job", job(""), true},
      {"misspelt FileStreamSource key", job("", "    fiel: other.txt\n"), false},
      {"misspelt tasks.max", job("", "    tasks.maxx: 1\n"), false},
      {"misspelt worker key", job("  offset.flush.intervall.ms: 1000\n"), false},
      {"misspelt top-level key", job("") + "workers: {}\n", false},
      {"tasks.max not a number", job("", "    tasks.max: abc\n"), false},
      {"boolean key not a boolean", job("", "", "    errors.log.enable: sometimes\n"), false},
      {"errors.tolerance outside its enum", job("", "", "    errors.tolerance: most\n"), false},
      {"unknown connector.class",
       job("") + "  - name: x\n    connector.class: FileStreamSorce\n    file: a\n    topic: t\n", false},
      {"unknown transform type", job("", "    transforms: t\n    transforms.t.type: NoSuchTransform\n"), false},
      {"a sink without topics or topics.regex",
       job("") + "  - name: x\n    connector.class: FileStreamSink\n    file: b.txt\n", false},
      {"converter key no converter has", job("  value.converter.schemas.enabel: false\n"), false},
      {"numbers and booleans given as strings",
       job("  offset.flush.interval.ms: \"5000\"\n", "    tasks.max: '1'\n", "    errors.log.enable: 'TRUE'\n"), true},
      {"placeholders where numbers are expected",
       job("  offset.flush.interval.ms: ${file:" + (dir / "values.properties") + ":ms}\n",
           "    tasks.max: ${file:" + (dir / "values.properties") + ":tasks}\n"),
       true},
      {"enum values in any letter case", job("", "", "    errors.tolerance: ALL\n"), true},
      {"lists as YAML lists and topics.regex",
       job("  bootstrap.servers: [localhost:9092]\n", "",
           "  - name: by-regex\n    connector.class: FileStreamSink\n    file: out2.txt\n    topics.regex: 'lin.*'\n"),
       true},
      {"transforms predicates and converter keys",
       job("  value.converter.schemas.enable: false\n",
           "    value.converter: JsonConverter\n    value.converter.schemas.enable: false\n"
           "    transforms: hoist,drop\n    transforms.hoist.type: HoistField$Value\n    transforms.hoist.field: line\n"
           "    transforms.drop.type: Filter\n    transforms.drop.predicate: tmp\n    transforms.drop.negate: false\n"
           "    predicates: tmp\n    predicates.tmp.type: TopicNameMatches\n    predicates.tmp.pattern: 'tmp-.*'\n"),
       true},
      {"a Kafka key with no effect only warns", job("  config.storage.topic: connect-configs\n  metrics.context.foo: bar\n"), true},
      {"client override keys", job("", "    producer.override.linger.ms: 5\n"), true},
      {"a nested map for a dotted prefix",
       job("  offset:\n    flush.interval.ms: 5000\n", "",
           "    errors:\n      tolerance: all\n      log: {enable: true}\n"),
       true},
      {"a misspelt key inside a nested map", job("", "", "    errors:\n      tolerence: all\n"), false},
      {"a wrong enum value inside a nested map", job("", "", "    errors: {tolerance: most}\n"), false},
  };
  // One job file per case; the outside validator reads them all in one run (it checks the schema
  // itself first, which takes seconds).
  std::vector<std::string> paths;
  for (size_t i = 0; i < cases.size(); ++i) {
    paths.push_back(dir / ("job-" + std::to_string(i) + ".yaml"));
    write_file(paths.back(), cases[i].text);
  }
  auto v = validate_with_schema(schema, paths);
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    INFO(c.name << "\n" << c.text);
    auto loader = run_connectrun({"validate", paths[i]}, std::chrono::seconds(60), dir.path());
    INFO("connectrun validate: " << loader.err);
    // The case means what it says: the loader agrees with the expectation...
    CHECK((loader.exit_code == 0) == c.valid);
    // ...and so does the schema.
    INFO("schema: " << v.output);
    const bool said_valid = v.output.find("valid " + paths[i] + "\n") != std::string::npos;
    const bool said_invalid = v.output.find("invalid " + paths[i] + ":") != std::string::npos;
    CHECK(said_valid == c.valid);
    CHECK(said_invalid == !c.valid);
  }
  CHECK(v.status == 1);  // some cases are invalid
}

TEST_CASE("schema is draft 2020-12 and names every connector plugin and its aliases", "[schema]") {
  auto r = run_connectrun({"schema"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("\"$schema\":\"https://json-schema.org/draft/2020-12/schema\"") != std::string::npos);
  for (const char* name : {"\"FileStreamSource\"", "\"org.apache.kafka.connect.file.FileStreamSourceConnector\"",
                           "\"FileStreamSink\"", "\"connector-FileStreamSink\""})
    CHECK(r.out.find(name) != std::string::npos);
  // The outside validator accepts it as a 2020-12 schema (exit 2 otherwise).
  TempDir dir;
  write_file(dir / "s.json", r.out);
  write_file(dir / "job.yaml", job(""));
  CHECK(validate_with_schema(dir / "s.json", {dir / "job.yaml"}).status == 0);
}
