#include "connectors/spooldir/spool_config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "connectors/spooldir/schema_json.h"
#include "plugin/topic_name.h"

namespace connectrun::spooldir {

using config::ConfigError;
using config::ConfigValue;
using config::KeyType;
namespace validators = config::validators;

namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// An existing directory this process can list and write into, as an absolute path.
std::string writable_directory(const config::ConfigValues& cfg, const std::string& key) {
  const std::string path = cfg.get_string(key);
  if (path.empty()) throw ConfigError(key, fmt::format("{} must name a directory", key));
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0)
    throw ConfigError(key, fmt::format("{} '{}' cannot be used: {}; create the directory first", key, path, std::strerror(errno)));
  if (!S_ISDIR(st.st_mode))
    throw ConfigError(key, fmt::format("{} '{}' is not a directory; name a directory (it must exist and be writable)", key, path));
  if (::access(path.c_str(), R_OK | W_OK | X_OK) != 0)
    throw ConfigError(key, fmt::format("{} '{}' is not readable and writable by this process: {}; fix its permissions", key, path,
                                       std::strerror(errno)));
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

}  // namespace

void define_common_keys(config::ConfigSpec& spec) {
  spec.define({.name = "topic", .type = KeyType::String, .default_value = std::nullopt, .doc = "The Kafka topic to write the data to."});
  spec.define({.name = "batch.size", .type = KeyType::Int, .default_value = ConfigValue{int64_t{1000}},
               .doc = "The number of records that should be returned with each batch.", .validator = validators::at_least(1)});
  spec.define({.name = "empty.poll.wait.ms", .type = KeyType::Long, .default_value = ConfigValue{int64_t{500}},
               .doc = "The amount of time to wait if a poll returns an empty list of records.",
               .validator = validators::at_least(1)});
  spec.define({.name = "cleanup.policy", .type = KeyType::String, .default_value = ConfigValue{std::string("MOVE")},
               .doc = "What happens to a file once every record read from it was delivered: NONE leaves it in place "
                      "(its stored offset keeps it from being read again), DELETE removes it, MOVE moves it to "
                      "finished.path, MOVEBYDATE to a yyyy-MM-dd folder (of the file's last modification, local time) "
                      "under finished.path.",
               .validator = validators::one_of({"NONE", "DELETE", "MOVE", "MOVEBYDATE"})});
  spec.define({.name = "input.path", .type = KeyType::String, .default_value = std::nullopt,
               .doc = "The directory to read files from. It must exist and be writable (files are moved out of it and "
                      "marker files written into it).",
               .file_use = config::FileUse::Reads});
  spec.define({.name = "finished.path", .type = KeyType::String, .default_value = ConfigValue{std::string()},
               .doc = "The directory to move files to once delivered (cleanup.policy MOVE and MOVEBYDATE, where it is "
                      "required). It must exist and be writable."});
  spec.define({.name = "error.path", .type = KeyType::String, .default_value = std::nullopt,
               .doc = "The directory to move files that cannot be read to, each with a NAME.error file beside it saying "
                      "where and why. It must exist and be writable."});
  spec.define({.name = "input.file.pattern", .type = KeyType::String, .default_value = std::nullopt,
               .doc = "Regular expression (Java syntax) the whole file name must match (Matcher.matches()).",
               .validator = transforms::regex_validator()});
  spec.define({.name = "halt.on.error", .type = KeyType::Boolean, .default_value = ConfigValue{true},
               .doc = "Whether the task fails when a file cannot be read (after moving it to error.path), or goes on "
                      "with the next file."});
  spec.define({.name = "file.minimum.age.ms", .type = KeyType::Long, .default_value = ConfigValue{int64_t{0}},
               .doc = "How long after its last modification a file is left alone, so a file still being written is "
                      "not read yet.",
               .validator = validators::at_least(0)});
  spec.define({.name = "processing.file.extension", .type = KeyType::String, .default_value = ConfigValue{std::string(".PROCESSING")},
               .doc = "While a file is read, a marker file of its name plus this suffix lies beside it; files with a "
                      "marker are skipped. connectrun writes its process id into the marker and, after a crash, takes "
                      "over markers whose process is gone, resuming the file at its stored offset."});
  spec.define({.name = "timestamp.mode", .type = KeyType::String, .default_value = ConfigValue{std::string("PROCESS_TIME")},
               .doc = "The record's timestamp: PROCESS_TIME none (the producer's time), FILE_TIME the file's last "
                      "modification, FIELD the value field named by timestamp.field (CSV and JSON).",
               .validator = validators::one_of({"FIELD", "FILE_TIME", "PROCESS_TIME"})});
  spec.define({.name = "files.sort.attributes", .type = KeyType::List,
               .default_value = ConfigValue{std::vector<std::string>{"NameAsc"}},
               .doc = "The order files are read in: NameAsc, NameDesc, LengthAsc, LengthDesc, LastModifiedAsc, "
                      "LastModifiedDesc, compared in the order given.",
               .validator = validators::list_of({"NameAsc", "NameDesc", "LengthAsc", "LengthDesc", "LastModifiedAsc", "LastModifiedDesc"})});
  spec.define({.name = "task.index", .type = KeyType::Int, .default_value = ConfigValue{int64_t{0}},
               .doc = "Set by the connector for each task (tasks.max): do not set it.", .validator = validators::at_least(0)});
  spec.define({.name = "task.count", .type = KeyType::Int, .default_value = ConfigValue{int64_t{1}},
               .doc = "Set by the connector for each task (tasks.max): do not set it.", .validator = validators::at_least(1)});
  spec.define({.name = "task.partitioner", .type = KeyType::String, .default_value = ConfigValue{std::string("ByName")},
               .doc = "How tasks share the files when tasks.max > 1: ByName, by an Adler-32 hash of the file name.",
               .validator = validators::one_of({"ByName"})});
  spec.define({.name = "input.path.walk.recursively", .type = KeyType::Boolean, .default_value = ConfigValue{false},
               .doc = "Also read matching files in folders under input.path; the folder is kept under finished.path "
                      "and error.path, and given in the file.relative.path header."});
  spec.define({.name = "cleanup.policy.maintain.relative.path", .type = KeyType::Boolean, .default_value = ConfigValue{false},
               .doc = "With input.path.walk.recursively: keep the emptied folders under input.path (else they are "
                      "removed once empty)."});
  spec.define({.name = "file.buffer.size.bytes", .type = KeyType::Int, .default_value = ConfigValue{int64_t{128 * 1024}},
               .doc = "Size of the read buffer.", .validator = validators::at_least(1)});
}

