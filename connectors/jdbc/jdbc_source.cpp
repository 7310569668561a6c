#include "connectors/jdbc/jdbc_source.h"

#include <chrono>
#include <regex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/jdbc/jdbc_common.h"
#include "connectors/jdbc/source_query.h"
#include "connectors/jdbc/source_schema.h"
#include "json/json_writer.h"
#include "plugin/topic_name.h"

namespace connectrun::jdbc {

namespace {

using config::KeyType;
using Clock = std::chrono::steady_clock;

const std::vector<UnsupportedKey>& unsupported_keys() {
  static const std::vector<UnsupportedKey> keys = {
      {"catalog.pattern", KeyType::String, config::ConfigValue{}, "tables are taken from the database of connection.url"},
      {"numeric.precision.mapping", KeyType::Boolean, config::ConfigValue{false}, "deprecated; use numeric.mapping"},
      {"query.retry.attempts", KeyType::Int, config::ConfigValue{int64_t{-1}}, "a failed query fails the task; errors.retry.timeout retries it"},
      {"timestamp.granularity", KeyType::String, config::ConfigValue{std::string("connect_logical")}, "timestamps are always Connect's Timestamp logical type"},
      {"transaction.isolation.mode", KeyType::String, config::ConfigValue{std::string("DEFAULT")}, "queries run at the database's default isolation"},
      {"table.monitoring.startup.polling.limit.ms", KeyType::Long, config::ConfigValue{int64_t{10000}}, "tables are listed once at start and then every table.poll.interval.ms"},
      {"timestamp.column.mapping", KeyType::List, config::ConfigValue{std::vector<std::string>{}}, "per-table timestamp columns are not implemented"},
      {"incrementing.column.mapping", KeyType::List, config::ConfigValue{std::vector<std::string>{}}, "per-table incrementing columns are not implemented"},
  };
  return keys;
}

std::regex full_regex(const std::string& pattern, const std::string& key) {
  try {
    return std::regex(pattern);
  } catch (const std::regex_error& e) {
    throw config::ConfigError(key, fmt::format("{}: '{}' is not a valid regular expression: {}", key, pattern, e.what()));
  }
}

struct Settings {
  ConnectionConfig conn;
  Mode mode = Mode::Bulk;
  std::string incrementing, query, query_suffix, topic_prefix, schema_pattern;
  std::vector<std::string> timestamps, table_types, whitelist, blacklist, include, exclude;
  std::optional<int64_t> timestamp_initial;
  bool validate_non_null = true;
  int64_t poll_interval_ms = 5000, table_poll_interval_ms = 60000, delay_ms = 0;
  int batch_max_rows = 1000;
  NumericMapping numeric = NumericMapping::None;
  int task_count = 1;
};

// One table (or the query) and where the task is in it.
struct Table {
  TableId id;
  std::string topic;
  std::shared_ptr<const Value> partition;
  SourceOffset offset;
  Clock::time_point next_poll{};
  std::unique_ptr<ResultSet> rs;  // open while a query's rows are being read
  SchemaPtr schema;
  std::vector<int> keep;  // result columns that become fields
  std::string inc_name;  // incrementing.column.name, or the table's auto-increment column when that is empty
  int inc_col = -1;
  std::vector<int> ts_cols;
  bool got_rows = false;   // the open (or last) query returned rows
  bool queried = false;    // queried at least once
  bool warned = false;
};

class JdbcSourceTask : public SourceTask {
 public:
  void configure(const config::ConfigValues& cfg) override {
    refuse_unsupported(cfg, unsupported_keys());
    s_.conn = read_connection_config(cfg);
    auto mode = cfg.get_string("mode");
    if (mode.empty())
      throw config::ConfigError("mode", "mode is required: bulk, incrementing, timestamp or timestamp+incrementing");
    s_.mode = mode == "bulk" ? Mode::Bulk : mode == "incrementing" ? Mode::Incrementing
              : mode == "timestamp" ? Mode::Timestamp : Mode::TimestampIncrementing;
    s_.incrementing = cfg.get_string("incrementing.column.name");
    s_.timestamps = cfg.get_list("timestamp.column.name");
    bool wants_inc = s_.mode == Mode::Incrementing || s_.mode == Mode::TimestampIncrementing;
    bool wants_ts = s_.mode == Mode::Timestamp || s_.mode == Mode::TimestampIncrementing;
    if (wants_ts && s_.timestamps.empty())
      throw config::ConfigError("timestamp.column.name", "mode " + mode + " needs timestamp.column.name");
    s_.query = cfg.get_string("query");
    // As kafka-connect-jdbc: an empty incrementing.column.name means each table's first auto-increment column.
    if (wants_inc && s_.incrementing.empty() && !s_.query.empty())
      throw config::ConfigError("incrementing.column.name", "mode " + mode + " with a query needs "
                                "incrementing.column.name (the auto-increment column is found only for tables)");
    s_.query_suffix = cfg.get_string("query.suffix");
    s_.topic_prefix = cfg.get_string("topic.prefix");
    s_.schema_pattern = cfg.get_string("schema.pattern");
    s_.table_types = cfg.get_list("table.types");
    s_.whitelist = cfg.get_list("table.whitelist");
    s_.blacklist = cfg.get_list("table.blacklist");
    s_.include = cfg.get_list("table.include.list");
    s_.exclude = cfg.get_list("table.exclude.list");
    if (!s_.whitelist.empty() && !s_.blacklist.empty())
      throw config::ConfigError("table.blacklist", "table.whitelist and table.blacklist cannot both be set");
    if ((!s_.whitelist.empty() || !s_.blacklist.empty()) && (!s_.include.empty() || !s_.exclude.empty()))
      throw config::ConfigError("table.include.list", "the legacy table.whitelist/table.blacklist and the newer "
                                "table.include.list/table.exclude.list cannot be mixed");
    if (!s_.query.empty() && (!s_.whitelist.empty() || !s_.blacklist.empty() || !s_.include.empty() || !s_.exclude.empty()))
      throw config::ConfigError("query", "query cannot be combined with table lists: use one or the other");
    for (auto& r : s_.include) full_regex(r, "table.include.list");
    for (auto& r : s_.exclude) full_regex(r, "table.exclude.list");
    if (!cfg.is_null("timestamp.initial")) s_.timestamp_initial = cfg.get_long("timestamp.initial");
    s_.validate_non_null = cfg.get_bool("validate.non.null");
    s_.poll_interval_ms = cfg.get_long("poll.interval.ms");
    s_.table_poll_interval_ms = cfg.get_long("table.poll.interval.ms");
    s_.delay_ms = cfg.get_long("timestamp.delay.interval.ms");
    s_.batch_max_rows = cfg.get_int("batch.max.rows");
    auto nm = cfg.get_string("numeric.mapping");
    s_.numeric = nm == "best_fit" ? NumericMapping::BestFit : nm == "best_fit_eager_double" ? NumericMapping::BestFitEagerDouble
                 : nm == "precision_only" ? NumericMapping::PrecisionOnly : NumericMapping::None;
    if (!s_.query.empty() && s_.topic_prefix.empty())
      throw config::ConfigError("topic.prefix", "query mode needs topic.prefix: it is the topic's whole name");
    if (!s_.query.empty())
      if (auto problem = topic_name_problem(s_.topic_prefix))
        throw config::ConfigError("topic.prefix", "topic.prefix '" + s_.topic_prefix + "': " + *problem);
    if (cfg.has("__jdbc.task.count")) s_.task_count = static_cast<int>(cfg.get_long("__jdbc.task.count"));
  }

