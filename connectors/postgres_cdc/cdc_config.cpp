#include "connectors/postgres_cdc/cdc_config.h"

#include <fmt/format.h>

#include "plugin/topic_name.h"

namespace connectrun::postgres_cdc {

namespace {

using config::ConfigValue;
using config::KeyDef;
using config::KeyType;
namespace v = config::validators;

// Debezium keys connectrun does not implement: declared so that a Java
// .properties file is understood, refused when set to anything but
// Debezium's default (which changes nothing).
struct Unsupported {
  const char* name;
  const char* debezium_default;  // nullptr: refused whenever set
  const char* why;
};
constexpr Unsupported kUnsupported[] = {
    {"message.key.columns", nullptr, "keys are the primary key columns"},
    {"snapshot.select.statement.overrides", nullptr, "snapshots read whole tables"},
    {"snapshot.include.collection.list", nullptr, "snapshots read every included table"},
    {"signal.data.collection", nullptr, "no signalling (incremental snapshots)"},
    {"signal.enabled.channels", nullptr, "no signalling (incremental snapshots)"},
    {"incremental.snapshot.chunk.size", nullptr, "no incremental snapshots"},
    {"include.unknown.datatypes", "false", "types without a mapping are carried as strings"},
    {"slot.stream.params", nullptr, "pgoutput's parameters are fixed"},
    {"converters", nullptr, "no custom converters"},
    {"publish.via.partition.root", "false", "partitions are read as their own tables"},
    {"event.processing.failure.handling.mode", "fail", "a change that cannot be read fails the task"},
    {"schema.refresh.mode", "columns_diff", "the schema follows pgoutput's Relation messages"},
    {"xmin.fetch.interval.ms", "0", "source.xmin is not filled"},
    {"database.initial.statements", nullptr, "no initial statements"},
    {"snapshot.isolation.mode", nullptr, "the snapshot is the slot's exported snapshot"},
    {"snapshot.locking.mode", nullptr, "the snapshot takes no table locks"},
    {"money.fraction.digits", "2", "money is read in the C locale, with its 2 fraction digits"},
    {"heartbeat.action.query", nullptr, "no heartbeat records"},
    {"column.mask.hash.v2.hashAlgorithm", nullptr, "no column masking"},
    {"column.propagate.source.type", nullptr, "no source type parameters"},
    {"datatype.propagate.source.type", nullptr, "no source type parameters"},
    {"flush.lsn.source", "true", "the slot's flush position always follows delivery"},
    {"include.schema.comments", "false", "no column comments in schemas"},
    {"slot.max.retries", nullptr, "reconnection follows errors.retry.timeout"},
    {"slot.retry.delay.ms", nullptr, "reconnection follows errors.retry.delay.max.ms"},
    {"field.name.adjustment.mode", "none", "field names are kept"},
    {"schema.name.adjustment.mode", "none", "schema names are kept"},
    {"custom.metric.tags", nullptr, "no JMX metrics"},
    {"lsn.flush.timeout.ms", nullptr, "the flush position is sent with status updates"},
};

std::vector<std::string> split_regex_list(const std::string& text) {
  // Debezium splits these lists on commas (a comma cannot be escaped).
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

std::vector<std::string> regex_list(const config::ConfigValues& c, const std::string& key) {
  std::vector<std::string> items;
  for (auto& part : c.get_list(key))
    for (auto& item : split_regex_list(part)) items.push_back(item);
  for (auto& item : items) {
    try {
      std::regex re(item);
    } catch (const std::regex_error& e) {
      throw config::ConfigError(key, fmt::format("{}: '{}' is not a regular expression: {}", key, item, e.what()));
    }
  }
  return items;
}

}  // namespace

NameFilter::NameFilter(const std::vector<std::string>& include, const std::vector<std::string>& exclude) {
  for (auto& s : include) include_.emplace_back(s, std::regex::ECMAScript | std::regex::icase);
  for (auto& s : exclude) exclude_.emplace_back(s, std::regex::ECMAScript | std::regex::icase);
}

bool NameFilter::accepts(const std::string& name) const {
  if (!include_.empty()) {
    for (auto& re : include_)
      if (std::regex_match(name, re)) return true;
    return false;
  }
  for (auto& re : exclude_)
    if (std::regex_match(name, re)) return false;
  return true;
}

void define_keys(config::ConfigSpec& spec) {
  auto str = [](std::string s) { return ConfigValue{std::move(s)}; };
  spec.define({.name = "database.hostname", .type = KeyType::String, .default_value = std::nullopt,
               .doc = "PostgreSQL server host name or address."});
  spec.define({.name = "database.port", .type = KeyType::Int, .default_value = ConfigValue{int64_t{5432}},
               .doc = "PostgreSQL server port.", .validator = v::between(1, 65535)});
  spec.define({.name = "database.user", .type = KeyType::String, .default_value = std::nullopt,
               .doc = "User to connect as: needs the REPLICATION attribute (or superuser), SELECT on the captured "
                      "tables, and CREATE on the database when the publication is created by the connector."});
  spec.define({.name = "database.password", .type = KeyType::Password, .default_value = ConfigValue{},
               .doc = "Password of database.user."});
  spec.define({.name = "database.dbname", .type = KeyType::String, .default_value = std::nullopt,
               .doc = "Database to capture changes from."});
  spec.define({.name = "database.sslmode", .type = KeyType::String, .default_value = str("prefer"),
               .doc = "libpq's sslmode for both connections.",
               .validator = v::one_of({"disable", "allow", "prefer", "require", "verify-ca", "verify-full"})});
  spec.define({.name = "database.connect.timeout.ms", .type = KeyType::Long,
               .default_value = ConfigValue{int64_t{30000}}, .doc = "Time to wait for a connection.",
               .validator = v::at_least(1000)});
  spec.define({.name = "topic.prefix", .type = KeyType::String, .default_value = std::nullopt,
               .doc = "Logical name of the server: the first part of every topic (<prefix>.<schema>.<table>), "
                      "source.name, and the offsets' partition {\"server\": <prefix>}."});
  spec.define({.name = "plugin.name", .type = KeyType::String, .default_value = str("pgoutput"),
               .doc = "Logical decoding plugin. Only pgoutput (built into PostgreSQL 10+) is supported; "
                      "Debezium's default is decoderbufs.",
               .validator = v::one_of({"pgoutput", "decoderbufs", "wal2json", "wal2json_streaming",
                                       "wal2json_rds", "wal2json_rds_streaming"})});
  spec.define({.name = "slot.name", .type = KeyType::String, .default_value = str("debezium"),
               .doc = "Logical replication slot, created when missing."});
  spec.define({.name = "slot.drop.on.stop", .type = KeyType::Boolean, .default_value = ConfigValue{false},
               .doc = "Drop the slot when the task stops (for tests: changes made while stopped are lost)."});
  spec.define({.name = "publication.name", .type = KeyType::String, .default_value = str("dbz_publication"),
               .doc = "Publication the slot streams."});
  spec.define({.name = "publication.autocreate.mode", .type = KeyType::String, .default_value = str("all_tables"),
               .doc = "all_tables: create the publication FOR ALL TABLES when missing; filtered: create or set it to "
                      "the included tables; no_tables: create it with no table; disabled: it must exist.",
               .validator = v::one_of({"all_tables", "filtered", "disabled", "no_tables"})});
  for (auto [key, doc] : {std::pair{"schema.include.list", "Regular expressions (comma-separated) of schemas to capture."},
                          std::pair{"schema.exclude.list", "Regular expressions of schemas not to capture."},
                          std::pair{"table.include.list", "Regular expressions of tables (schema.table) to capture."},
                          std::pair{"table.exclude.list", "Regular expressions of tables (schema.table) not to capture."},
                          std::pair{"column.include.list", "Regular expressions of columns (schema.table.column) to emit."},
                          std::pair{"column.exclude.list", "Regular expressions of columns (schema.table.column) to leave out."}}) {
    spec.define({.name = key, .type = KeyType::List, .default_value = ConfigValue{}, .doc = doc});
  }
  spec.define({.name = "snapshot.mode", .type = KeyType::String, .default_value = str("initial"),
               .doc = "initial: snapshot when no offset is stored, then stream; always: snapshot at every start; "
                      "initial_only: snapshot and stop; no_data (or never): stream only; when_needed: snapshot "
                      "when no offset is stored or the slot is gone.",
               .validator = v::one_of({"initial", "always", "initial_only", "no_data", "never", "when_needed",
                                       "configuration_based", "custom", "recovery"})});
  spec.define({.name = "snapshot.fetch.size", .type = KeyType::Int, .default_value = ConfigValue{int64_t{10240}},
               .doc = "Rows read per round trip while snapshotting.", .validator = v::at_least(1)});
  spec.define({.name = "tombstones.on.delete", .type = KeyType::Boolean, .default_value = ConfigValue{true},
               .doc = "After a delete event, emit a tombstone (same key, null value) for log compaction."});
  spec.define({.name = "skipped.operations", .type = KeyType::List, .default_value = ConfigValue{std::vector<std::string>{"t"}},
               .doc = "Operations not emitted: c, u, d, t, or none.",
               .validator = v::list_of({"c", "u", "d", "t", "none"})});
  spec.define({.name = "decimal.handling.mode", .type = KeyType::String, .default_value = str("precise"),
               .doc = "numeric columns: precise (Decimal, or io.debezium.data.VariableScaleDecimal without a fixed "
                      "scale), double, or string.",
               .validator = v::one_of({"precise", "double", "string"})});
  spec.define({.name = "time.precision.mode", .type = KeyType::String, .default_value = str("adaptive"),
               .doc = "adaptive (io.debezium.time.* by column precision), adaptive_time_microseconds, or connect "
                      "(Kafka Connect's Date/Time/Timestamp, milliseconds).",
               .validator = v::one_of({"adaptive", "adaptive_time_microseconds", "connect", "isostring", "microseconds", "nanoseconds"})});
  spec.define({.name = "binary.handling.mode", .type = KeyType::String, .default_value = str("bytes"),
               .doc = "bytea columns: bytes, base64 or hex (strings).",
               .validator = v::one_of({"bytes", "base64", "hex", "base64-url-safe"})});
  spec.define({.name = "hstore.handling.mode", .type = KeyType::String, .default_value = str("json"),
               .doc = "hstore columns: json (string io.debezium.data.Json) or map (map of string to optional string).",
               .validator = v::one_of({"json", "map"})});
  spec.define({.name = "interval.handling.mode", .type = KeyType::String, .default_value = str("numeric"),
               .doc = "interval columns: numeric (int64 io.debezium.time.MicroDuration, a month as 30.4375 days) or "
                      "string (io.debezium.time.Interval, ISO 8601).",
               .validator = v::one_of({"numeric", "string"})});
  spec.define({.name = "unavailable.value.placeholder", .type = KeyType::String,
               .default_value = str("__debezium_unavailable_value"),
               .doc = "Value put for an unchanged TOASTed column the change does not carry (strings; bytes hold "
                      "its UTF-8)."});
  spec.define({.name = "status.update.interval.ms", .type = KeyType::Int, .default_value = ConfigValue{int64_t{10000}},
               .doc = "Interval of the standby status updates sent to the server (flush position of delivered "
                      "changes).",
               .validator = v::at_least(1)});
  spec.define({.name = "heartbeat.interval.ms", .type = KeyType::Long, .default_value = ConfigValue{int64_t{0}},
               .doc = "Interval of the heartbeat records sent to <topic.heartbeat.prefix>.<topic.prefix> while "
                      "streaming (key {serverName}, value {ts_ms}, as Debezium's), carrying the connector's offset; "
                      "0: none.",
               .validator = v::at_least(0)});
  spec.define({.name = "topic.heartbeat.prefix", .type = KeyType::String,
               .default_value = ConfigValue{std::string("__debezium-heartbeat")},
               .doc = "Prefix of the heartbeat topic: <topic.heartbeat.prefix>.<topic.prefix>."});
  spec.define({.name = "provide.transaction.metadata", .type = KeyType::Boolean, .default_value = ConfigValue{false},
               .doc = "BEGIN and END records per streamed transaction on <topic.prefix>.<topic.transaction>, and a "
                      "`transaction` block (id, total_order, data_collection_order) in each change event, as "
                      "Debezium's."});
  spec.define({.name = "topic.transaction", .type = KeyType::String,
               .default_value = ConfigValue{std::string("transaction")},
               .doc = "Suffix of the transaction metadata topic: <topic.prefix>.<topic.transaction>."});
  spec.define({.name = "max.batch.size", .type = KeyType::Int, .default_value = ConfigValue{int64_t{2048}},
               .doc = "Most records returned by one poll.", .validator = v::at_least(1)});
  spec.define({.name = "poll.interval.ms", .type = KeyType::Long, .default_value = ConfigValue{int64_t{500}},
               .doc = "Longest wait for changes in one poll.", .validator = v::at_least(1)});
  for (auto& u : kUnsupported) {
    spec.define({.name = u.name, .type = KeyType::String, .default_value = ConfigValue{},
                 .doc = fmt::format("Not supported by connectrun ({}){}.", u.why,
                                    u.debezium_default ? fmt::format("; only Debezium's default {} is accepted",
                                                                     u.debezium_default)
                                                       : std::string())});
  }
}

CdcConfig parse_config(const config::ConfigValues& c) {
  for (auto& u : kUnsupported) {
    if (c.is_null(u.name)) continue;
    if (u.debezium_default && c.get_string(u.name) == u.debezium_default) continue;
    throw config::ConfigError(u.name, fmt::format("{} is not supported by connectrun: {}", u.name, u.why));
  }
  CdcConfig cfg;
  cfg.conn.host = c.get_string("database.hostname");
  cfg.conn.port = c.get_int("database.port");
  cfg.conn.user = c.get_string("database.user");
  cfg.conn.password = c.get_string("database.password");
  cfg.conn.dbname = c.get_string("database.dbname");
  cfg.conn.sslmode = c.get_string("database.sslmode");
  cfg.conn.connect_timeout_s = static_cast<int>((c.get_long("database.connect.timeout.ms") + 999) / 1000);
  cfg.topic_prefix = c.get_string("topic.prefix");
  if (auto problem = topic_name_problem(cfg.topic_prefix + ".x"))
    throw config::ConfigError("topic.prefix", fmt::format("topic.prefix '{}' cannot begin a topic name: {}",
                                                          cfg.topic_prefix, *problem));
  const std::string plugin = c.get_string("plugin.name");
  if (plugin != "pgoutput")
    throw config::ConfigError("plugin.name", fmt::format("plugin.name={} is not supported by connectrun: pgoutput, "
                                                         "built into PostgreSQL 10 and later, is the one supported "
                                                         "(set plugin.name=pgoutput)", plugin));
  cfg.slot_name = c.get_string("slot.name");
  cfg.slot_drop_on_stop = c.get_bool("slot.drop.on.stop");
  cfg.publication_name = c.get_string("publication.name");
  const std::string pm = c.get_string("publication.autocreate.mode");
  cfg.publication_mode = pm == "filtered"   ? PublicationMode::Filtered
                         : pm == "disabled" ? PublicationMode::Disabled
                         : pm == "no_tables" ? PublicationMode::NoTables
                                             : PublicationMode::AllTables;
  auto exclusive = [&](const char* inc, const char* exc) {
    auto i = regex_list(c, inc), e = regex_list(c, exc);
    if (!i.empty() && !e.empty())
      throw config::ConfigError(exc, fmt::format("{} and {} cannot both be set (as in Debezium)", inc, exc));
    return NameFilter(i, e);
  };
  cfg.schemas = exclusive("schema.include.list", "schema.exclude.list");
  cfg.tables = exclusive("table.include.list", "table.exclude.list");
  cfg.columns = exclusive("column.include.list", "column.exclude.list");
  const std::string sm = c.get_string("snapshot.mode");
  if (sm == "configuration_based" || sm == "custom" || sm == "recovery")
    throw config::ConfigError("snapshot.mode", fmt::format("snapshot.mode={} is not supported by connectrun: use "
                                                           "initial, always, initial_only, no_data or when_needed", sm));
  cfg.snapshot = sm == "always"         ? SnapshotMode::Always
                 : sm == "initial_only" ? SnapshotMode::InitialOnly
                 : (sm == "no_data" || sm == "never") ? SnapshotMode::NoData
                 : sm == "when_needed" ? SnapshotMode::WhenNeeded
                                       : SnapshotMode::Initial;
  cfg.tombstones_on_delete = c.get_bool("tombstones.on.delete");
  cfg.skipped_ops.clear();
  for (auto& op : c.get_list("skipped.operations"))
    if (op != "none") cfg.skipped_ops.insert(op[0]);
  const std::string dm = c.get_string("decimal.handling.mode");
  cfg.types.decimal = dm == "double" ? DecimalMode::Double : dm == "string" ? DecimalMode::String : DecimalMode::Precise;
  const std::string tm = c.get_string("time.precision.mode");
  if (tm != "adaptive" && tm != "adaptive_time_microseconds" && tm != "connect")
    throw config::ConfigError("time.precision.mode", fmt::format("time.precision.mode={} is not supported by "
                                                                 "connectrun: use adaptive, adaptive_time_microseconds "
                                                                 "or connect", tm));
  cfg.types.time = tm == "connect" ? TimePrecisionMode::Connect
                   : tm == "adaptive_time_microseconds" ? TimePrecisionMode::AdaptiveTimeMicroseconds
                                                        : TimePrecisionMode::Adaptive;
  const std::string bm = c.get_string("binary.handling.mode");
  if (bm == "base64-url-safe")
    throw config::ConfigError("binary.handling.mode", "binary.handling.mode=base64-url-safe is not supported by "
                                                      "connectrun: use bytes, base64 or hex");
  cfg.types.binary = bm == "base64" ? BinaryMode::Base64 : bm == "hex" ? BinaryMode::Hex : BinaryMode::Bytes;
  cfg.types.interval = c.get_string("interval.handling.mode") == "string" ? IntervalMode::String : IntervalMode::Numeric;
  cfg.types.hstore = c.get_string("hstore.handling.mode") == "map" ? HstoreMode::Map : HstoreMode::Json;
  cfg.unavailable_placeholder = c.get_string("unavailable.value.placeholder");
  cfg.status_update_interval_ms = c.get_long("status.update.interval.ms");
  cfg.max_batch_size = static_cast<size_t>(c.get_long("max.batch.size"));
  cfg.poll_interval_ms = c.get_long("poll.interval.ms");
  cfg.heartbeat_interval_ms = c.get_long("heartbeat.interval.ms");
  if (c.get_bool("provide.transaction.metadata"))
    cfg.transaction_topic = cfg.topic_prefix + "." + c.get_string("topic.transaction");
  cfg.heartbeat_topic = c.get_string("topic.heartbeat.prefix") + "." + cfg.topic_prefix;
  cfg.snapshot_fetch_size = c.get_int("snapshot.fetch.size");
  return cfg;
}

}  // namespace connectrun::postgres_cdc