void define_schema_keys(config::ConfigSpec& spec) {
  spec.define({.name = "key.schema", .type = KeyType::String, .default_value = ConfigValue{std::string()},
               .doc = "The schema of the key, in connect-utils' JSON form ({\"name\": …, \"type\": \"STRUCT\", "
                      "\"isOptional\": false, \"fieldSchemas\": {…}}); key fields are filled from the value fields of "
                      "the same name. Required unless schema.generation.enabled."});
  spec.define({.name = "value.schema", .type = KeyType::String, .default_value = ConfigValue{std::string()},
               .doc = "The schema of the value, in the same JSON form. Required unless schema.generation.enabled."});
  spec.define({.name = "schema.generation.enabled", .type = KeyType::Boolean, .default_value = ConfigValue{false},
               .doc = "Make the schemas from the first file read when key.schema or value.schema is not set: every "
                      "field an optional STRING (CSV: the header's names, or column01, column02, …; JSON: the first "
                      "object's fields)."});
  spec.define({.name = "schema.generation.key.fields", .type = KeyType::List, .default_value = ConfigValue{std::vector<std::string>{}},
               .doc = "The fields of a generated key schema."});
  spec.define({.name = "schema.generation.key.name", .type = KeyType::String,
               .default_value = ConfigValue{std::string("com.github.jcustenborder.kafka.connect.model.Key")},
               .doc = "The name of a generated key schema."});
  spec.define({.name = "schema.generation.value.name", .type = KeyType::String,
               .default_value = ConfigValue{std::string("com.github.jcustenborder.kafka.connect.model.Value")},
               .doc = "The name of a generated value schema."});
  spec.define({.name = "parser.timestamp.timezone", .type = KeyType::String, .default_value = ConfigValue{std::string("UTC")},
               .doc = "The time zone of dates without one: UTC (or GMT, Z) or a fixed offset such as +02:00. Region "
                      "names (Europe/Paris) are not supported by connectrun."});
  spec.define({.name = "parser.timestamp.date.formats", .type = KeyType::List,
               .default_value = ConfigValue{std::vector<std::string>{"yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd' 'HH:mm:ss"}},
               .doc = "SimpleDateFormat patterns tried in order for Date, Time and Timestamp fields (letters y M d H h "
                      "m s S a Z X z); text after the pattern is ignored, as SimpleDateFormat.parse does."});
  spec.define({.name = "timestamp.field", .type = KeyType::String, .default_value = ConfigValue{std::string()},
               .doc = "With timestamp.mode FIELD: the value field (a required Timestamp) that gives the record's timestamp."});
}

