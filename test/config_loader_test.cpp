#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "config/loader.h"
#include "config_test_util.h"

using namespace connectrun::config;
using connectrun::test::TempDir;
using connectrun::test::find_problem;
using connectrun::test::all_problems;

TEST_CASE("YAML: nested maps, lists, nulls and values as written, with value locations", "[config]") {
  const std::string text =
      "worker:\n"                                   // 1
      "  bootstrap.servers: localhost:9092\n"       // 2
      "  value.converter: JsonConverter\n"          // 3
      "  value.converter.schemas.enable: false\n"   // 4
      "  key.converter:\n"                          // 5
      "    schemas.enable: true\n"                  // 6
      "  offset.flush.interval.ms: 10000\n"         // 7
      "connectors:\n"                               // 8
      "  - name: src\n"                             // 9
      "    connector.class: FileStreamSource\n"     // 10
      "    file:\n"                                 // 11
      "    topic: ~\n"                              // 12
      "    topics: [a, b]\n"                        // 13
      "    transforms:\n"                           // 14
      "      - x\n"                                 // 15
      "      - y\n"                                 // 16
      "    tasks.max: 2\n"                          // 17
      "  - {name: sink, connector.class: FileStreamSink}\n";  // 18
  Problems problems;
  RawJob job = load_yaml_text(text, "job.yaml", problems);
  INFO(all_problems(problems));
  REQUIRE(problems.empty());
  CHECK(job.files == std::vector<std::string>{"job.yaml"});

  const auto& w = job.worker.entries;
  CHECK(job.worker.loc.str() == "job.yaml:1:1");
  CHECK(w.size() == 5);
  CHECK(w.at("bootstrap.servers").value == "localhost:9092");
  CHECK(w.at("bootstrap.servers").loc.str() == "job.yaml:2:22");
  CHECK(w.at("value.converter").value == "JsonConverter");
  CHECK(w.at("value.converter.schemas.enable").value == "false");
  CHECK(w.at("value.converter.schemas.enable").loc.line == 4);
  CHECK(w.at("value.converter.schemas.enable").loc.column == 35);
  CHECK(w.at("key.converter.schemas.enable").value == "true");
  CHECK(w.at("key.converter.schemas.enable").loc.str() == "job.yaml:6:21");
  CHECK(w.count("key.converter") == 0);
  CHECK(w.at("offset.flush.interval.ms").value == "10000");

  REQUIRE(job.connectors.size() == 2);
  const auto& c = job.connectors[0];
  CHECK(c.loc.str() == "job.yaml:9:5");
  CHECK(c.entries.at("name").value == "src");
  CHECK(c.entries.at("name").loc.str() == "job.yaml:9:11");
  CHECK(c.entries.at("file").value == "");
  CHECK(c.entries.at("file").loc.str() == "job.yaml:11:5");  // null: the key's position
  CHECK(c.entries.at("topic").value == "");
  CHECK(c.entries.at("topic").loc.str() == "job.yaml:12:5");
  CHECK(c.entries.at("topics").value == "a,b");
  CHECK(c.entries.at("topics").loc.str() == "job.yaml:13:13");
  CHECK(c.entries.at("transforms").value == "x,y");
  CHECK(c.entries.at("transforms").loc.str() == "job.yaml:15:7");
  CHECK(c.entries.at("tasks.max").value == "2");
  CHECK(job.connectors[1].loc.str() == "job.yaml:18:5");
  CHECK(job.connectors[1].entries.at("name").value == "sink");
  CHECK(job.connectors[1].entries.at("connector.class").loc.str() == "job.yaml:18:35");
}

TEST_CASE("YAML: quoted scalars stay text and empty lists are empty", "[config]") {
  Problems problems;
  RawJob job = load_yaml_text("connectors:\n  - name: \"a\"\n    x: \"~\"\n    y: '007'\n    z: []\n", "j.yaml", problems);
  REQUIRE(problems.empty());
  const auto& e = job.connectors.at(0).entries;
  CHECK(e.at("x").value == "~");
  CHECK(e.at("y").value == "007");
  CHECK(e.at("z").value == "");
  CHECK(job.worker.entries.empty());
  CHECK(job.worker.loc.str() == "j.yaml");
}

