// The connector families, the REST server, the Kafka client and ICU built as modules
// (connectors/module_loader.h): each family registers exactly what
// connectors.cpp declares for it, a module that cannot be loaded is named with
// the reason and the remedy, and a job maps the libraries of what it uses only.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include <fmt/format.h>

#include <librdkafka/rdkafka.h>

#include "connectors/connectors.h"
#include "json/json_reader.h"
#include "kafka/mock_cluster.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;
using connectrun::Value;

namespace {

namespace fs = std::filesystem;

std::string declared_entry(connectrun::PluginKind kind, std::string_view name, const auto& aliases) {
  std::string out = fmt::format("{} {}", connectrun::plugin_kind_name(kind), name);
  for (auto& a : aliases) out += fmt::format(" ({})", a);
  return out;
}

// The modules folder of the build tree: beside the binary the tests run.
std::string build_modules_dir() { return (fs::path(CONNECTRUN_BINARY).parent_path() / "modules").string(); }

// `connectrun ARGS…` with CONNECTRUN_MODULE_DIR=dir; stdout and stderr together, the exit code in `status`.
std::string with_module_dir(const std::string& dir, const std::string& args, int& status) {
  return shell(fmt::format("CONNECTRUN_MODULE_DIR='{}' '{}' {} 2>&1", dir, CONNECTRUN_BINARY, args), &status);
}

std::string datagen_job(const TempDir& dir) {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {}
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: gen
    connector.class: io.confluent.kafka.connect.datagen.DatagenConnector
    quickstart: users
    kafka.topic: users
  - name: out
    connector.class: FileStreamSink
    file: {}
    topics: users
)",
                     dir / "offsets.json", dir / "out.txt");
}

}  // namespace

TEST_CASE("modules: each family registers exactly the plugins connectors.cpp declares for it", "[modules]") {
  // Linked in (this binary): family by family into a registry of its own.
  for (auto& f : connectrun::connector_families()) {
    if (!f.built) continue;
    INFO("family " << f.name);
    REQUIRE(f.register_family);
    connectrun::PluginRegistry registry;
    f.register_family(registry);
    std::set<std::string> declared, registered;
    for (auto& p : f.plugins) declared.insert(declared_entry(p.kind, p.name, p.aliases));
    for (auto& p : registry.all()) registered.insert(declared_entry(p.kind, p.name, p.aliases));
    CHECK(registered == declared);
  }
}

