// The one list of connector families: adding a family is one folder under
// connectors/, one connectrun_connector() call in connectors/CMakeLists.txt and
// one line here. CONNECTRUN_WITH_<FAMILY> is defined for each enabled family.
#include "connectors/connectors.h"

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
#ifdef CONNECTRUN_WITH_POSTGRES_CDC
#include "connectors/postgres_cdc/postgres_cdc.h"
#endif

namespace connectrun {

void register_connectors([[maybe_unused]] PluginRegistry& registry) {
#ifdef CONNECTRUN_WITH_FILE
  file::register_family(registry);  // FileStreamSource, FileStreamSink
#endif
#ifdef CONNECTRUN_WITH_HTTP
  http::register_family(registry);  // HttpSink
#endif
#ifdef CONNECTRUN_WITH_DATAGEN
  datagen::register_family(registry);  // DataGen
#endif
#ifdef CONNECTRUN_WITH_SPOOLDIR
  spooldir::register_family(registry);  // SpoolDirCsvSource, SpoolDirJsonSource, SpoolDirLineDelimitedSource, SpoolDirSchemaLessJsonSource
#endif
#ifdef CONNECTRUN_WITH_TAIL
  tail::register_family(registry);  // FileTail
#endif
#ifdef CONNECTRUN_WITH_S3
  s3::register_family(registry);  // S3Sink, S3Source
#endif
#ifdef CONNECTRUN_WITH_RABBITMQ
  rabbitmq::register_family(registry);  // RabbitMQSource, RabbitMQSink
#endif
#ifdef CONNECTRUN_WITH_MQTT
  mqtt::register_family(registry);  // MqttSource, MqttSink
#endif
#ifdef CONNECTRUN_WITH_JDBC
  jdbc::register_family(registry);  // JdbcSource, JdbcSink
#endif
#ifdef CONNECTRUN_WITH_POSTGRES_CDC
  postgres_cdc::register_family(registry);  // PostgresCdcSource
#endif
}

const PluginRegistry& builtin_plugins() {
  static const PluginRegistry registry = [] {
    PluginRegistry r;
    register_core_plugins(r);
    register_connectors(r);
    return r;
  }();
  return registry;
}

}  // namespace connectrun
