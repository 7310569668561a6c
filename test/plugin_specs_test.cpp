// Walks the registry: every key of every plugin is documented and its default
// is a valid value, and docs/plugins.md is what the declarations generate.
#include <catch2/catch.hpp>

#include "connectors/connectors.h"
#include "plugin/plugin_docs.h"
#include "plugin/registry.h"
#include "plan/job_config.h"
#include "support.h"

using namespace connectrun;

namespace {
void check_spec(const std::string& owner, const config::ConfigSpec& spec) {
  for (auto& key : spec.keys()) {
    INFO(owner << " key " << key.name);
    CHECK_FALSE(key.doc.empty());
    if (key.default_value && key.validator && !std::holds_alternative<std::monostate>(*key.default_value))
      CHECK_FALSE(key.validator->check(*key.default_value).has_value());
  }
}
}  // namespace

TEST_CASE("every plugin key is documented and its default validates", "[plugins]") {
  const auto& registry = builtin_plugins();
  REQUIRE(registry.all().size() >= 6);
  for (auto& p : registry.all()) {
    INFO(p.name);
    CHECK_FALSE(p.summary.empty());
    check_spec(p.name, p.spec);
    // Exactly the factory of its kind is set.
    int factories = !!p.make_source + !!p.make_sink + !!p.make_converter + !!p.make_header_converter +
                    !!p.make_transform + !!p.make_predicate;
    CHECK(factories == 1);
  }
  check_spec("worker", worker_spec());
  check_spec("connector", connector_common_spec());
  check_spec("sink", sink_common_spec());
  check_spec("source", source_common_spec());
}

TEST_CASE("Java class names are aliases of the built-in plugins", "[plugins]") {
  const auto& r = builtin_plugins();
  CHECK(r.find("org.apache.kafka.connect.file.FileStreamSourceConnector", {PluginKind::Source})->name == "FileStreamSource");
  CHECK(r.find("org.apache.kafka.connect.file.FileStreamSinkConnector", {PluginKind::Sink})->name == "FileStreamSink");
  CHECK(r.find("org.apache.kafka.connect.storage.StringConverter", {PluginKind::Converter})->name == "StringConverter");
  CHECK(r.find("org.apache.kafka.connect.json.JsonConverter", {PluginKind::Converter})->name == "JsonConverter");
  CHECK(r.find("org.apache.kafka.connect.converters.ByteArrayConverter", {PluginKind::Converter})->name == "ByteArrayConverter");
  CHECK(r.find("org.apache.kafka.connect.storage.SimpleHeaderConverter", {PluginKind::HeaderConverter})->name ==
        "SimpleHeaderConverter");
}

TEST_CASE("docs/plugins.md is generated from the declarations", "[plugins]") {
  std::string expected = plugins_markdown(builtin_plugins()) + job_keys_markdown();
  std::string committed = testsupport::read_file(std::string(CONNECTRUN_SOURCE_DIR) + "/docs/plugins.md");
  INFO("regenerate with: build/connectrun plugins --markdown > docs/plugins.md");
  CHECK(committed == expected);
}

TEST_CASE("plugins lists everything and shows one plugin's keys", "[plugins][e2e]") {
  auto list = testsupport::run_connectrun({"plugins"});
  CHECK(list.exit_code == 0);
  for (const char* n : {"FileStreamSource", "FileStreamSink", "JsonConverter", "StringConverter", "SimpleHeaderConverter"})
    CHECK(list.out.find(n) != std::string::npos);
  auto one = testsupport::run_connectrun({"plugins", "org.apache.kafka.connect.json.JsonConverter"});
  CHECK(one.exit_code == 0);
  CHECK(one.out.find("schemas.enable") != std::string::npos);
  CHECK(one.out.find("decimal.format") != std::string::npos);
  auto bad = testsupport::run_connectrun({"plugins", "JsonConvertr"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("did you mean 'JsonConverter'") != std::string::npos);
  auto version = testsupport::run_connectrun({"--version"});
  CHECK(version.out.rfind("connectrun ", 0) == 0);
  for (const char* sub : {"run", "validate", "plugins"}) {
    auto help = testsupport::run_connectrun({sub, "--help"});
    INFO(sub);
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("Usage") != std::string::npos);
  }
}
