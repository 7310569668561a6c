// The one list of connector families: adding a family is one folder under
// connectors/, one connectrun_connector() call in connectors/CMakeLists.txt and
// one entry here, with the plugins (names, Java aliases) it registers: the
// connectrun binary resolves a job's class names to a family from this list
// before loading the family's module, and the loader checks that the module
// registers exactly these. CONNECTRUN_WITH_<FAMILY> is defined for each
// enabled family, CONNECTRUN_PACKAGES_<FAMILY> (its Debian packages) for all.
#include "connectors/connectors.h"
#include "connectors/plugin_families.h"

#include <spdlog/spdlog.h>

#ifdef CONNECTRUN_MODULES
#include "connectors/module_loader.h"
#endif

#ifdef CONNECTRUN_WITH_FILE
#include "connectors/file/file.h"
#endif
#if defined(CONNECTRUN_WITH_HTTP) && !defined(CONNECTRUN_MODULES)
#include "connectors/http/http.h"
#endif
#if defined(CONNECTRUN_WITH_DATAGEN) && !defined(CONNECTRUN_MODULES)
#include "connectors/datagen/datagen.h"
#endif
#if defined(CONNECTRUN_WITH_SPOOLDIR) && !defined(CONNECTRUN_MODULES)
#include "connectors/spooldir/spooldir.h"
#endif
#if defined(CONNECTRUN_WITH_TAIL) && !defined(CONNECTRUN_MODULES)
#include "connectors/tail/tail.h"
#endif
#if defined(CONNECTRUN_WITH_S3) && !defined(CONNECTRUN_MODULES)
#include "connectors/s3/s3.h"
#endif
#if defined(CONNECTRUN_WITH_RABBITMQ) && !defined(CONNECTRUN_MODULES)
#include "connectors/rabbitmq/rabbitmq.h"
#endif
#if defined(CONNECTRUN_WITH_MQTT) && !defined(CONNECTRUN_MODULES)
#include "connectors/mqtt/mqtt.h"
#endif
#if defined(CONNECTRUN_WITH_JDBC) && !defined(CONNECTRUN_MODULES)
#include "connectors/jdbc/jdbc.h"
#endif
#if defined(CONNECTRUN_WITH_POSTGRES_CDC) && !defined(CONNECTRUN_MODULES)
#include "connectors/postgres_cdc/postgres_cdc.h"
#endif
#if defined(CONNECTRUN_WITH_AVRO) && !defined(CONNECTRUN_MODULES)
#include "connectors/avro/avro.h"
#endif