  std::optional<std::string> check_offset(const Value& partition, const Value& offset) const override {
    return offset_problem(s_.mode, !s_.query.empty(), partition, offset);
  }

  void start(SourceTaskContext& ctx) override {
    ctx_ = &ctx;
    conn_ = open_connection(s_.conn, ctx);
    if (!s_.query.empty()) {
      Table t;
      t.topic = s_.topic_prefix;
      t.partition = std::make_shared<const Value>(MapEntries{{Value("query"), Value("query")}});
      t.inc_name = s_.incrementing;
      init_offset(t);
      tables_.push_back(std::move(t));
      next_table_scan_ = Clock::time_point::max();
    }
  }

  PollStatus poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) override {
    if (s_.query.empty() && Clock::now() >= next_table_scan_) scan_tables();
    if (tables_.empty()) {
      if (ctx_->stop_at_end_of_data) return PollStatus::Exhausted;
      wait_until(Clock::now() + max_wait);
      return PollStatus::Ok;
    }
    // The table due first (kafka-connect-jdbc's queue by next update time).
    Table* t = nullptr;
    for (auto& c : tables_)
      if (c.rs) { t = &c; break; }
    if (!t) {
      for (auto& c : tables_)
        if (!t || c.next_poll < t->next_poll) t = &c;
      if (ctx_->stop_at_end_of_data) {
        if (end_of_data()) return PollStatus::Exhausted;
      } else if (t->next_poll > Clock::now()) {
        wait_until(std::min(t->next_poll, Clock::now() + max_wait));
        return PollStatus::Ok;
      }
      start_query(*t);
    }
    read_rows(*t, out);
    return PollStatus::Ok;
  }

