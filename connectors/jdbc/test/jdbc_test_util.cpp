#include "jdbc_test_util.h"

#include <catch2/catch.hpp>

#include "child_process.h"

using namespace testsupport;

namespace jdbctest {

std::string sqlite(const std::string& db, const std::string& sql) {
  int status = -1;
  auto out = shell(fmt::format("sqlite3 {} {} 2>&1", sh_quote(db), sh_quote(sql)), &status);
  INFO(sql << "\n" << out);
  REQUIRE(status == 0);
  return out;
}

std::string source_job(const std::string& dir, const std::string& source_keys) {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: JsonConverter
  value.converter.schemas.enable: true
connectors:
  - name: src
    connector.class: io.confluent.connect.jdbc.JdbcSourceConnector
{1}  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics.regex: "db_.*"
)", dir, source_keys);
}

std::string sink_job(const std::string& dir, const std::string& topic, const std::string& sink_keys) {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: JsonConverter
  value.converter.schemas.enable: true
connectors:
  - name: src
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: {1}
    value.converter: StringConverter
  - name: snk
    connector.class: io.confluent.connect.jdbc.JdbcSinkConnector
    topics: {1}
{2})", dir, topic, sink_keys);
}

std::string person(int id, const std::string& name, bool with_extra, const std::string& extra) {
  std::string fields = R"({"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"})";
  std::string payload = fmt::format(R"("id":{},"name":"{}")", id, name);
  if (with_extra) {
    fields += R"(,{"type":"string","optional":true,"field":"extra"})";
    payload += fmt::format(R"(,"extra":"{}")", extra);
  }
  return fmt::format(R"({{"schema":{{"type":"struct","fields":[{}],"optional":false,"name":"person"}},"payload":{{{}}}}})",
                     fields, payload) + "\n";
}

}  // namespace jdbctest
