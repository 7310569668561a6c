// `connectrun --version --json`: connectrun's version, the commit it was built
// from (CMake reads it from git at configure time) and the run-time versions
// of the client libraries linked in, as each library reports them.
#include <librdkafka/rdkafka.h>

#include <fmt/format.h>

#include "json/json_writer.h"
#include "preparse.h"

#if defined(CONNECTRUN_WITH_HTTP) || defined(CONNECTRUN_WITH_S3)
#include <curl/curl.h>
#endif
#ifdef CONNECTRUN_WITH_JDBC
#include <libpq-fe.h>
#include <mysql.h>
#include <sqlite3.h>
#endif
#ifdef CONNECTRUN_WITH_RABBITMQ
#include <amqp.h>
#endif
#ifdef CONNECTRUN_WITH_MQTT
#include <mosquitto.h>
#endif

#ifndef CONNECTRUN_BUILD_COMMIT
#define CONNECTRUN_BUILD_COMMIT "unknown"
#endif

namespace connectrun::cli {

std::string versions_json() {
  std::vector<std::pair<std::string, std::string>> libs{{"librdkafka", rd_kafka_version_str()}};
#if defined(CONNECTRUN_WITH_HTTP) || defined(CONNECTRUN_WITH_S3)
  libs.emplace_back("libcurl", curl_version_info(CURLVERSION_NOW)->version);
#endif
#ifdef CONNECTRUN_WITH_JDBC
  int pq = PQlibVersion();  // 150005 for 15.5 (major * 10000 + minor since PostgreSQL 10)
  libs.emplace_back("libpq", fmt::format("{}.{}", pq / 10000, pq % 10000));
  libs.emplace_back("libmariadb", mysql_get_client_info());
  libs.emplace_back("sqlite", sqlite3_libversion());
#endif
#ifdef CONNECTRUN_WITH_RABBITMQ
  libs.emplace_back("librabbitmq", amqp_version());
#endif
#ifdef CONNECTRUN_WITH_MQTT
  int major = 0, minor = 0, revision = 0;
  mosquitto_lib_version(&major, &minor, &revision);
  libs.emplace_back("libmosquitto", fmt::format("{}.{}.{}", major, minor, revision));
#endif
  std::string out = "{\"connectrun\":";
  append_json_string(out, CONNECTRUN_VERSION);
  out += ",\"commit\":";
  append_json_string(out, CONNECTRUN_BUILD_COMMIT);
  out += ",\"libraries\":{";
  for (size_t i = 0; i < libs.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, libs[i].first);
    out += ':';
    append_json_string(out, libs[i].second);
  }
  out += "}}";
  return out;
}

}  // namespace connectrun::cli
