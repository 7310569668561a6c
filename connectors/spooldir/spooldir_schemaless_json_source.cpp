#include "connectors/spooldir/spooldir_schemaless_json_source.h"

#include "connectors/spooldir/json_stream.h"
#include "connectors/spooldir/spool_task.h"
#include "json/json_reader.h"
#include "json/json_writer.h"

namespace connectrun::spooldir {

namespace {

class SchemaLessJsonSourceTask : public SpoolTask {
 protected:
  void configure_format(const config::ConfigValues& cfg) override { check_charset(cfg, "file.charset"); }

  void open_file(const InputFile& file, int64_t stored_offset) override {
    stream_.emplace(file.path);
    skip_to_ = stored_offset;
  }

  bool read_batch(std::vector<Record>& out, size_t max) override {
    simdjson::dom::element e;
    for (size_t n = 0; n < max;) {
      if (!stream_->next(e)) return false;
      if (stream_->index() <= skip_to_) continue;  // delivered before
      Value v;
      try {
        v = json_element_to_value(e);
      } catch (const std::exception& ex) {
        throw ParseError(stream_->where(), ex.what());
      }
      // Jackson's writeValueAsString of the node: compact JSON text.
      Record& r = add_record(out, stream_->index());
      r.value_schema = string_schema_;
      r.value = Value(to_schemaless_json(v));
      ++n;
    }
    return true;
  }

  void close_file() override { stream_.reset(); }

 private:
  std::optional<JsonStream> stream_;
  int64_t skip_to_ = -1;
  const SchemaPtr string_schema_ = schemas::string();
};

}  // namespace

PluginInfo spooldir_schemaless_json_source_plugin() {
  PluginInfo p;
  p.name = "SpoolDirSchemaLessJsonSource";
  p.aliases = {"com.github.jcustenborder.kafka.connect.spooldir.SpoolDirSchemaLessJsonSourceConnector",
               "SpoolDirSchemaLessJsonSourceConnector"};
  p.kind = PluginKind::Source;
  p.summary = "Reads files of JSON values dropped in a folder, one STRING record per value (kafka-connect-spooldir's schemaless JSON source).";
  p.description =
      "Each JSON value of a file (one per line, or pretty printed) becomes a record whose value is that JSON as "
      "compact text (schema STRING; use StringConverter, or JsonConverter with schemas.enable=false and a "
      "downstream parser), with no key, the file's headers and the source offset {\"offset\": <0-based record "
      "index>} under {\"fileName\": <name>}. Cleanup and errors as SpoolDirCsvSource.";
  define_common_keys(p.spec);
  define_charset_key(p.spec, "file.charset");
  p.make_source = [] { return std::make_unique<SchemaLessJsonSourceTask>(); };
  p.task_configs = spool_task_configs;
  return p;
}

}  // namespace connectrun::spooldir