namespace connectrun {

namespace {

using K = PluginKind;

// CONNECTRUN_MODULES (the connectrun binary): the families other than file are
// modules, loaded by connectors/module_loader.cpp; the tests and fuzz targets
// link every family in.
#ifdef CONNECTRUN_MODULES
#define CONNECTRUN_LINKED(ns) nullptr
#else
#define CONNECTRUN_LINKED(ns) ns::register_family
#endif

std::vector<ConnectorFamily> make_families() {
  std::vector<ConnectorFamily> out;
  out.push_back({"file", CONNECTRUN_PACKAGES_FILE, {
      {K::Source, "FileStreamSource", {"org.apache.kafka.connect.file.FileStreamSourceConnector", "FileStreamSourceConnector"}},
      {K::Sink, "FileStreamSink", {"org.apache.kafka.connect.file.FileStreamSinkConnector", "FileStreamSinkConnector"}}}});
#ifdef CONNECTRUN_WITH_FILE
  out.back().built = true;
  out.back().register_family = file::register_family;
#endif
  out.push_back({"http", CONNECTRUN_PACKAGES_HTTP, {
      {K::Sink, "HttpSink", {"io.aiven.kafka.connect.http.HttpSinkConnector", "HttpSinkConnector"}}}});
#ifdef CONNECTRUN_WITH_HTTP
  out.back().built = true;
  out.back().register_family = CONNECTRUN_LINKED(http);
#endif
  out.push_back({"datagen", CONNECTRUN_PACKAGES_DATAGEN, {
      {K::Source, "DataGen", {"io.confluent.kafka.connect.datagen.DatagenConnector", "DatagenConnector"}}}});
#ifdef CONNECTRUN_WITH_DATAGEN
  out.back().built = true;
  out.back().register_family = CONNECTRUN_LINKED(datagen);
#endif
  out.push_back({"spooldir", CONNECTRUN_PACKAGES_SPOOLDIR, {
      {K::Source, "SpoolDirCsvSource", {"com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector", "SpoolDirCsvSourceConnector"}},
      {K::Source, "SpoolDirJsonSource", {"com.github.jcustenborder.kafka.connect.spooldir.SpoolDirJsonSourceConnector", "SpoolDirJsonSourceConnector"}},
      {K::Source, "SpoolDirLineDelimitedSource", {"com.github.jcustenborder.kafka.connect.spooldir.SpoolDirLineDelimitedSourceConnector", "SpoolDirLineDelimitedSourceConnector"}},
      {K::Source, "SpoolDirSchemaLessJsonSource", {"com.github.jcustenborder.kafka.connect.spooldir.SpoolDirSchemaLessJsonSourceConnector", "SpoolDirSchemaLessJsonSourceConnector"}}}});
#ifdef CONNECTRUN_WITH_SPOOLDIR
  out.back().built = true;
  out.back().register_family = CONNECTRUN_LINKED(spooldir);
#endif
  out.push_back({"tail", CONNECTRUN_PACKAGES_TAIL, {
      {K::Source, "FileTail", {"FileTailSource"}}}});
#ifdef CONNECTRUN_WITH_TAIL
  out.back().built = true;
  out.back().register_family = CONNECTRUN_LINKED(tail);
#endif
  out.push_back({"s3", CONNECTRUN_PACKAGES_S3, {
      {K::Sink, "S3Sink", {"io.confluent.connect.s3.S3SinkConnector", "S3SinkConnector"}},
      {K::Source, "S3Source", {"io.confluent.connect.s3.source.S3SourceConnector", "S3SourceConnector"}}}});
#ifdef CONNECTRUN_WITH_S3
  out.back().built = true;
  out.back().register_family = CONNECTRUN_LINKED(s3);
#endif
  out.push_back({"rabbitmq", CONNECTRUN_PACKAGES_RABBITMQ, {
      {K::Source, "RabbitMQSource", {"com.github.jcustenborder.kafka.connect.rabbitmq.RabbitMQSourceConnector", "RabbitMQSourceConnector"}},
      {K::Sink, "RabbitMQSink", {"com.github.jcustenborder.kafka.connect.rabbitmq.RabbitMQSinkConnector", "RabbitMQSinkConnector"}}}});
#ifdef CONNECTRUN_WITH_RABBITMQ
  out.back().built = true;
  out.back().register_family = CONNECTRUN_LINKED(rabbitmq);
#endif
  out.push_back({"mqtt", CONNECTRUN_PACKAGES_MQTT, {
      {K::Source, "MqttSource", {"io.confluent.connect.mqtt.MqttSourceConnector", "MqttSourceConnector"}},
      {K::Sink, "MqttSink", {"io.confluent.connect.mqtt.MqttSinkConnector", "MqttSinkConnector"}}}});
#ifdef CONNECTRUN_WITH_MQTT
  out.back().built = true;
  out.back().register_family = CONNECTRUN_LINKED(mqtt);
#endif
  out.push_back({"jdbc", CONNECTRUN_PACKAGES_JDBC, {
      {K::Source, "JdbcSource", {"io.confluent.connect.jdbc.JdbcSourceConnector", "JdbcSourceConnector"}},
      {K::Sink, "JdbcSink", {"io.confluent.connect.jdbc.JdbcSinkConnector", "JdbcSinkConnector"}}}});
#ifdef CONNECTRUN_WITH_JDBC
  out.back().built = true;
  out.back().register_family = CONNECTRUN_LINKED(jdbc);
#endif
  out.push_back({"postgres_cdc", CONNECTRUN_PACKAGES_POSTGRES_CDC, {
      {K::Source, "PostgresCdcSource", {"io.debezium.connector.postgresql.PostgresConnector", "PostgresConnector"}}}});
#ifdef CONNECTRUN_WITH_POSTGRES_CDC
  out.back().built = true;
  out.back().register_family = CONNECTRUN_LINKED(postgres_cdc);
#endif
  out.push_back({"avro", CONNECTRUN_PACKAGES_AVRO, {
      {K::Converter, "AvroConverter", {"io.confluent.connect.avro.AvroConverter"}},
      {K::Converter, "JsonSchemaConverter", {"io.confluent.connect.json.JsonSchemaConverter"}}}});
#ifdef CONNECTRUN_WITH_AVRO
  out.back().built = true;
  out.back().register_family = CONNECTRUN_LINKED(avro);
#endif
  return out;
}

}  // namespace

const std::vector<ConnectorFamily>& connector_families() {
  static const std::vector<ConnectorFamily> families = make_families();
  return families;
}

void register_connectors(PluginRegistry& registry) {
  for (auto& f : connector_families())
    if (f.register_family) f.register_family(registry);
}

namespace {

struct Builtin {
  PluginRegistry registry;
#ifdef CONNECTRUN_MODULES
  ModuleLoader loader{connector_families()};
#endif
  Builtin() {
    register_core_plugins(registry);
    register_connectors(registry);
#ifdef CONNECTRUN_MODULES
    registry.set_loader(&loader);
#endif
  }
};

Builtin& builtin() {
  static Builtin b;
  return b;
}

}  // namespace

const PluginRegistry& builtin_plugins() { return builtin().registry; }

#ifdef CONNECTRUN_MODULES
std::vector<std::pair<std::string, std::string>> module_library_versions() {
  all_builtin_plugins();
  return builtin().loader.library_versions();
}
#endif

const PluginRegistry& all_builtin_plugins() {
  const PluginRegistry& r = builtin_plugins();
  for (auto& error : r.load_all()) spdlog::warn("{}", error);
  return r;
}

std::string plugin_family(std::string_view name) {
  for (auto& f : connector_families())
    for (auto& p : f.plugins)
      if (f.built && p.name == name) return std::string(f.name);
  return builtin_plugins().find_any(name) ? "core" : "";
}

}  // namespace connectrun