TEST_CASE("modules: `plugins --json` loads every module and lists each family's declared plugins", "[e2e][modules]") {
  // The loader fails the command when a module registers anything but what is declared.
  auto r = run_connectrun({"plugins", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  Value list = connectrun::parse_schemaless_json(r.out);
  std::set<std::string> listed, declared;
  for (auto& p : list.as<connectrun::Array>())
    if (p.find("family")->as<std::string>() != "core")
      listed.insert(p.find("family")->as<std::string>() + " " + p.find("name")->as<std::string>());
  for (auto& f : connectrun::connector_families())
    if (f.built)
      for (auto& p : f.plugins) declared.insert(fmt::format("{} {}", f.name, p.name));
  CHECK(listed == declared);
}

TEST_CASE("modules: a family whose module is missing, broken or foreign fails with what to do", "[e2e][modules][families]") {
  TempDir dir;
  fs::create_directory(dir / "modules");
  write_file(dir / "job.yaml", datagen_job(dir));
  int status = 0;

  SECTION("missing: the folder searched and the remedy") {
    std::string out = with_module_dir(dir / "modules", "validate " + dir / "job.yaml", status);
    INFO(out);
    CHECK(status == 2);
    CHECK(out.find("connector family 'datagen' is a module, and connectrun-datagen.so is not in " + dir / "modules") !=
          std::string::npos);
    CHECK(out.find("CONNECTRUN_MODULE_DIR") != std::string::npos);
    CHECK(out.find("-DCONNECTRUN_WITH_DATAGEN=OFF") != std::string::npos);
    CHECK(out.find("unknown connector") == std::string::npos);
    // `plugins` lists every plugin: it fails naming the module.
    out = with_module_dir(dir / "modules", "plugins", status);
    CHECK(status == 1);
    CHECK(out.find("error: connector family 'datagen' is a module") != std::string::npos);
  }
  SECTION("not loadable: the path and dlopen's reason") {
    write_file(dir / "modules/connectrun-datagen.so", "not an ELF file\n");
    std::string out = with_module_dir(dir / "modules", "validate " + dir / "job.yaml", status);
    INFO(out);
    CHECK(status == 2);
    CHECK(out.find("connector family 'datagen': cannot load its module " + dir / "modules/connectrun-datagen.so: ") !=
          std::string::npos);
    CHECK((out.find("invalid ELF header") != std::string::npos || out.find("file too short") != std::string::npos));
  }
  SECTION("another family's module under its name: what it registers does not match the declaration") {
    fs::copy_file(build_modules_dir() + "/connectrun-http.so", dir / "modules/connectrun-datagen.so");
    std::string out = with_module_dir(dir / "modules", "validate " + dir / "job.yaml", status);
    INFO(out);
    CHECK(status == 2);
    CHECK(out.find("does not register what connectors.cpp declares") != std::string::npos);
    CHECK(out.find("registered but not declared: [sink connector HttpSink") != std::string::npos);
  }
  SECTION("the build tree's modules: the job validates") {
    std::string out = with_module_dir(build_modules_dir(), "validate " + dir / "job.yaml", status);
    INFO(out);
    CHECK(status == 0);
  }
}

TEST_CASE("modules: a file to file job maps none of the libraries of the families it does not use, nor libsystemd",
          "[e2e][modules]") {
  TempDir dir;
  write_file(dir / "in.txt", "one\ntwo\n");
  write_file(dir / "job.yaml", lines_job(dir.path()));
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 2; }));
  std::string maps = read_file(fmt::format("/proc/{}/maps", p.pid()));
  REQUIRE(maps.find("libc.so") != std::string::npos);  // the maps were read
  // The families' libraries, libsystemd (loaded only under systemd, NOTIFY_SOCKET) with its libgcrypt, and the
  // REST server's (`listeners` only): cpp-httplib and its brotli, the Kafka client's: librdkafka and its OpenSSL,
  // SASL and compressors, ICU's (no date format in the job) ("connectrun-" covers every module).
  for (const char* lib : {"libcurl", "libpq", "libmariadb", "libsqlite3", "libmosquitto", "librabbitmq", "libxml2",
                          "connectrun-", "libsystemd", "libgcrypt", "libcpp-httplib", "libbrotli", "librdkafka",
                          "libssl", "libcrypto", "libsasl2", "liblz4", "libzstd", "libicu"}) {
    INFO(lib);
    CHECK(maps.find(lib) == std::string::npos);
  }
}

TEST_CASE("modules: a job with `listeners` maps the REST module and serves", "[e2e][modules][http]") {
  TempDir dir;
  write_file(dir / "in.txt", "one\ntwo\n");
  write_file(dir / "job.yaml", lines_job(dir.path(), {.worker_extra = "  listeners: http://127.0.0.1:0\n"}));
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("REST listening on http://") != std::string::npos; }));
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 2; }));
  std::string maps = read_file(fmt::format("/proc/{}/maps", p.pid()));
  CHECK(maps.find(build_modules_dir() + "/connectrun-rest.so") != std::string::npos);
  CHECK(maps.find("libcpp-httplib") != std::string::npos);
}