void define_charset_key(config::ConfigSpec& spec, const std::string& name) {
  spec.define({.name = name, .type = KeyType::String, .default_value = ConfigValue{std::string("UTF-8")},
               .doc = "Character set of the files. connectrun reads UTF-8 (and its ASCII subset) only."});
}

void check_charset(const config::ConfigValues& cfg, const std::string& name) {
  const std::string cs = upper(cfg.get_string(name));
  if (cs != "UTF-8" && cs != "UTF8" && cs != "US-ASCII" && cs != "ASCII")
    throw ConfigError(name, fmt::format("{}={} is not supported by connectrun: files are read as UTF-8 (convert them "
                                        "with iconv first)", name, cfg.get_string(name)));
}

SpoolConfig parse_common(const config::ConfigValues& cfg) {
  SpoolConfig c;
  c.topic = cfg.get_string("topic");
  if (auto p = topic_name_problem(c.topic)) throw ConfigError("topic", *p);
  const std::string policy = upper(cfg.get_string("cleanup.policy"));
  c.cleanup = policy == "NONE" ? CleanupPolicy::None : policy == "DELETE" ? CleanupPolicy::Delete
              : policy == "MOVE" ? CleanupPolicy::Move : CleanupPolicy::MoveByDate;
  c.input_path = writable_directory(cfg, "input.path");
  c.error_path = writable_directory(cfg, "error.path");
  if (c.cleanup == CleanupPolicy::Move || c.cleanup == CleanupPolicy::MoveByDate) {
    if (cfg.get_string("finished.path").empty())
      throw ConfigError("finished.path", fmt::format("finished.path is required with cleanup.policy={}", policy));
    c.finished_path = writable_directory(cfg, "finished.path");
  }
  c.pattern.emplace(cfg.get_string("input.file.pattern"), "input.file.pattern");
  c.halt_on_error = cfg.get_bool("halt.on.error");
  c.keep_relative_path = cfg.get_bool("cleanup.policy.maintain.relative.path");
  c.min_age_ms = cfg.get_long("file.minimum.age.ms");
  c.processing_extension = cfg.get_string("processing.file.extension");
  // ValidPattern("^.*\\..+$") upstream: a dot and something after it.
  const auto dot = c.processing_extension.rfind('.');
  if (dot == std::string::npos || dot + 1 == c.processing_extension.size() ||
      c.processing_extension.find('/') != std::string::npos)
    throw ConfigError("processing.file.extension", "processing.file.extension must contain a dot followed by text (such as .PROCESSING) and no '/'");
  c.batch_size = static_cast<size_t>(cfg.get_int("batch.size"));
  c.empty_poll_wait_ms = cfg.get_long("empty.poll.wait.ms");
  for (const auto& a : cfg.get_list("files.sort.attributes"))
    c.sort.push_back(a == "NameAsc" ? SortAttribute::NameAsc : a == "NameDesc" ? SortAttribute::NameDesc
                     : a == "LengthAsc" ? SortAttribute::LengthAsc : a == "LengthDesc" ? SortAttribute::LengthDesc
                     : a == "LastModifiedAsc" ? SortAttribute::LastModifiedAsc : SortAttribute::LastModifiedDesc);
  c.walk_recursively = cfg.get_bool("input.path.walk.recursively");
  const std::string mode = upper(cfg.get_string("timestamp.mode"));
  c.timestamp_mode = mode == "FIELD" ? TimestampMode::Field : mode == "FILE_TIME" ? TimestampMode::FileTime : TimestampMode::ProcessTime;
  c.task_index = cfg.get_int("task.index");
  c.task_count = cfg.get_int("task.count");
  if (c.task_index >= c.task_count)
    throw ConfigError("task.index", fmt::format("task.index {} must be below task.count {}", c.task_index, c.task_count));
  c.buffer_size = static_cast<size_t>(cfg.get_int("file.buffer.size.bytes"));
  return c;
}

ValueParser SchemaConfig::parser() const {
  std::vector<DateFormat> formats;
  for (const auto& f : date_formats) formats.emplace_back(f);
  return ValueParser(std::move(formats), zone_ms);
}

