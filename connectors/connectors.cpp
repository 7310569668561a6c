// The one list of connector families: adding a family is one folder under
// connectors/, one connectrun_connector() call in connectors/CMakeLists.txt and
// one line here. CONNECTRUN_WITH_<FAMILY> is defined for each enabled family.
#include "connectors/connectors.h"
#include "connectors/plugin_families.h"

#include <map>

#ifdef CONNECTRUN_WITH_FILE
#include "connectors/file/file.h"
#endif
#ifdef CONNECTRUN_WITH_HTTP
#include "connectors/http/http.h"
#endif
#ifdef CONNECTRUN_WITH_DATAGEN
#include "connectors/datagen/datagen.h"
#endif
#ifdef CONNECTRUN_WITH_SPOOLDIR
#include "connectors/spooldir/spooldir.h"
#endif
#ifdef CONNECTRUN_WITH_TAIL
#include "connectors/tail/tail.h"
#endif
#ifdef CONNECTRUN_WITH_S3
#include "connectors/s3/s3.h"
#endif
#ifdef CONNECTRUN_WITH_RABBITMQ
#include "connectors/rabbitmq/rabbitmq.h"
#endif
#ifdef CONNECTRUN_WITH_MQTT
#include "connectors/mqtt/mqtt.h"
#endif
#ifdef CONNECTRUN_WITH_JDBC
#include "connectors/jdbc/jdbc.h"
#endif
#ifdef CONNECTRUN_WITH_AVRO
#include "connectors/avro/avro.h"
#endif
#ifdef CONNECTRUN_WITH_POSTGRES_CDC
#include "connectors/postgres_cdc/postgres_cdc.h"
#endif

namespace connectrun {

namespace {

// Plugin name → the family that registered it, for `plugins --json`.
using Families = std::map<std::string, std::string, std::less<>>;

[[maybe_unused]] void add_family(PluginRegistry& registry, Families* families, const char* family,
                                 void (*register_family)(PluginRegistry&)) {
  size_t first = registry.all().size();
  register_family(registry);
  if (families)
    for (size_t i = first; i < registry.all().size(); ++i) (*families)[registry.all()[i].name] = family;
}

void register_families([[maybe_unused]] PluginRegistry& registry, [[maybe_unused]] Families* families) {
#ifdef CONNECTRUN_WITH_FILE
  add_family(registry, families, "file", file::register_family);  // FileStreamSource, FileStreamSink
#endif
#ifdef CONNECTRUN_WITH_HTTP
  add_family(registry, families, "http", http::register_family);  // HttpSink
#endif
#ifdef CONNECTRUN_WITH_DATAGEN
  add_family(registry, families, "datagen", datagen::register_family);  // DataGen
#endif
#ifdef CONNECTRUN_WITH_SPOOLDIR
  add_family(registry, families, "spooldir", spooldir::register_family);  // SpoolDirCsvSource, SpoolDirJsonSource, SpoolDirLineDelimitedSource, SpoolDirSchemaLessJsonSource
#endif
#ifdef CONNECTRUN_WITH_TAIL
  add_family(registry, families, "tail", tail::register_family);  // FileTail
#endif
#ifdef CONNECTRUN_WITH_S3
  add_family(registry, families, "s3", s3::register_family);  // S3Sink, S3Source
#endif
#ifdef CONNECTRUN_WITH_RABBITMQ
  add_family(registry, families, "rabbitmq", rabbitmq::register_family);  // RabbitMQSource, RabbitMQSink
#endif
#ifdef CONNECTRUN_WITH_MQTT
  add_family(registry, families, "mqtt", mqtt::register_family);  // MqttSource, MqttSink
#endif
#ifdef CONNECTRUN_WITH_JDBC
  add_family(registry, families, "jdbc", jdbc::register_family);  // JdbcSource, JdbcSink
#endif
#ifdef CONNECTRUN_WITH_POSTGRES_CDC
  add_family(registry, families, "postgres_cdc", postgres_cdc::register_family);  // PostgresCdcSource
#endif
#ifdef CONNECTRUN_WITH_AVRO
  add_family(registry, families, "avro", avro::register_family);  // AvroConverter
#endif
}

struct Builtin {
  PluginRegistry registry;
  Families families;
};

const Builtin& builtin() {
  static const Builtin b = [] {
    Builtin out;
    register_core_plugins(out.registry);
    for (auto& p : out.registry.all()) out.families[p.name] = "core";
    register_families(out.registry, &out.families);
    return out;
  }();
  return b;
}

}  // namespace

void register_connectors(PluginRegistry& registry) { register_families(registry, nullptr); }

const PluginRegistry& builtin_plugins() { return builtin().registry; }

std::string plugin_family(std::string_view name) {
  const Families& f = builtin().families;
  auto it = f.find(name);
  return it == f.end() ? std::string() : it->second;
}

}  // namespace connectrun
