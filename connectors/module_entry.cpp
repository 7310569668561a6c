// The entry points of a connector family's module (connectrun-<family>.so),
// compiled once per module with the family's header and namespace
// (connectors/CMakeLists.txt): connectors/module_loader.cpp calls them.
#include CONNECTRUN_FAMILY_HEADER

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

// The client libraries a family links, for `connectrun --version --json`
// (CONNECTRUN_MODULE_<FAMILY> names the module being compiled).
#if defined(CONNECTRUN_MODULE_HTTP) || defined(CONNECTRUN_MODULE_S3) || defined(CONNECTRUN_MODULE_AVRO)
#include <curl/curl.h>
#endif
#ifdef CONNECTRUN_MODULE_JDBC
#include <libpq-fe.h>
#include <mysql.h>
#include <sqlite3.h>
#endif
#ifdef CONNECTRUN_MODULE_RABBITMQ
#include <amqp.h>
#endif
#ifdef CONNECTRUN_MODULE_MQTT
#include <mosquitto.h>
#endif

extern "C" {

// Appends (library, version as the library reports it) for each client library the family links.
__attribute__((visibility("default"))) void connectrun_module_library_versions(
    [[maybe_unused]] std::vector<std::pair<std::string, std::string>>& out) {
#if defined(CONNECTRUN_MODULE_HTTP) || defined(CONNECTRUN_MODULE_S3) || defined(CONNECTRUN_MODULE_AVRO)
  out.emplace_back("libcurl", curl_version_info(CURLVERSION_NOW)->version);
#endif
#ifdef CONNECTRUN_MODULE_JDBC
  int pq = PQlibVersion();  // 150005 for 15.5 (major * 10000 + minor since PostgreSQL 10)
  out.emplace_back("libpq", fmt::format("{}.{}", pq / 10000, pq % 10000));
  out.emplace_back("libmariadb", mysql_get_client_info());
  out.emplace_back("sqlite", sqlite3_libversion());
#endif
#ifdef CONNECTRUN_MODULE_RABBITMQ
  out.emplace_back("librabbitmq", amqp_version());
#endif
#ifdef CONNECTRUN_MODULE_MQTT
  int major = 0, minor = 0, revision = 0;
  mosquitto_lib_version(&major, &minor, &revision);
  out.emplace_back("libmosquitto", fmt::format("{}.{}.{}", major, minor, revision));
#endif
}

// The connectrun version the module was built with: the loader refuses another's.
__attribute__((visibility("default"))) const char* connectrun_module_version() { return CONNECTRUN_VERSION; }

__attribute__((visibility("default"))) void connectrun_module_register(connectrun::PluginRegistry& registry) {
  connectrun::CONNECTRUN_FAMILY_NAMESPACE::register_family(registry);
}

}