  void stop() override {
    for (auto& t : tables_) t.rs.reset();
    conn_.reset();
  }

 private:
  template <class F>
  auto with_connection(F&& f) {
    try {
      return f();
    } catch (const ConnectError& e) {
      // A lost connection is opened again on the next try (errors.retry.timeout).
      if (conn_ && !conn_->alive()) {
        conn_.reset();
        throw ConnectError(e.what(), true);
      }
      throw;
    }
  }

  // --once: every table's last query returned nothing (bulk: every table was read once).
  bool end_of_data() {
    for (auto& t : tables_) {
      if (!t.queried) return false;
      if (s_.mode != Mode::Bulk && t.got_rows) return false;
    }
    return true;
  }

  void wait_until(Clock::time_point until) {
    while (Clock::now() < until && !ctx_->stop_requested())
      std::this_thread::sleep_for(std::min<Clock::duration>(until - Clock::now(), std::chrono::milliseconds(100)));
  }

  bool listed(const TableId& id) const {
    auto fqn = id.qualified();
    auto in = [&](const std::vector<std::string>& names) {
      for (auto& n : names)
        if (n == id.table || n == fqn) return true;
      return false;
    };
    auto matches = [&](const std::vector<std::string>& patterns) {
      for (auto& p : patterns)
        if (std::regex_match(fqn, std::regex(p))) return true;
      return false;
    };
    if (!s_.whitelist.empty()) return in(s_.whitelist);
    if (!s_.blacklist.empty()) return !in(s_.blacklist);
    if (!s_.include.empty() && !matches(s_.include)) return false;
    if (!s_.exclude.empty() && matches(s_.exclude)) return false;
    return true;
  }

  void scan_tables() {
    next_table_scan_ = Clock::now() + std::chrono::milliseconds(s_.table_poll_interval_ms);
    auto all = ctx_->retry("list the tables", [&] { return with_connection([&] { return conn_->tables(s_.schema_pattern, s_.table_types); }); });
    std::vector<TableId> mine;
    for (auto& id : all)
      // The default positions table of an exactly.once JdbcSink is connectrun's bookkeeping, not data.
      if (listed(id) && id.table != "connectrun_jdbc_positions") mine.push_back(id);
    // tasks.max: table i goes to task i % tasks.
    std::set<std::string> known;
    for (auto& t : tables_) known.insert(t.id.qualified());
    for (size_t i = 0; i < mine.size(); ++i) {
      if (static_cast<int>(i % static_cast<size_t>(s_.task_count)) != ctx_->task_id) continue;
      if (known.count(mine[i].qualified())) continue;
      Table t;
      t.id = mine[i];
      t.topic = s_.topic_prefix + t.id.table;
      if (auto problem = topic_name_problem(t.topic))
        throw ConnectError(fmt::format("table {}: the topic '{}' is not a valid topic name: {}", t.id.qualified(), t.topic, *problem));
      t.partition = std::make_shared<const Value>(
          MapEntries{{Value("protocol"), Value("1")}, {Value("table"), Value(t.id.qualified())}});
      t.inc_name = s_.incrementing;
      if (t.inc_name.empty() && (s_.mode == Mode::Incrementing || s_.mode == Mode::TimestampIncrementing))
        t.inc_name = auto_increment_column(t);
      if (s_.validate_non_null) check_not_null(t);
      init_offset(t);
      ctx_->log->info("reading table {} into topic {}", t.id.qualified(), t.topic);
      tables_.push_back(std::move(t));
    }
    if (tables_.empty() && (!s_.whitelist.empty() || !s_.include.empty()))
      ctx_->log->warn("no table matches the configured table list (schema.pattern '{}', table.types {})",
                      s_.schema_pattern, fmt::join(s_.table_types, ","));
  }