TEST_CASE("YAML: maps inside lists are a problem at the item", "[config]") {
  Problems problems;
  RawJob job = load_yaml_text(
      "connectors:\n"
      "  - name: a\n"
      "    topics:\n"
      "      - x\n"
      "      - {y: 1}\n",
      "job.yaml", problems);
  REQUIRE(problems.size() == 1);
  const auto& p = problems.list()[0];
  CHECK(p.message == "expected a scalar or a list of scalars");
  CHECK(p.key == "topics");
  CHECK(p.connector == "a");
  CHECK(p.loc.str() == "job.yaml:5:9");
  CHECK(job.connectors.at(0).entries.count("topics") == 0);
}

TEST_CASE("YAML: malformed YAML is one problem at yaml-cpp's position", "[config]") {
  Problems problems;
  RawJob job = load_yaml_text("worker:\n  a: [1, 2\nconnectors:\n  - name: x\n", "bad.yaml", problems);
  REQUIRE(problems.size() == 1);
  const auto& p = problems.list()[0];
  CHECK(p.message.rfind("invalid YAML: ", 0) == 0);
  CHECK(p.message.find("end of sequence flow not found") != std::string::npos);
  CHECK(p.loc.file == "bad.yaml");
  CHECK(p.loc.line == 3);
  CHECK(p.loc.column == 11);  // the ":" after "connectors", still inside the flow list
  CHECK(job.connectors.empty());

  Problems p2;
  load_yaml_text("worker:\n  a: b\n   c: d\n", "bad.yaml", p2);
  REQUIRE(p2.size() == 1);
  CHECK(p2.list()[0].loc.str() == "bad.yaml:3:5");
  CHECK(p2.list()[0].message == "invalid YAML: illegal map value");
}

TEST_CASE("YAML: top-level shape, unknown keys with suggestions", "[config]") {
  SECTION("misspelt connectors") {
    Problems problems;
    load_yaml_text("worker: {}\nconectors:\n  - name: a\n", "job.yaml", problems);
    INFO(all_problems(problems));
    REQUIRE(problems.size() == 1);  // no extra "missing connectors": the suggestion explains it
    const auto& p = problems.list()[0];
    CHECK(p.message ==
          "unknown top-level key 'conectors' (did you mean 'connectors'?); expected 'worker' and 'connectors'");
    CHECK(p.loc.str() == "job.yaml:2:1");
  }
  SECTION("misspelt worker") {
    Problems problems;
    load_yaml_text("connectors:\n  - name: a\nworkr:\n  x: 1\n", "job.yaml", problems);
    REQUIRE(problems.size() == 1);
    CHECK(problems.list()[0].message.find("(did you mean 'worker'?)") != std::string::npos);
    CHECK(problems.list()[0].loc.str() == "job.yaml:3:1");
  }
  SECTION("connectors missing, empty, or not a list") {
    Problems a;
    load_yaml_text("worker:\n  x: 1\n", "job.yaml", a);
    REQUIRE(a.size() == 1);
    CHECK(a.list()[0].message == "missing required top-level key 'connectors'");
    Problems b;
    load_yaml_text("connectors: []\n", "job.yaml", b);
    REQUIRE(b.size() == 1);
    CHECK(b.list()[0].message == "'connectors' must not be empty");
    CHECK(b.list()[0].loc.str() == "job.yaml:1:13");
    Problems c;
    load_yaml_text("connectors:\n  name: a\n", "job.yaml", c);
    REQUIRE(c.size() == 1);
    CHECK(c.list()[0].message == "'connectors' must be a list of connector mappings");
    CHECK(c.list()[0].loc.str() == "job.yaml:2:3");
    Problems d;
    load_yaml_text("connectors:\n  - just-a-string\n", "job.yaml", d);
    REQUIRE(d.size() == 1);
    CHECK(d.list()[0].message.rfind("each connector must be a mapping", 0) == 0);
    CHECK(d.list()[0].loc.str() == "job.yaml:2:5");
  }
  SECTION("worker not a mapping, top level not a mapping") {
    Problems a;
    load_yaml_text("worker: [1]\nconnectors:\n  - name: a\n", "job.yaml", a);
    REQUIRE(a.size() == 1);
    CHECK(a.list()[0].message == "'worker' must be a mapping of worker settings");
    CHECK(a.list()[0].loc.str() == "job.yaml:1:9");
    Problems b;
    load_yaml_text("- a\n- b\n", "job.yaml", b);
    REQUIRE(b.size() == 1);
    CHECK(b.list()[0].message == "expected a mapping with 'worker' and 'connectors' at the top level");
  }
}

