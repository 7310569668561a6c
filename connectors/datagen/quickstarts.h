// The quickstarts built in: kafka-connect-datagen's names, record and field
// names, types and key fields, with connectrun's own schemas (quickstart/*.avsc,
// compiled into the binary; see quickstart/README.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace connectrun::datagen {

struct Quickstart {
  std::string_view name;       // as `quickstart` takes it (lower case)
  std::string_view java_file;  // its schema's file name in kafka-connect-datagen
  std::string_view key_field;  // the schema.keyfield it implies
  std::string_view schema;     // the schema's JSON text
};

const std::vector<Quickstart>& quickstarts();
// The quickstart named `name` (any letter case, as Java's valueOf(toUpperCase())), or nullptr.
const Quickstart* find_quickstart(std::string_view name);
// Whether kafka-connect-datagen has a quickstart of that name (built in here or not).
bool is_java_quickstart(std::string_view name);
// "clickstream, orders, …": the built-in ones, for messages.
std::string quickstart_names();
// The text of a compiled-in schema by kafka-connect-datagen's file name
// ("users_schema.avro") or ours ("users.avsc"), or empty.
std::string_view embedded_schema(std::string_view file);

}  // namespace connectrun::datagen
