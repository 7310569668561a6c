// `connectrun --version --json`: connectrun's version, the commit it was built
// from (CMake reads it from git at configure time) and the run-time versions
// of the client libraries linked in, as each library reports them (the
// families' from their modules).
#include <fmt/format.h>

#include "json/json_writer.h"
#include "preparse.h"

#include "connectors/module_loader.h"
#include "kafka/kafka_api.h"

#ifndef CONNECTRUN_BUILD_COMMIT
#define CONNECTRUN_BUILD_COMMIT "unknown"
#endif

namespace connectrun::cli {

std::string versions_json() {
  // librdkafka as loaded (its module is loaded here when it can be; else the version built against).
  try {
    kafka_api();
  } catch (const std::exception&) {  // as a family's module that cannot load is left out: the version built against
  }
  std::vector<std::pair<std::string, std::string>> libs{{"librdkafka", librdkafka_version()}};
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