TEST_CASE("YAML: duplicate keys, also after flattening, name both locations", "[config]") {
  Problems problems;
  RawJob job = load_yaml_text(
      "worker:\n"
      "  a.b: 1\n"
      "  a:\n"
      "    b: 2\n"
      "  c: 1\n"
      "  c: 2\n"
      "connectors:\n"
      "  - name: x\n",
      "job.yaml", problems);
  INFO(all_problems(problems));
  REQUIRE(problems.size() == 2);
  const auto& p = problems.list()[0];
  CHECK(p.key == "a.b");
  CHECK(p.loc.str() == "job.yaml:4:8");
  CHECK(p.message == "duplicate key (also set at job.yaml:2:8)");
  CHECK(problems.list()[1].key == "c");
  CHECK(problems.list()[1].message == "duplicate key (also set at job.yaml:5:6)");
  CHECK(problems.list()[1].loc.str() == "job.yaml:6:6");
  CHECK(job.worker.entries.at("a.b").value == "1");  // the first one stays
}

TEST_CASE("YAML: connectors need a unique name", "[config]") {
  TempDir dir;
  std::string path = dir.write("job.yaml",
                               "connectors:\n"
                               "  - name: a\n"
                               "  - connector.class: X\n"
                               "  - name: a\n");
  Problems problems;
  RawJob job = load_job({path}, problems);
  INFO(all_problems(problems));
  REQUIRE(problems.size() == 2);
  const Problem* missing = find_problem(problems, "missing required key 'name'");
  REQUIRE(missing);
  CHECK(missing->loc.str() == path + ":3:5");
  const Problem* dup = find_problem(problems, "duplicate connector name");
  REQUIRE(dup);
  CHECK(dup->message == fmt::format("duplicate connector name 'a' (also used at {}:2:11)", path));
  CHECK(dup->loc.str() == path + ":4:11");
  CHECK(dup->connector == "a");
  CHECK(job.connectors.size() == 3);
}

TEST_CASE("properties: comments, separators, continuations, escapes", "[config]") {
  const std::string text =
      "# comment\n"                              // 1
      "! also a comment\n"                       // 2
      "   key1 = value1\n"                       // 3
      "key2:value2\n"                            // 4
      "key3   value3\n"                          // 5
      "key4=a long \\\n"                         // 6
      "     continued value\n"                   // 7
      "tab\\tkey\\=x = \\u00e9\\u4e2d\\n\n"      // 8
      "esc\\:k\\ ey=v\n"                         // 9
      "empty=\n"                                 // 10
      "justkey\n"                                // 11
      "  # indented comment \\\n"                // 12: a comment never continues
      "trail = keep trailing  \n"                // 13
      "dup=1\n"                                  // 14
      "dup=2\n"                                  // 15
      "c1 = x\\\\\n"                             // 16: even backslashes do not continue
      "c2 = y\n"                                 // 17
      "emoji=\\uD83D\\uDE00\n"                   // 18
      "\n"                                       // 19
      "url : http://h:1/p?a=b\n";                // 20
  Problems problems;
  RawConfig c = load_properties_text(text, "w.properties", problems);
  INFO(all_problems(problems));
  REQUIRE(problems.empty());
  CHECK(c.size() == 14);
  CHECK(c.at("key1").value == "value1");
  CHECK(c.at("key1").loc.str() == "w.properties:3");
  CHECK(c.at("key1").loc.column == 0);
  CHECK(c.at("key2").value == "value2");
  CHECK(c.at("key3").value == "value3");
  CHECK(c.at("key4").value == "a long continued value");
  CHECK(c.at("key4").loc.line == 6);
  CHECK(c.at("tab\tkey=x").value == "\xC3\xA9\xE4\xB8\xAD\n");
  CHECK(c.at("tab\tkey=x").loc.line == 8);
  CHECK(c.at("esc:k ey").value == "v");
  CHECK(c.at("empty").value == "");
  CHECK(c.at("justkey").value == "");
  CHECK(c.at("trail").value == "keep trailing  ");
  CHECK(c.at("trail").loc.line == 13);
  CHECK(c.at("dup").value == "2");
  CHECK(c.at("dup").loc.line == 15);
  CHECK(c.at("c1").value == "x\\");
  CHECK(c.at("c2").value == "y");
  CHECK(c.at("c2").loc.line == 17);
  CHECK(c.at("emoji").value == "\xF0\x9F\x98\x80");
  CHECK(c.at("url").value == "http://h:1/p?a=b");
  CHECK(c.at("url").loc.line == 20);
}