  // kafka-connect-jdbc's findDefaultAutoIncrementingColumn: the first column IS_AUTOINCREMENT reports.
  std::string auto_increment_column(const Table& t) {
    auto cols = ctx_->retry("describe " + t.id.qualified(), [&] {
      if (!conn_) conn_ = open_connection(s_.conn, *ctx_);
      return with_connection([&] { return conn_->describe(t.id); });
    });
    for (auto& c : cols)
      if (c.auto_increment) {
        ctx_->log->info("{}: incrementing.column.name is empty; using its auto-increment column {}", t.id.qualified(),
                        c.name);
        return c.name;
      }
    throw ConnectError(fmt::format("table {} has no auto-increment column: set incrementing.column.name",
                                   t.id.qualified()));
  }

  void check_not_null(const Table& t) {
    if (s_.mode == Mode::Bulk) return;
    auto cols = conn_->describe(t.id);
    auto check = [&](const std::string& name, const char* what) {
      for (auto& c : cols)
        if (c.name == name) {
          if (c.nullable)
            throw ConnectError(fmt::format("cannot make incremental queries using {} column {} on {} because this "
                                           "column is nullable (declare it NOT NULL, or set validate.non.null=false)",
                                           what, name, t.id.qualified()));
          return;
        }
      throw ConnectError(fmt::format("table {} has no {} column {}", t.id.qualified(), what, name));
    };
    if (s_.mode == Mode::Incrementing || s_.mode == Mode::TimestampIncrementing) check(t.inc_name, "incrementing");
    if (s_.mode == Mode::Timestamp || s_.mode == Mode::TimestampIncrementing)
      for (auto& ts : s_.timestamps) check(ts, "timestamp");
  }

  void init_offset(Table& t) {
    Value stored = ctx_->offset_for ? ctx_->offset_for(*t.partition) : Value();
    if (!stored.is_null() && s_.mode != Mode::Bulk)
      if (auto problem = check_offset(*t.partition, stored))
        throw ConnectError(fmt::format("the stored offset of {} is {}, but {}: the offsets file is damaged. Fix that "
                                       "entry (`connectrun offsets set`), or remove it with `connectrun offsets reset "
                                       "--connector {}` to read from the start",
                                       to_schemaless_json(*t.partition), to_schemaless_json(stored), *problem,
                                       ctx_->connector_name));
    t.offset = SourceOffset::from_map(stored);
    if (!stored.is_null()) return;
    if (s_.timestamp_initial && (s_.mode == Mode::Timestamp || s_.mode == Mode::TimestampIncrementing)) {
      int64_t ms = *s_.timestamp_initial == -1 ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     std::chrono::system_clock::now().time_since_epoch()).count()
                                               : *s_.timestamp_initial;
      t.offset.timestamp_nanos = ms * 1000000;
    }
  }

  void start_query(Table& t) {
    const auto& criteria_dialect = [&]() -> const Dialect& {
      if (!conn_) conn_ = open_connection(s_.conn, *ctx_);
      return conn_->dialect();
    }();
    const Dialect& d = criteria_dialect;
    Criteria c;
    c.mode = s_.mode;
    c.incrementing = d.quote_id(t.inc_name, s_.conn.quote);
    for (auto& ts : s_.timestamps) c.timestamps.push_back(d.quote_id(ts, s_.conn.quote));
    std::string sql = s_.query.empty() ? "SELECT * FROM " + d.table_name(t.id, s_.conn.quote) : s_.query;
    sql += where_clause(c, d);
    if (!s_.query_suffix.empty()) sql += " " + s_.query_suffix;
    int64_t upper = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count() - s_.delay_ms * 1000000;
    auto params = where_params(c, d, t.offset, upper, s_.conn.tz);
    t.rs = ctx_->retry("query " + (s_.query.empty() ? t.id.qualified() : std::string("the query")), [&] {
      if (!conn_) conn_ = open_connection(s_.conn, *ctx_);
      return with_connection([&] {
        conn_->set_fetch_rows(s_.batch_max_rows);
        return conn_->query(sql, params);
      });
    });
    t.queried = true;
    t.got_rows = false;
    build_schema(t);
  }

