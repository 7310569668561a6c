#include "connectors/spooldir/spooldir_json_source.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/spooldir/json_stream.h"
#include "connectors/spooldir/spool_task.h"
#include "json/json_reader.h"

namespace connectrun::spooldir {

namespace {

class JsonSourceTask : public SpoolTask {
 protected:
  void configure_format(const config::ConfigValues& cfg) override {
    schema_ = parse_schema_config(cfg, common_, /*text_only=*/false);
    parser_.emplace(schema_.parser());
  }

  void open_file(const InputFile& file, int64_t stored_offset) override {
    stream_.emplace(file.path);
    simdjson::dom::element e;
    if (!schema_.value_schema || !schema_.key_schema) {
      // Generated from the first object of the first file, every field an optional string.
      JsonStream first(file.path);
      std::vector<std::string> names;
      while (first.next(e)) {
        simdjson::dom::object obj;
        if (e.get_object().get(obj)) continue;
        for (auto f : obj) names.emplace_back(f.key);
        break;
      }
      if (names.empty()) return;
      SchemaBuilder value = SchemaBuilder::structure().name(schema_.value_name);
      for (auto& n : names) value.field(n, schemas::string(true));
      SchemaBuilder key = SchemaBuilder::structure().name(schema_.key_name);
      for (auto& k : schema_.key_fields)
        if (std::find(names.begin(), names.end(), k) != names.end()) key.field(k, schemas::string(true));
      if (!schema_.value_schema) schema_.value_schema = value.build();
      if (!schema_.key_schema) schema_.key_schema = key.build();
    }
    pending_ = false;
    while (stored_offset >= 0 && stream_->next(e)) {
      if (stream_->index() > stored_offset) {
        pending_ = true;  // e is the next record
        pending_element_ = e;
        break;
      }
    }
  }

  bool read_batch(std::vector<Record>& out, size_t max) override {
    simdjson::dom::element e;
    for (size_t n = 0; n < max; ++n) {
      if (pending_) {
        e = pending_element_;
        pending_ = false;
      } else if (!stream_->next(e)) {
        return false;
      }
      const SchemaPtr& vs = schema_.value_schema;
      const SchemaPtr& ks = schema_.key_schema;
      if (!vs) throw ParseError(stream_->where(), "no schema could be generated: the file's first value is not a JSON object");
      if (!e.is_object())
        throw ParseError(stream_->where(), fmt::format("a JSON {} where an object was expected", json_node_type(e)));
      Value value;
      try {
        value = parser_->parse_json(vs, &e);
      } catch (const DataException& ex) {
        throw ParseError(stream_->where(), ex.what());
      }
      auto key = StructValue::make(ks);
      for (const Field& kf : ks->fields) key->values[kf.index] = value.as_struct().get(kf.name);
      Record& r = add_record(out, stream_->index());
      r.key_schema = ks;
      r.key = Value(std::move(key));
      r.value_schema = vs;
      r.value = std::move(value);
      if (common_.timestamp_mode == TimestampMode::Field) set_field_timestamp(r, schema_.timestamp_field);
    }
    return true;
  }

  void close_file() override { stream_.reset(); }

 private:
  SchemaConfig schema_;
  std::optional<ValueParser> parser_;
  std::optional<JsonStream> stream_;
  simdjson::dom::element pending_element_;
  bool pending_ = false;
};

}  // namespace

PluginInfo spooldir_json_source_plugin() {
  PluginInfo p;
  p.name = "SpoolDirJsonSource";
  p.aliases = {"com.github.jcustenborder.kafka.connect.spooldir.SpoolDirJsonSourceConnector", "SpoolDirJsonSourceConnector"};
  p.kind = PluginKind::Source;
  p.summary = "Reads files of JSON objects dropped in a folder, one Struct record per object (kafka-connect-spooldir's JSON source).";
  p.description =
      "Files in input.path matching input.file.pattern hold JSON objects one after another (one per line, or pretty "
      "printed). Each object becomes a record with a Struct value (value.schema: each field read from the member of "
      "that name; numbers, strings read as for CSV, nested objects and arrays) and a Struct key (key.schema, copied "
      "from the value), the file's headers, and the source offset {\"offset\": <0-based record index>} under "
      "{\"fileName\": <name>}. Cleanup and errors as SpoolDirCsvSource.";
  define_common_keys(p.spec);
  define_schema_keys(p.spec);
  p.make_source = [] { return std::make_unique<JsonSourceTask>(); };
  p.task_configs = spool_task_configs;
  return p;
}

}  // namespace connectrun::spooldir