SchemaConfig parse_schema_config(const config::ConfigValues& cfg, const SpoolConfig& common, bool text_only) {
  SchemaConfig s;
  s.generate = cfg.get_bool("schema.generation.enabled");
  for (const char* key : {"key.schema", "value.schema"}) {
    const std::string text = cfg.get_string(key);
    if (text.empty()) {
      if (!s.generate)
        throw ConfigError(key, fmt::format("'{}' must be set if 'schema.generation.enabled' = false.", key));
      continue;
    }
    SchemaPtr schema;
    try {
      schema = parse_schema_json(text);
      if (schema->type != Type::Struct) throw std::invalid_argument("the schema must be a STRUCT");
      check_parsable(*schema, text_only);
    } catch (const std::exception& e) {
      throw ConfigError(key, fmt::format("{} is not a usable schema: {}", key, e.what()));
    }
    (std::string(key) == "key.schema" ? s.key_schema : s.value_schema) = schema;
  }
  if (s.key_schema && s.value_schema) {
    for (const Field& f : s.key_schema->fields)
      if (!s.value_schema->field(f.name))
        throw ConfigError("key.schema", fmt::format("key field '{}' is not a field of value.schema: key fields are copied from the value", f.name));
  }
  s.key_fields = cfg.get_list("schema.generation.key.fields");
  s.key_name = cfg.get_string("schema.generation.key.name");
  s.value_name = cfg.get_string("schema.generation.value.name");
  if (s.generate && (s.key_name.empty() || s.value_name.empty()))
    throw ConfigError("schema.generation.key.name", "schema.generation.key.name and schema.generation.value.name must be set if schema.generation.enabled = true");
  const std::string zone = cfg.get_string("parser.timestamp.timezone");
  const std::string uz = upper(zone);
  if (uz == "UTC" || uz == "GMT" || uz == "Z" || uz == "ETC/UTC" || uz == "ETC/GMT") {
    s.zone_ms = 0;
  } else {
    // A fixed offset: +HH:MM, -HHMM, GMT+HH:MM, UTC+HH.
    std::string z = uz.rfind("GMT", 0) == 0 || uz.rfind("UTC", 0) == 0 ? uz.substr(3) : uz;
    int hh = 0, mm = 0;
    char sign = 0;
    if (z.size() < 2 || (z[0] != '+' && z[0] != '-') || std::sscanf(z.c_str() + 1, "%2d:%2d", &hh, &mm) < 1 || hh > 18 || mm > 59)
      throw ConfigError("parser.timestamp.timezone",
                        fmt::format("parser.timestamp.timezone={} is not supported by connectrun: use UTC or a fixed "
                                    "offset such as +02:00 (region names need the time zone database)", zone));
    sign = z[0];
    s.zone_ms = (sign == '-' ? -1 : 1) * (hh * 3600'000LL + mm * 60'000LL);
  }
  s.date_formats = cfg.get_list("parser.timestamp.date.formats");
  for (const auto& f : s.date_formats) {
    try {
      DateFormat check(f);
    } catch (const std::exception& e) {
      throw ConfigError("parser.timestamp.date.formats", e.what());
    }
  }
  if (common.timestamp_mode == TimestampMode::Field) {
    s.timestamp_field = cfg.get_string("timestamp.field");
    if (s.timestamp_field.empty())
      throw ConfigError("timestamp.field", "When `timestamp.mode` is set to `FIELD`, `timestamp.field` must be set to a timestamp field. Cannot be null or empty.");
    const Field* f = s.value_schema ? s.value_schema->field(s.timestamp_field) : nullptr;
    if (!f || f->schema->optional || !schemas::is_logical(*f->schema, schemas::kTimestampName))
      throw ConfigError("timestamp.field", fmt::format(
          "Field '{}' must be present in value.schema and set to a timestamp and cannot be optional. Example "
          "{{\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"type\":\"INT64\",\"version\":1,\"isOptional\":false}}",
          s.timestamp_field));
  }
  return s;
}

std::vector<config::ConfigValues> spool_task_configs(const config::ConfigValues& cfg, int max_tasks) {
  std::vector<config::ConfigValues> out;
  const int n = std::max(1, max_tasks);
  for (int i = 0; i < n; ++i) {
    config::ConfigValues c = cfg;
    c.set("task.index", ConfigValue{int64_t{i}});
    c.set("task.count", ConfigValue{int64_t{n}});
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace connectrun::spooldir