  void build_schema(Table& t) {
    auto shape = source_schema(t.rs->columns(), s_.query.empty() ? t.id.table : std::string(), s_.numeric);
    if (!shape.dropped.empty() && !t.warned) {
      t.warned = true;
      ctx_->log->warn("{}: column(s) {} have types connectrun (like kafka-connect-jdbc) cannot map; they are left out "
                      "of the records", s_.query.empty() ? t.id.qualified() : "query", fmt::join(shape.dropped, ", "));
    }
    t.schema = shape.schema;
    t.keep = shape.keep;
    t.inc_col = -1;
    t.ts_cols.clear();
    const auto& cols = t.rs->columns();
    for (size_t i = 0; i < cols.size(); ++i) {
      if (cols[i].name == t.inc_name) t.inc_col = static_cast<int>(i);
    }
    for (auto& ts : s_.timestamps) {
      for (size_t i = 0; i < cols.size(); ++i)
        if (cols[i].name == ts) t.ts_cols.push_back(static_cast<int>(i));
    }
    bool wants_inc = s_.mode == Mode::Incrementing || s_.mode == Mode::TimestampIncrementing;
    bool wants_ts = s_.mode == Mode::Timestamp || s_.mode == Mode::TimestampIncrementing;
    auto name = s_.query.empty() ? t.id.qualified() : std::string("the query");
    if (wants_inc && t.inc_col < 0)
      throw ConnectError(fmt::format("{} has no incrementing column {} (incrementing.column.name)", name, t.inc_name));
    if (wants_ts && t.ts_cols.size() != s_.timestamps.size())
      throw ConnectError(fmt::format("{} lacks a timestamp column of {} (timestamp.column.name)", name,
                                     fmt::join(s_.timestamps, ",")));
  }

  // The records of `t` read in this poll carry one offset, on the last of them (the engine stores the
  // last offset of each source partition in a batch): not a map built for every row.
  void set_offset(const Table& t, std::vector<Record>& out, size_t first) const {
    if (out.size() == first || s_.mode == Mode::Bulk) return;
    out.back().source_partition = t.partition;
    out.back().source_offset = t.offset.to_map();
  }

  void read_rows(Table& t, std::vector<Record>& out) {
    Row row;
    int n = 0;
    const size_t first = out.size();
    try {
      while (n < s_.batch_max_rows) {
        if (!t.rs->next(row)) {
          t.rs.reset();
          t.next_poll = Clock::now() + std::chrono::milliseconds(s_.poll_interval_ms);
          break;
        }
        ++n;
        t.got_rows = true;
        if (!s_.conn.tz.is_utc()) from_db_timezone(t, row);
        // Built in place (a Record is large to move); taken out again if the row cannot be made one.
        Record& r = out.emplace_back();
        try {
          make_record(t, row, r);
        } catch (...) {
          out.pop_back();
          throw;
        }
      }
      set_offset(t, out, first);
    } catch (const ConnectError& e) {
      // Rows already in `out` keep their offset; the rest is queried again.
      set_offset(t, out, first);
      t.rs.reset();
      if (conn_ && !conn_->alive()) {
        conn_.reset();
        ctx_->log->warn("{}; reconnecting and querying again from the last offset", e.what());
        t.next_poll = Clock::now();
        if (!out.empty()) return;
        throw ConnectError(e.what(), true);
      }
      throw;
    }
  }

