#include "connectors/spooldir/spooldir_line_delimited_source.h"

#include "connectors/spooldir/line_reader.h"
#include "connectors/spooldir/spool_task.h"
#include "json/utf8.h"

namespace connectrun::spooldir {

namespace {

class LineDelimitedSourceTask : public SpoolTask {
 protected:
  void configure_format(const config::ConfigValues& cfg) override { check_charset(cfg, "file.charset"); }

  void open_file(const InputFile& file, int64_t stored_offset) override {
    reader_.emplace(file.path, common_.buffer_size);
    std::string_view line;
    while (reader_->lines_read() < stored_offset && reader_->next(line)) {
    }
  }

  bool read_batch(std::vector<Record>& out, size_t max) override {
    std::string_view line;
    for (size_t n = 0; n < max; ++n) {
      if (!reader_->next(line)) return false;
      // The offset is LineNumberReader.getLineNumber() after the line: 1 for the first.
      Record& r = add_record(out, reader_->lines_read());
      r.value_schema = string_schema_;
      r.value = utf8::is_valid(line) ? Value(std::string(line)) : Value(utf8::to_valid(line));
    }
    return true;
  }

  void close_file() override { reader_.reset(); }

 private:
  std::optional<LineReader> reader_;
  const SchemaPtr string_schema_ = schemas::string();
};

}  // namespace

PluginInfo spooldir_line_delimited_source_plugin() {
  PluginInfo p;
  p.name = "SpoolDirLineDelimitedSource";
  p.aliases = {"com.github.jcustenborder.kafka.connect.spooldir.SpoolDirLineDelimitedSourceConnector",
               "SpoolDirLineDelimitedSourceConnector"};
  p.kind = PluginKind::Source;
  p.summary = "Reads text files dropped in a folder, one STRING record per line (kafka-connect-spooldir's line-delimited source).";
  p.description =
      "Each line of a file (ending with \\n or \\r\\n) becomes a record whose value is the line (schema STRING, "
      "invalid UTF-8 replaced by U+FFFD), with no key, the file's headers and the source offset {\"offset\": <line "
      "number, 1 for the first>} under {\"fileName\": <name>}. Cleanup and errors as SpoolDirCsvSource.";
  define_common_keys(p.spec);
  define_charset_key(p.spec, "file.charset");
  p.make_source = [] { return std::make_unique<LineDelimitedSourceTask>(); };
  p.task_configs = spool_task_configs;
  return p;
}

}  // namespace connectrun::spooldir