TEST_CASE("modules: a REST module that is missing or broken fails the run with what to do", "[e2e][modules][http]") {
  TempDir dir;
  fs::create_directory(dir / "modules");
  write_file(dir / "in.txt", "one\n");
  write_file(dir / "job.yaml", lines_job(dir.path(), {.worker_extra = "  listeners: http://127.0.0.1:0\n"}));
  int status = 0;

  SECTION("missing: the folder searched and the remedies") {
    std::string out = with_module_dir(dir / "modules", "run --once " + dir / "job.yaml", status);
    INFO(out);
    CHECK(status == 1);
    CHECK(out.find("the REST server (worker key listeners) is a module, and connectrun-rest.so is not in " +
                   dir / "modules (CONNECTRUN_MODULE_DIR): reinstall connectrun") != std::string::npos);
    CHECK(out.find("or remove `listeners` to run without the REST interface") != std::string::npos);
    CHECK(read_file(dir / "out.txt").empty());  // nothing ran
  }
  SECTION("not loadable: the path, dlopen's reason and the package") {
    write_file(dir / "modules/connectrun-rest.so", "not an ELF file\n");
    std::string out = with_module_dir(dir / "modules", "run --once " + dir / "job.yaml", status);
    INFO(out);
    CHECK(status == 1);
    CHECK(out.find("the REST server (worker key listeners): cannot load its module " + dir /
                   "modules/connectrun-rest.so: ") != std::string::npos);
    CHECK((out.find("invalid ELF header") != std::string::npos || out.find("file too short") != std::string::npos));
    CHECK(out.find("its library comes with the Debian package libcpp-httplib0.") != std::string::npos);
  }
  SECTION("another library under its name: not a connectrun module") {
    // libfmt, which this test process has loaded (a copy loads harmlessly beside the binary's own).
    std::string maps = read_file("/proc/self/maps");
    size_t at = maps.find("/libfmt.so");
    REQUIRE(at != std::string::npos);
    size_t begin = maps.rfind(' ', at) + 1;
    fs::copy_file(maps.substr(begin, maps.find('\n', at) - begin), dir / "modules/connectrun-rest.so");
    std::string out = with_module_dir(dir / "modules", "run --once " + dir / "job.yaml", status);
    INFO(out);
    CHECK(status == 1);
    CHECK(out.find("the REST server (worker key listeners): " + dir /
                   "modules/connectrun-rest.so is not a connectrun module (no connectrun_module_version)") !=
          std::string::npos);
  }
  SECTION("another module under its name: not the REST server") {
    fs::copy_file(build_modules_dir() + "/connectrun-kafka.so", dir / "modules/connectrun-rest.so");
    std::string out = with_module_dir(dir / "modules", "run --once " + dir / "job.yaml", status);
    INFO(out);
    CHECK(status == 1);
    CHECK(out.find("the REST server (worker key listeners): its module has no connectrun_rest_new") !=
          std::string::npos);
  }
  SECTION("without `listeners` the REST module is not needed") {
    write_file(dir / "job.yaml", lines_job(dir.path()));
    std::string out = with_module_dir(dir / "modules", "run --once " + dir / "job.yaml", status);
    INFO(out);
    CHECK(status == 0);
    CHECK(read_file(dir / "out.txt") == "one\n");
  }
}

TEST_CASE("modules: a job on the Kafka bus maps the Kafka module", "[e2e][modules][kafka]") {
  connectrun::MockCluster cluster(1);
  TempDir dir;
  write_file(dir / "in.txt", "one\ntwo\n");
  write_file(dir / "job.yaml", lines_job(dir.path(), {.worker_extra = "  bootstrap.servers: " + cluster.bootstrap() + "\n"}));
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 2; }, 60s));
  std::string maps = read_file(fmt::format("/proc/{}/maps", p.pid()));
  CHECK(maps.find(build_modules_dir() + "/connectrun-kafka.so") != std::string::npos);
  CHECK(maps.find("librdkafka") != std::string::npos);
  CHECK(maps.find("connectrun-rest.so") == std::string::npos);  // no `listeners`
}