  // db.timezone: timestamps without a zone are wall-clock times of that zone (kafka-connect-jdbc's
  // getTimestamp with its Calendar); dates and times of day are left as read.
  void from_db_timezone(const Table& t, Row& row) const {
    const auto& cols = t.rs->columns();
    for (size_t i = 0; i < cols.size() && i < row.values.size(); ++i) {
      if (cols[i].kind != ColKind::Timestamp || cols[i].zoned || row.values[i].is_null()) continue;
      row.nanos[i] = s_.conn.tz.to_utc_ns(row.nanos[i]);
      int64_t ms = row.nanos[i] >= 0 ? row.nanos[i] / 1000000 : -((-row.nanos[i] + 999999) / 1000000);
      row.values[i] = Value(Timestamp{ms});
    }
  }

  // Takes the row's values (moved, not copied: the next row is read into fresh ones). It throws a
  // ConnectError only before it moves t.offset past the row: read_rows' catch sets that offset on the
  // rows already taken, and must not skip this one.
  void make_record(Table& t, Row& row, Record& r) {
    if (t.inc_col >= 0) {
      const Value& v = row.values[static_cast<size_t>(t.inc_col)];
      if (auto* x = v.get_if<int64_t>()) t.offset.incrementing = *x;
      else if (auto* y = v.get_if<int32_t>()) t.offset.incrementing = *y;
      else if (auto* z = v.get_if<int16_t>()) t.offset.incrementing = *z;
      else if (auto* w = v.get_if<int8_t>()) t.offset.incrementing = *w;
      else if (auto* d = v.get_if<Decimal>()) t.offset.incrementing = std::stoll(d->to_string());
      else throw ConnectError(fmt::format("the incrementing column {} of {} holds a null or non-integer value",
                                          t.inc_name, t.id.qualified()));
    }
    if (!t.ts_cols.empty()) {
      for (int c : t.ts_cols)
        if (!row.values[static_cast<size_t>(c)].is_null()) {
          t.offset.timestamp_nanos = row.nanos[static_cast<size_t>(c)];
          break;
        }
    }
    auto value = StructValue::make(t.schema);
    for (size_t f = 0; f < t.keep.size(); ++f)
      value->values[f] = fit_value(std::move(row.values[static_cast<size_t>(t.keep[f])]), *t.schema->fields[f].schema);
    r.topic = t.topic;
    r.value_schema = t.schema;
    r.value = Value(std::move(value));
    if (s_.mode == Mode::Bulk) r.source_partition = t.partition;  // no offset: the whole table each poll
  }

  Settings s_;
  SourceTaskContext* ctx_ = nullptr;
  std::unique_ptr<Connection> conn_;
  std::vector<Table> tables_;
  Clock::time_point next_table_scan_{};
};

}  // namespace

