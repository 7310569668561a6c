// `connectrun --version --json`: connectrun's version, the commit it was built
// from (CMake reads it from git at configure time) and the run-time versions
// of the client libraries linked in, as each library reports them (the
// families' from their modules).
#include <librdkafka/rdkafka.h>

#include <fmt/format.h>

#include "json/json_writer.h"
#include "preparse.h"

#include "connectors/module_loader.h"

#ifndef CONNECTRUN_BUILD_COMMIT
#define CONNECTRUN_BUILD_COMMIT "unknown"
#endif

namespace connectrun::cli {

std::string versions_json() {
  std::vector<std::pair<std::string, std::string>> libs{{"librdkafka", rd_kafka_version_str()}};
  // The families' client libraries, as their modules report them (loads every module).
  for (auto& v : module_library_versions()) libs.push_back(v);
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