TEST_CASE("properties: line endings and malformed escapes", "[config]") {
  Problems problems;
  RawConfig c = load_properties_text("a=1\r\nb=2\rc=3\nd=x\\\r\n  y", "p", problems);
  REQUIRE(problems.empty());
  CHECK(c.at("a").loc.line == 1);
  CHECK(c.at("b").loc.line == 2);
  CHECK(c.at("c").loc.line == 3);
  CHECK(c.at("d").value == "xy");
  CHECK(c.at("d").loc.line == 4);

  Problems bad;
  RawConfig b = load_properties_text("ok=1\nbad=\\u12G4\n", "p", bad);
  REQUIRE(bad.size() == 1);
  CHECK(bad.list()[0].message == "malformed \\uXXXX escape");
  CHECK(bad.list()[0].loc.str() == "p:2");
  CHECK(bad.list()[0].key == "bad");
}

TEST_CASE("Kafka's own files: worker.properties then .properties and JSON connectors", "[config]") {
  TempDir dir;
  std::string worker = dir.write("worker.properties", "bootstrap.servers=localhost:9092\noffset.storage.file.filename=/tmp/o\n");
  std::string props = dir.write("src.properties", "name=src\nconnector.class=FileStreamSource\n");
  std::string flat = dir.write("flat.json", "{\"name\": \"a\", \"connector.class\": \"FileStreamSink\", \"tasks.max\": 2}\n");
  std::string wrapped = dir.write("wrapped.json",
                                  "{\n"
                                  "  \"name\": \"b\",\n"
                                  "  \"config\": {\"connector.class\": \"FileStreamSink\", \"topics\": \"t\"},\n"
                                  "  \"initial_state\": \"RUNNING\"\n"
                                  "}\n");
  std::string sniffed = dir.write("conn.cfg", "  {\"name\": \"c\", \"file\": null}");
  Problems problems;
  RawJob job = load_job({worker, props, flat, wrapped, sniffed}, problems);
  INFO(all_problems(problems));
  REQUIRE(problems.empty());
  CHECK(job.files == std::vector<std::string>{worker, props, flat, wrapped, sniffed});
  CHECK(job.worker.loc.str() == worker);
  CHECK(job.worker.entries.at("offset.storage.file.filename").value == "/tmp/o");
  CHECK(job.worker.entries.at("offset.storage.file.filename").loc.str() == worker + ":2");
  REQUIRE(job.connectors.size() == 4);
  CHECK(job.connectors[0].loc.str() == props);
  CHECK(job.connectors[0].entries.at("connector.class").value == "FileStreamSource");
  CHECK(job.connectors[1].entries.at("tasks.max").value == "2");
  CHECK(job.connectors[1].entries.at("connector.class").loc.str() == flat + ":1:34");
  const auto& b = job.connectors[2].entries;
  CHECK(b.size() == 3);
  CHECK(b.at("name").value == "b");
  CHECK(b.at("name").loc.str() == wrapped + ":2:11");
  CHECK(b.at("topics").value == "t");
  CHECK(b.at("topics").loc.str() == wrapped + ":3:61");
  CHECK(b.count("initial_state") == 0);
  CHECK(job.connectors[3].entries.at("file").value == "");
}

TEST_CASE("JSON connector files: problems", "[config]") {
  SECTION("name in config differs from the top-level name") {
    Problems problems;
    RawSection s = load_connector_json_text("{\"name\": \"c\",\n \"config\": {\"name\": \"d\"}}", "c.json", problems);
    REQUIRE(problems.size() == 1);
    CHECK(problems.list()[0].message ==
          "connector name in 'config' ('d') differs from the top-level 'name' ('c') at c.json:1:10");
    CHECK(problems.list()[0].loc.str() == "c.json:2:21");
  }
  SECTION("missing name, nested values, unknown wrapper keys") {
    Problems problems;
    load_connector_json_text("{\"connector.class\": \"X\", \"topics\": [\"a\"]}", "c.json", problems);
    REQUIRE(problems.size() == 2);
    CHECK(problems.list()[0].message == "expected a string value");
    CHECK(problems.list()[0].key == "topics");
    CHECK(problems.list()[0].loc.str() == "c.json:1:36");
    CHECK(problems.list()[1].message == "missing required key 'name'");
    CHECK(problems.list()[1].loc.str() == "c.json");
    Problems p2;
    load_connector_json_text("{\"name\": \"a\", \"config\": {}, \"initial_stat\": \"PAUSED\"}", "c.json", p2);
    REQUIRE(p2.size() == 1);
    CHECK(p2.list()[0].message.find("(did you mean 'initial_state'?)") != std::string::npos);
  }
  SECTION("malformed JSON") {
    Problems problems;
    load_connector_json_text("{\"name\": \"a\",\n  \"x\": [1, 2}", "c.json", problems);
    REQUIRE(problems.size() == 1);
    CHECK(problems.list()[0].message.rfind("invalid JSON: ", 0) == 0);
    CHECK(problems.list()[0].loc.line == 2);
  }
}