PluginInfo jdbc_source_plugin() {
  PluginInfo p;
  p.name = "JdbcSource";
  p.aliases = {"io.confluent.connect.jdbc.JdbcSourceConnector", "JdbcSourceConnector"};
  p.kind = PluginKind::Source;
  p.summary = "Copies PostgreSQL, MariaDB/MySQL or SQLite tables (or a query) into topics, in bulk or incrementally.";
  p.description =
      "Confluent's JDBC source connector (kafka-connect-jdbc 10.x): the same keys, record shapes and offsets, so its "
      ".properties files and stored offsets carry over. Each table becomes a topic (topic.prefix + table name) of "
      "records with a null key and a struct value named after the table. Results are streamed (memory stays flat "
      "whatever the table size). With --once the connector stops when a query of every table returns no new rows.";
  define_connection_keys(p.spec);
  auto& s = p.spec;
  using config::ConfigValue;
  s.define({.name = "mode", .type = KeyType::String, .default_value = ConfigValue{std::string()},
            .doc = "bulk (the whole table each poll), incrementing, timestamp or timestamp+incrementing.",
            .validator = config::validators::one_of({"", "bulk", "incrementing", "timestamp", "timestamp+incrementing"})});
  s.define({.name = "incrementing.column.name", .type = KeyType::String, .default_value = ConfigValue{std::string()},
            .doc = "A strictly increasing integer column: rows with a larger value are new. Empty: the table's "
                   "auto-increment column."});
  s.define({.name = "timestamp.column.name", .type = KeyType::List, .default_value = ConfigValue{std::vector<std::string>{}},
            .doc = "Timestamp column(s) of the last change; several are combined with COALESCE."});
  s.define({.name = "timestamp.initial", .type = KeyType::Long, .default_value = ConfigValue{},
            .doc = "Epoch milliseconds to start from when no offset is stored; -1: now. Default: from the beginning."});
  s.define({.name = "timestamp.delay.interval.ms", .type = KeyType::Long, .default_value = ConfigValue{int64_t{0}},
            .doc = "Rows are read only once their timestamp is this much older than now (lets transactions finish).",
            .validator = config::validators::at_least(0)});
  s.define({.name = "validate.non.null", .type = KeyType::Boolean, .default_value = ConfigValue{true},
            .doc = "Refuse incrementing/timestamp columns that are nullable."});
  s.define({.name = "table.whitelist", .type = KeyType::List, .default_value = ConfigValue{std::vector<std::string>{}},
            .doc = "Tables to copy (names or qualified names); exclusive with table.blacklist."});
  s.define({.name = "table.blacklist", .type = KeyType::List, .default_value = ConfigValue{std::vector<std::string>{}},
            .doc = "Tables not to copy."});
  s.define({.name = "table.include.list", .type = KeyType::List, .default_value = ConfigValue{std::vector<std::string>{}},
            .doc = "Regular expressions over fully qualified table names: tables to copy."});
  s.define({.name = "table.exclude.list", .type = KeyType::List, .default_value = ConfigValue{std::vector<std::string>{}},
            .doc = "Regular expressions over fully qualified table names: tables not to copy."});
  s.define({.name = "table.types", .type = KeyType::List, .default_value = ConfigValue{std::vector<std::string>{"TABLE"}},
            .doc = "Kinds of tables to copy: TABLE, VIEW (PostgreSQL also MATERIALIZED VIEW, FOREIGN TABLE)."});
  s.define({.name = "schema.pattern", .type = KeyType::String, .default_value = ConfigValue{},
            .doc = "SQL LIKE pattern of the schemas to list tables from (PostgreSQL, MySQL); default all."});
  s.define({.name = "query", .type = KeyType::String, .default_value = ConfigValue{std::string()},
            .doc = "A SELECT to run instead of copying tables; the mode's WHERE clause is appended to it."});
  s.define({.name = "query.suffix", .type = KeyType::String, .default_value = ConfigValue{std::string()},
            .doc = "Text appended to the generated query."});
  s.define({.name = "topic.prefix", .type = KeyType::String, .default_value = std::nullopt,
            .doc = "Prefix of each table's topic; in query mode the whole topic name."});
  s.define({.name = "poll.interval.ms", .type = KeyType::Int, .default_value = ConfigValue{int64_t{5000}},
            .doc = "Milliseconds between two queries of one table.", .validator = config::validators::at_least(1)});
  s.define({.name = "batch.max.rows", .type = KeyType::Int, .default_value = ConfigValue{int64_t{1000}},
            .doc = "At most this many rows per poll.", .validator = config::validators::at_least(1)});
  s.define({.name = "table.poll.interval.ms", .type = KeyType::Long, .default_value = ConfigValue{int64_t{60000}},
            .doc = "Milliseconds between two listings of the tables (new tables are picked up).",
            .validator = config::validators::at_least(1)});
  s.define({.name = "numeric.mapping", .type = KeyType::String, .default_value = ConfigValue{},
            .doc = "NUMERIC/DECIMAL columns: none (Decimal), precision_only, best_fit, best_fit_eager_double.",
            .validator = config::validators::one_of({"", "none", "precision_only", "best_fit", "best_fit_eager_double"})});
  define_unsupported(s, unsupported_keys());
  p.make_source = [] { return std::make_unique<JdbcSourceTask>(); };
  // Tables are split across tasks when they are listed (table i to task i % tasks); a query runs in one task.
  p.task_configs = [](const config::ConfigValues& cfg, int max_tasks) {
    std::vector<config::ConfigValues> out;
    int n = cfg.get_string("query").empty() ? std::max(1, max_tasks) : 1;
    for (int i = 0; i < n; ++i) {
      auto c = cfg;
      c.set("__jdbc.task.count", config::ConfigValue{int64_t{n}});
      out.push_back(std::move(c));
    }
    return out;
  };
  return p;
}

}  // namespace connectrun::jdbc
