// The keys every SpoolDir* source shares, with kafka-connect-spooldir's names
// and defaults (AbstractSourceConnectorConfig, AbstractSpoolDirSourceConnectorConfig),
// parsed once into plain structs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/spec.h"
#include "connectors/spooldir/value_parser.h"
#include "data/value.h"
#include "transforms/regex.h"

namespace connectrun::spooldir {

enum class CleanupPolicy { None, Delete, Move, MoveByDate };
enum class TimestampMode { ProcessTime, FileTime, Field };
enum class SortAttribute { NameAsc, NameDesc, LengthAsc, LengthDesc, LastModifiedAsc, LastModifiedDesc };

struct SpoolConfig {
  std::string topic;
  std::string input_path, finished_path, error_path;  // absolute
  std::optional<transforms::JavaRegex> pattern;
  bool halt_on_error = true;
  CleanupPolicy cleanup = CleanupPolicy::Move;
  bool keep_relative_path = false;  // cleanup.policy.maintain.relative.path
  int64_t min_age_ms = 0;
  std::string processing_extension = ".PROCESSING";
  size_t batch_size = 1000;
  int64_t empty_poll_wait_ms = 500;
  std::vector<SortAttribute> sort;
  bool walk_recursively = false;
  TimestampMode timestamp_mode = TimestampMode::ProcessTime;
  int task_index = 0, task_count = 1;
  size_t buffer_size = 128 * 1024;
};

// Schema keys (the structured readers: CSV, JSON).
struct SchemaConfig {
  SchemaPtr key_schema, value_schema;  // null until generated when schema.generation.enabled
  bool generate = false;
  std::vector<std::string> key_fields;
  std::string key_name, value_name;
  std::string timestamp_field;
  std::vector<std::string> date_formats;
  int64_t zone_ms = 0;
  ValueParser parser() const;
};

// AbstractSourceConnectorConfig's keys (every SpoolDir* source).
void define_common_keys(config::ConfigSpec& spec);
// AbstractSpoolDirSourceConnectorConfig's keys (CSV and JSON).
void define_schema_keys(config::ConfigSpec& spec);
// file.charset / csv.file.charset: UTF-8 only.
void define_charset_key(config::ConfigSpec& spec, const std::string& name);

// Throws config::ConfigError naming the key. `check_dirs`: the directories
// must exist and be writable (kafka-connect-spooldir's ValidDirectoryWritable).
SpoolConfig parse_common(const config::ConfigValues& cfg);
SchemaConfig parse_schema_config(const config::ConfigValues& cfg, const SpoolConfig& common, bool text_only);
void check_charset(const config::ConfigValues& cfg, const std::string& name);

// Kafka's Connector.taskConfigs for tasks.max > 1: task.index / task.count,
// each task taking the files whose name hashes to it (task.partitioner ByName).
std::vector<config::ConfigValues> spool_task_configs(const config::ConfigValues& cfg, int max_tasks);

}  // namespace connectrun::spooldir