TEST_CASE("modules: a Kafka module that is missing or broken fails with what to do", "[e2e][modules][kafka]") {
  TempDir dir;
  fs::create_directory(dir / "modules");
  write_file(dir / "in.txt", "one\n");
  // Never reached: validation and `broker` fail before any connection.
  write_file(dir / "job.yaml", lines_job(dir.path(), {.worker_extra = "  bootstrap.servers: 127.0.0.1:9\n"}));
  int status = 0;

  SECTION("missing: validate names the folder searched and the remedies") {
    std::string out = with_module_dir(dir / "modules", "validate " + dir / "job.yaml", status);
    INFO(out);
    CHECK(status == 2);
    CHECK(out.find("is a module, and connectrun-kafka.so is not in " + dir / "modules (CONNECTRUN_MODULE_DIR)") !=
          std::string::npos);
    CHECK(out.find("bootstrap.servers") != std::string::npos);
    out = with_module_dir(dir / "modules", "broker", status);
    CHECK(status == 1);
    CHECK(out.find("connectrun-kafka.so is not in") != std::string::npos);
  }
  SECTION("not loadable: the path, dlopen's reason and the package") {
    write_file(dir / "modules/connectrun-kafka.so", "not an ELF file\n");
    std::string out = with_module_dir(dir / "modules", "validate " + dir / "job.yaml", status);
    INFO(out);
    CHECK(status == 2);
    CHECK(out.find("cannot load its module " + dir / "modules/connectrun-kafka.so: ") != std::string::npos);
    CHECK((out.find("invalid ELF header") != std::string::npos || out.find("file too short") != std::string::npos));
    CHECK(out.find("its library comes with the Debian package librdkafka1") != std::string::npos);
  }
  SECTION("on the in-process bus the Kafka module is not needed; --version --json still answers") {
    write_file(dir / "job.yaml", lines_job(dir.path()));
    std::string out = with_module_dir(dir / "modules", "run --once " + dir / "job.yaml", status);
    INFO(out);
    CHECK(status == 0);
    CHECK(read_file(dir / "out.txt") == "one\n");
    out = with_module_dir(dir / "modules", "--version --json", status);
    CHECK(status == 0);
    CHECK(out.find(fmt::format("\"librdkafka\":\"{}\"", rd_kafka_version_str())) != std::string::npos);
  }
}

namespace {

// lines_job with TimestampConverter on the sink: "2024-01-02" → 1704153600000 (ICU parses the date).
std::string date_job(const TempDir& dir) {
  return lines_job(dir.path(), {.sink_extra = "    transforms: ts\n"
                                              "    transforms.ts.type: TimestampConverter$Value\n"
                                              "    transforms.ts.target.type: unix\n"
                                              "    transforms.ts.format: yyyy-MM-dd\n"});
}

}  // namespace

TEST_CASE("modules: a job with a date format maps the ICU module", "[e2e][modules]") {
  TempDir dir;
  write_file(dir / "in.txt", "2024-01-02\n");
  write_file(dir / "job.yaml", date_job(dir));
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 1; }));
  CHECK(read_lines(dir / "out.txt")[0] == "1704153600000");
  std::string maps = read_file(fmt::format("/proc/{}/maps", p.pid()));
  CHECK(maps.find(build_modules_dir() + "/connectrun-icu.so") != std::string::npos);
  CHECK(maps.find("libicuuc") != std::string::npos);
  CHECK(maps.find("librdkafka") == std::string::npos);
}

TEST_CASE("modules: an ICU module that is missing or broken is a problem of the transform's key",
          "[e2e][modules]") {
  TempDir dir;
  fs::create_directory(dir / "modules");
  write_file(dir / "in.txt", "2024-01-02\n");
  write_file(dir / "job.yaml", date_job(dir));
  int status = 0;

  SECTION("missing: the folder searched and the remedies") {
    std::string out = with_module_dir(dir / "modules", "validate " + dir / "job.yaml", status);
    INFO(out);
    CHECK(status == 2);
    CHECK(out.find("transforms.ts.type") != std::string::npos);
    CHECK(out.find("ICU (the date formats of TimestampConverter and TimestampRouter) is a module, and "
                   "connectrun-icu.so is not in " + dir / "modules (CONNECTRUN_MODULE_DIR)") != std::string::npos);
  }
  SECTION("not loadable: the path, dlopen's reason and the package") {
    write_file(dir / "modules/connectrun-icu.so", "not an ELF file\n");
    std::string out = with_module_dir(dir / "modules", "validate " + dir / "job.yaml", status);
    INFO(out);
    CHECK(status == 2);
    CHECK(out.find("cannot load its module " + dir / "modules/connectrun-icu.so: ") != std::string::npos);
    CHECK((out.find("invalid ELF header") != std::string::npos || out.find("file too short") != std::string::npos));
    CHECK(out.find("its libraries come with the Debian package libicu") != std::string::npos);
  }
}