TEST_CASE("load_job: unreadable files, missing names, duplicate names", "[config]") {
  TempDir dir;
  std::string worker = dir.write("worker.properties", "a=1\n");
  std::string missing = dir.path("nope.properties");
  std::string noname = dir.write("noname.properties", "connector.class=X\n");
  std::string one = dir.write("one.properties", "# first\nname=dup\n");
  std::string two = dir.write("two.json", "{\n  \"name\": \"dup\"}\n");
  Problems problems;
  RawJob job = load_job({worker, missing, noname, one, two, dir.path("")}, problems);
  INFO(all_problems(problems));
  REQUIRE(problems.size() == 4);
  const Problem* m = find_problem(problems, "No such file or directory");
  REQUIRE(m);
  CHECK(m->message == "cannot read: No such file or directory");
  CHECK(m->loc.str() == missing);
  CHECK(find_problem(problems, "cannot read: Is a directory"));
  const Problem* n = find_problem(problems, "missing required key 'name'");
  REQUIRE(n);
  CHECK(n->loc.str() == noname);
  const Problem* d = find_problem(problems, "duplicate connector name");
  REQUIRE(d);
  CHECK(d->message == fmt::format("duplicate connector name 'dup' (also used at {}:2)", one));
  CHECK(d->loc.str() == two + ":2:11");
  CHECK(job.connectors.size() == 3);
  CHECK(job.files.size() == 6);
}

TEST_CASE("load_job: choosing YAML or properties", "[config]") {
  TempDir dir;
  const std::string yaml_text = "worker:\n  a: 1\nconnectors:\n  - name: x\n";
  SECTION("a .yml file") {
    Problems problems;
    RawJob job = load_job({dir.write("job.yml", yaml_text)}, problems);
    REQUIRE(problems.empty());
    CHECK(job.connectors.size() == 1);
    CHECK(job.worker.entries.at("a").loc.line == 2);
  }
  SECTION("a YAML job under another name is sniffed") {
    Problems problems;
    std::string p = dir.write("job.conf", yaml_text);
    RawJob job = load_job({p}, problems);
    REQUIRE(problems.empty());
    CHECK(job.connectors.size() == 1);
    CHECK(job.worker.entries.at("a").loc.str() == p + ":2:6");
  }
  SECTION("a lone worker.properties is a worker with no connectors") {
    Problems problems;
    RawJob job = load_job({dir.write("w.properties", "worker: x\nconnectors=y\n")}, problems);
    REQUIRE(problems.empty());
    CHECK(job.connectors.empty());
    CHECK(job.worker.entries.at("worker").value == "x");
  }
  SECTION("a YAML file among several") {
    Problems problems;
    std::string y = dir.write("job.yaml", yaml_text);
    RawJob job = load_job({dir.write("w.properties", "a=1\n"), y}, problems);
    REQUIRE(problems.size() == 1);
    CHECK(job.worker.entries.empty());
    CHECK(problems.list()[0].message == "a YAML job file must be the only file given");
    CHECK(problems.list()[0].loc.str() == y);
  }
  SECTION("a missing YAML file") {
    Problems problems;
    RawJob job = load_job({dir.path("gone.yaml")}, problems);
    REQUIRE(problems.size() == 1);
    CHECK(problems.list()[0].message == "cannot read: No such file or directory");
    CHECK(job.connectors.empty());
  }
  SECTION("nothing given") {
    Problems problems;
    load_job({}, problems);
    CHECK(problems.size() == 1);
  }
}
