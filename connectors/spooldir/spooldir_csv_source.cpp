#include "connectors/spooldir/spooldir_csv_source.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/spooldir/csv_parser.h"
#include "connectors/spooldir/line_reader.h"
#include "connectors/spooldir/spool_task.h"
#include "json/utf8.h"

namespace connectrun::spooldir {

namespace {

using config::ConfigValue;
using config::KeyType;

bool same_name(std::string_view a, std::string_view b, bool case_sensitive) {
  if (case_sensitive || a.size() != b.size()) return a == b;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

class CsvSourceTask : public SpoolTask {
 protected:
  void configure_format(const config::ConfigValues& cfg) override {
    schema_ = parse_schema_config(cfg, common_, /*text_only=*/true);
    check_charset(cfg, "csv.file.charset");
    skip_lines_ = cfg.get_int("csv.skip.lines");
    header_ = cfg.get_bool("csv.first.row.as.header");
    case_sensitive_ = cfg.get_bool("csv.case.sensitive.field.names");
    keep_cr_ = cfg.get_bool("csv.keep.carriage.return");
    auto ch = [&](const char* key) {
      const int64_t v = cfg.get_long(key);
      if (v < 1 || v > 127)
        throw config::ConfigError(key, fmt::format("{}={} is not supported by connectrun: give the character's code "
                                                   "from 1 to 127 (44 for ',', 9 for a tab)", key, v));
      return static_cast<char>(v);
    };
    opt_.separator = ch("csv.separator.char");
    opt_.quote = ch("csv.quote.char");
    opt_.escape = ch("csv.escape.char");
    opt_.strict_quotes = cfg.get_bool("csv.strict.quotes");
    opt_.ignore_leading_whitespace = cfg.get_bool("csv.ignore.leading.whitespace");
    opt_.ignore_quotations = cfg.get_bool("csv.ignore.quotations");
    opt_.rfc4180 = cfg.get_bool("csv.rfc.4180.parser.enabled");
    const std::string n = cfg.get_string("csv.null.field.indicator");
    opt_.null_field = n == "EMPTY_SEPARATORS" ? NullFieldIndicator::EmptySeparators
                      : n == "EMPTY_QUOTES"   ? NullFieldIndicator::EmptyQuotes
                      : n == "BOTH"           ? NullFieldIndicator::Both
                                              : NullFieldIndicator::Neither;
    parser_.emplace(schema_.parser());
  }

  void open_file(const InputFile& file, int64_t stored_offset) override {
    reader_.emplace(file.path, common_.buffer_size, keep_cr_);
    csv_.emplace(opt_);
    has_row_ = false;
    eof_ = false;
    std::string_view line;
    for (int i = 0; i < skip_lines_ && reader_->next(line); ++i) {
    }
    std::vector<std::string> names;
    if (header_) {
      if (!read_row()) return;  // an empty file
      for (size_t i = 0; i < csv_->size(); ++i) names.push_back(csv_->fields()[i].text);
    }
    if (!schema_.value_schema || !schema_.key_schema) {
      generate(names);
      if (!schema_.value_schema) return;  // nothing to make it from: the file has no rows
    }
    map_columns(names);
    if (stored_offset >= 0) {
      // Rows up to the stored offset were delivered before.
      while (has_row_ || read_row()) {
        if (offset() > stored_offset) {
          has_row_ = true;
          break;
        }
        has_row_ = false;
      }
    }
  }

  bool read_batch(std::vector<Record>& out, size_t max) override {
    const SchemaPtr& vs = schema_.value_schema;
    const SchemaPtr& ks = schema_.key_schema;
    for (size_t n = 0; n < max;) {
      if (!has_row_ && !read_row()) return false;
      has_row_ = false;
      const auto& fields = csv_->fields();
      if (blank_ && csv_->size() == 1) continue;  // a blank line: no record
      if (csv_->size() != columns_.size())
        throw ParseError(fmt::format("line {}", reader_->lines_read()),
                         fmt::format("the row has {} fields but {} has {}", csv_->size(),
                                     header_ ? "the header row" : "value.schema", columns_.size()));
      auto value = StructValue::make(vs);
      auto key = StructValue::make(ks);
      for (size_t i = 0; i < columns_.size(); ++i) {
        const Column& c = columns_[i];
        if (c.value < 0) continue;
        const Field& f = vs->fields[static_cast<size_t>(c.value)];
        Value v;
        if (fields[i].null) {
          if (!f.schema->optional)
            throw ParseError(fmt::format("line {}", reader_->lines_read()),
                             fmt::format("field '{}' is required (value.schema) but its column is empty (null by "
                                         "csv.null.field.indicator)", f.name));
        } else {
          try {
            v = parser_->parse_string(*f.schema, fields[i].text);
          } catch (const DataException& e) {
            throw ParseError(fmt::format("line {}", reader_->lines_read()), fmt::format("field '{}': {}", f.name, e.what()));
          }
          if (f.schema->type == Type::String && !utf8::is_valid(v.as<std::string>())) v = Value(utf8::to_valid(v.as<std::string>()));
        }
        if (c.key >= 0) key->values[static_cast<size_t>(c.key)] = v;
        value->values[static_cast<size_t>(c.value)] = std::move(v);
      }
      for (const Field& f : vs->fields)
        if (!f.schema->optional && value->values[f.index].is_null() && !f.schema->default_value)
          throw ParseError(fmt::format("line {}", reader_->lines_read()),
                           fmt::format("field '{}' is required (value.schema) but the file has no column for it", f.name));
      Record& r = add_record(out, offset());
      r.key_schema = ks;
      r.key = Value(std::move(key));
      r.value_schema = vs;
      r.value = Value(std::move(value));
      if (common_.timestamp_mode == TimestampMode::Field) set_field_timestamp(r, schema_.timestamp_field);
      ++n;
    }
    return true;
  }

  void close_file() override {
    reader_.reset();
    csv_.reset();
  }

 private:
  struct Column {
    int value = -1;  // index of its value.schema field, -1: not read
    int key = -1;    // index of its key.schema field
  };

  // Upstream's offset: lines read, less the skipped lines and the header.
  int64_t offset() const { return reader_->lines_read() - skip_lines_ - (header_ ? 1 : 0); }

  bool read_row() {
    std::string_view line;
    blank_ = false;
    for (;;) {
      if (!reader_->next(line)) {
        eof_ = true;
        if (csv_->pending())
          throw ParseError(fmt::format("line {}", reader_->lines_read()),
                           "the file ends inside a quoted field (a closing quote is missing)");
        return false;
      }
      const bool first = !csv_->pending();
      if (csv_->feed(line)) {
        blank_ = first && line.empty();
        return true;
      }
    }
  }

  void generate(const std::vector<std::string>& header) {
    std::vector<std::string> names = header;
    if (names.empty() && !header_) {
      // No header: column01, column02, … for the first row's fields.
      if (read_row()) {
        has_row_ = true;
        for (size_t i = 1; i <= csv_->size(); ++i) names.push_back(fmt::format("column{:02}", i));
      }
    }
    if (names.empty()) return;
    SchemaBuilder value = SchemaBuilder::structure().name(schema_.value_name);
    for (auto& n : names) value.field(n, schemas::string(true));
    SchemaBuilder key = SchemaBuilder::structure().name(schema_.key_name);
    for (auto& k : schema_.key_fields)
      if (std::find(names.begin(), names.end(), k) != names.end()) key.field(k, schemas::string(true));
      else ctx_->log->warn("schema.generation.key.fields: key field '{}' is not in the data", k);
    if (!schema_.value_schema) schema_.value_schema = value.build();
    if (!schema_.key_schema) schema_.key_schema = key.build();
    ctx_->log->info("generated the schemas from the first file: value {} key {}", names.size(), schema_.key_schema->fields.size());
  }

  void map_columns(const std::vector<std::string>& header) {
    const Schema& vs = *schema_.value_schema;
    const Schema& ks = *schema_.key_schema;
    columns_.clear();
    if (header.empty() && !header_) {
      for (const Field& f : vs.fields) columns_.push_back({static_cast<int>(f.index), -1});
    } else {
      for (const auto& name : header) {
        Column c;
        for (const Field& f : vs.fields)
          if (same_name(f.name, name, case_sensitive_)) c.value = static_cast<int>(f.index);
        columns_.push_back(c);
      }
    }
    for (auto& c : columns_) {
      if (c.value < 0) continue;
      if (const Field* kf = ks.field(vs.fields[static_cast<size_t>(c.value)].name)) c.key = static_cast<int>(kf->index);
    }
  }

  SchemaConfig schema_;
  std::optional<ValueParser> parser_;
  CsvOptions opt_;
  int skip_lines_ = 0;
  bool header_ = false, case_sensitive_ = false, keep_cr_ = false;
  std::optional<LineReader> reader_;
  std::optional<CsvParser> csv_;
  std::vector<Column> columns_;
  bool has_row_ = false;  // csv_ holds a row not returned yet
  bool blank_ = false;
  bool eof_ = false;
};

}  // namespace

PluginInfo spooldir_csv_source_plugin() {
  PluginInfo p;
  p.name = "SpoolDirCsvSource";
  p.aliases = {"com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector", "SpoolDirCsvSourceConnector"};
  p.kind = PluginKind::Source;
  p.summary = "Reads CSV files dropped in a folder, one Struct record per row (kafka-connect-spooldir's CSV source).";
  p.description =
      "Files in input.path matching input.file.pattern are read one at a time, each row a record with a Struct value "
      "(value.schema) and a Struct key (key.schema, its fields copied from the value's fields of the same name), "
      "the file's headers (file.name, file.path, file.offset, …) and the source offset {\"offset\": <line>} under "
      "the partition {\"fileName\": <name>}. A file is moved to finished.path (or deleted, cleanup.policy) only once "
      "every record from it was delivered; a file that cannot be read goes to error.path with a NAME.error file.";
  define_common_keys(p.spec);
  define_schema_keys(p.spec);
  using config::validators::at_least;
  p.spec.define({.name = "csv.skip.lines", .type = KeyType::Int, .default_value = ConfigValue{int64_t{0}},
                 .doc = "Number of lines to skip at the beginning of the file (before the header row).", .validator = at_least(0)});
  p.spec.define({.name = "csv.separator.char", .type = KeyType::Int, .default_value = ConfigValue{int64_t{44}},
                 .doc = "The field separator as a character code: 44 ',', 9 tab, 59 ';', 124 '|'."});
  p.spec.define({.name = "csv.quote.char", .type = KeyType::Int, .default_value = ConfigValue{int64_t{34}},
                 .doc = "The quote character's code (34 '\"')."});
  p.spec.define({.name = "csv.escape.char", .type = KeyType::Int, .default_value = ConfigValue{int64_t{92}},
                 .doc = "The escape character's code (92 '\\'): inside a field it makes the quote or itself literal; "
                        "alone it is dropped, as opencsv does. Not used by the RFC 4180 parser."});
  p.spec.define({.name = "csv.strict.quotes", .type = KeyType::Boolean, .default_value = ConfigValue{false},
                 .doc = "Characters outside the quotes are ignored."});
  p.spec.define({.name = "csv.ignore.leading.whitespace", .type = KeyType::Boolean, .default_value = ConfigValue{true},
                 .doc = "White space in front of a quote in a field is ignored."});
  p.spec.define({.name = "csv.ignore.quotations", .type = KeyType::Boolean, .default_value = ConfigValue{false},
                 .doc = "Quotes are ordinary characters."});
  p.spec.define({.name = "csv.keep.carriage.return", .type = KeyType::Boolean, .default_value = ConfigValue{false},
                 .doc = "Keep the \\r of \\r\\n line ends in the last field."});
  p.spec.define({.name = "csv.verify.reader", .type = KeyType::Boolean, .default_value = ConfigValue{true},
                 .doc = "opencsv's check that its Java Reader is still open; connectrun's reader has no such state, "
                        "so the value changes nothing."});
  p.spec.define({.name = "csv.null.field.indicator", .type = KeyType::String, .default_value = ConfigValue{std::string("NEITHER")},
                 .doc = "Which empty fields are null: EMPTY_SEPARATORS (,,), EMPTY_QUOTES (,\"\",), BOTH, or NEITHER "
                        "(empty strings). A null in a required field is an error.",
                 .validator = config::validators::one_of({"EMPTY_SEPARATORS", "EMPTY_QUOTES", "BOTH", "NEITHER"})});
  p.spec.define({.name = "csv.first.row.as.header", .type = KeyType::Boolean, .default_value = ConfigValue{false},
                 .doc = "The first row (after csv.skip.lines) names the columns: each is read into the value.schema "
                        "field of that name, and columns not in the schema are left out. Without it the columns are "
                        "the value.schema fields in order."});
  define_charset_key(p.spec, "csv.file.charset");
  p.spec.define({.name = "csv.case.sensitive.field.names", .type = KeyType::Boolean, .default_value = ConfigValue{false},
                 .doc = "Whether header names must match value.schema field names in letter case."});
  p.spec.define({.name = "csv.rfc.4180.parser.enabled", .type = KeyType::Boolean, .default_value = ConfigValue{false},
                 .doc = "Use the RFC 4180 parser (opencsv's RFC4180Parser): quotes inside quoted fields are doubled, "
                        "there is no escape character, and white space is kept."});
  p.make_source = [] { return std::make_unique<CsvSourceTask>(); };
  p.task_configs = spool_task_configs;
  return p;
}

}  // namespace connectrun::spooldir
