#include "connectors/jdbc/jdbc_sink.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/jdbc/jdbc_common.h"
#include "connectors/jdbc/sink_writer.h"

namespace connectrun::jdbc {

namespace {

using config::KeyType;
using config::ConfigValue;

const std::vector<UnsupportedKey>& unsupported_keys() {
  static const std::vector<UnsupportedKey> keys = {
      {"table.types", KeyType::List, ConfigValue{std::vector<std::string>{"TABLE"}}, "the sink writes tables only"},
      {"trim.sensitive.log", KeyType::Boolean, ConfigValue{false}, "SQL values are never logged"},
      {"mssql.use.merge.holdlock", KeyType::Boolean, ConfigValue{true}, "SQL Server is not supported"},
  };
  return keys;
}

class JdbcSinkTask : public SinkTask {
 public:
  void configure(const config::ConfigValues& cfg) override {
    refuse_unsupported(cfg, unsupported_keys());
    conn_cfg_ = read_connection_config(cfg);
    auto im = cfg.get_string("insert.mode");
    s_.insert_mode = im == "upsert" ? InsertMode::Upsert : im == "update" ? InsertMode::Update : InsertMode::Insert;
    auto pm = cfg.get_string("pk.mode");
    s_.pk_mode = pm == "kafka" ? PkMode::Kafka : pm == "record_key" ? PkMode::RecordKey
                 : pm == "record_value" ? PkMode::RecordValue : PkMode::None;
    s_.pk_fields = cfg.get_list("pk.fields");
    for (auto& f : cfg.get_list("fields.whitelist")) s_.whitelist.insert(f);
    s_.table_format = cfg.get_string("table.name.format");
    s_.delete_enabled = cfg.get_bool("delete.enabled");
    s_.auto_create = cfg.get_bool("auto.create");
    s_.auto_evolve = cfg.get_bool("auto.evolve");
    s_.quote = conn_cfg_.quote;
    s_.tz = conn_cfg_.tz;
    s_.exactly_once = cfg.get_bool("exactly.once");
    s_.positions_table = cfg.get_string("exactly.once.table");
    batch_size_ = static_cast<size_t>(cfg.get_int("batch.size"));
    max_retries_ = cfg.get_int("max.retries");
    backoff_ms_ = cfg.get_int("retry.backoff.ms");
    if (s_.delete_enabled && s_.pk_mode != PkMode::RecordKey)
      throw config::ConfigError("delete.enabled", "delete.enabled=true needs pk.mode=record_key (the key names the row)");
    if (s_.insert_mode != InsertMode::Insert && s_.pk_mode == PkMode::None)
      throw config::ConfigError("insert.mode", "insert.mode " + im + " needs key columns: set pk.mode (kafka, "
                                "record_key or record_value)");
    if (s_.pk_mode == PkMode::None && !s_.pk_fields.empty())
      throw config::ConfigError("pk.fields", "pk.fields must be empty when pk.mode is none");
  }

  void start(SinkTaskContext& ctx) override {
    ctx_ = &ctx;
    s_.connector = ctx.connector_name;
    connect();
    defer_ = !s_.exactly_once && conn_->dialect().name == "PostgreSQL";
    if (s_.exactly_once) {
      positions_ = writer_->read_positions();
      for (auto& [tp, next] : positions_)
        ctx.log->info("exactly.once: {}-{} continues after offset {} (stored in {})", tp.first, tp.second, next - 1,
                      s_.positions_table);
    }
  }

  // Writes the batch as it is given, batch.size records per transaction, from the engine's records (no copy).
  // On PostgreSQL the batch's last chunk, one COPY with its own COMMIT, is sent without waiting for the
  // server: the engine converts the next records while the server loads these. Its records are kept (moved
  // from the batch once nothing can throw) until its COMMIT is confirmed, and pre_commit holds back their
  // positions until then. Every other chunk is written and committed before put goes on.
  void put(std::vector<Record>& batch) override {
    collect();  // the last put's deferred chunk: committed before anything else goes to the database
    std::vector<const Record*> chunk;
    chunk.reserve(std::min(batch.size(), batch_size_));
    Positions::iterator run = pending_.end();  // pending_'s entry for the last record's topic partition
    for (auto& r : batch) {
      const int32_t partition = r.partition.value_or(0);
      if (s_.exactly_once && r.bus_offset >= 0) {
        auto it = positions_.find(std::make_pair(r.topic, partition));
        if (it != positions_.end() && r.bus_offset < it->second) continue;  // written before a crash
      }
      if (!r.value.is_null() && (!r.value_schema || r.value_schema->type != Type::Struct))
        throw ConnectError(fmt::format("{}-{} offset {}: the JDBC sink needs records with a struct schema; this one "
                                       "has {} (use a converter with schemas, e.g. JsonConverter with "
                                       "schemas.enable=true)", r.topic, partition, r.bus_offset,
                                       r.value_schema ? "a " + std::string(type_name(r.value_schema->type)) + " schema"
                                                      : "no schema"));
      chunk.push_back(&r);
      if (r.bus_offset >= 0) {
        if (run == pending_.end() || run->first.second != partition || run->first.first != r.topic)
          run = pending_.try_emplace(std::make_pair(r.topic, partition), 0).first;
        run->second = r.bus_offset + 1;
      }
      if (chunk.size() >= batch_size_ && &r != &batch.back()) write_chunk(chunk);
    }
    if (chunk.empty()) return;
    const Sent sent = defer_ ? send_deferred(chunk) : Sent::No;
    if (sent == Sent::No) write_chunk(chunk);
    if (sent != Sent::Deferred) return;
    // Sent: the records move out of the engine's batch, which is reused for the next one. A partition's first
    // record in the chunk holds its smallest offset (the bus numbers them in order): one lookup per run.
    const Record* prev = nullptr;
    for (const Record* p : chunk) {
      if (p->bus_offset >= 0 && (!prev || prev->partition != p->partition || prev->topic != p->topic))
        inflight_first_.try_emplace(TopicPartition{p->topic, p->partition.value_or(0)}, p->bus_offset);
      prev = p;
    }
    inflight_.reserve(chunk.size());
    for (const Record* p : chunk) inflight_.push_back(std::move(const_cast<Record&>(*p)));
    inflight_unconfirmed_ = true;
  }

  void flush() override { collect(); }

  // The positions of a deferred chunk whose COMMIT is not confirmed yet are held back at its first record.
  TopicPartitionOffsets pre_commit(const TopicPartitionOffsets& current) override {
    if (!inflight_.empty() && inflight_unconfirmed_ && writer_ && !writer_->ready()) {
      TopicPartitionOffsets safe = current;
      for (auto& [tp, first] : inflight_first_)
        if (auto it = safe.find(tp); it != safe.end()) it->second = std::min(it->second, first);
      return safe;
    }
    collect();
    return current;
  }

  void close(const std::vector<TopicPartition>&) override { collect(); }

  void stop() override {
    try {
      collect();
    } catch (const std::exception& e) {
      // Not acknowledged: read again by the next run (at least once).
      if (ctx_) ctx_->log->warn("the last batch was not confirmed written at stop: {}", e.what());
    }
    writer_.reset();
    conn_.reset();
  }

 private:
  void connect() {
    conn_ = open_connection(conn_cfg_, *ctx_);
    writer_ = std::make_unique<SinkWriter>(s_, *conn_);
  }

  // Sends `ptrs` as one COPY whose answer is not waited for, when the writer can (Deferred); a batch that
  // is not one COPY is written and committed at once (Written). No: nothing was committed (a failure), so the
  // caller writes it the usual way, with retries and the errant record reporter.
  enum class Sent { No, Written, Deferred };
  Sent send_deferred(const std::vector<const Record*>& ptrs) {
    try {
      if (!conn_) connect();
      return writer_->write(ptrs, pending_, nullptr, true) ? Sent::Deferred : Sent::Written;
    } catch (const ConnectError&) {
      return Sent::No;
    }
  }

  // Confirms the deferred chunk's COMMIT. When it failed (a row the table refuses, a lost connection) the
  // chunk is written again the usual way: retried after a reconnect, or refused records reported under
  // errors.tolerance=all, or the task failed.
  void collect() {
    if (inflight_.empty()) return;
    if (inflight_unconfirmed_) {
      inflight_unconfirmed_ = false;
      try {
        writer_->finish();
        inflight_.clear();
        inflight_first_.clear();
        return;
      } catch (const ConnectError& e) {
        ctx_->log->debug("the deferred batch failed ({}); writing it again", e.what());
      }
    }
    // Not committed: kept until a write of it succeeds (a throw here leaves it for the next try).
    std::vector<const Record*> ptrs;
    ptrs.reserve(inflight_.size());
    for (auto& r : inflight_) ptrs.push_back(&r);
    write_chunk(ptrs);
    inflight_.clear();
    inflight_first_.clear();
  }

  // One transaction; on a lost connection (or a failure max.retries allows)
  // the whole batch again, retry.backoff.ms apart.
  void write_chunk(std::vector<const Record*>& ptrs) {
    if (ptrs.empty()) return;
    auto report = [this](const Record& r, const std::exception& e) { ctx_->report(r, e); };
    for (int attempt = 0;; ++attempt) {
      try {
        if (!conn_) connect();
        writer_->write(ptrs, pending_, report);
        break;
      } catch (const RetryStopped&) {
        throw;
      } catch (const ConnectError& e) {
        bool lost = !conn_ || !conn_->alive();
        if (!lost || attempt >= max_retries_) {
          if (lost) throw ConnectError(fmt::format("{} (gave up after {} retries, max.retries)", e.what(), attempt), true);
          throw;
        }
        ctx_->log->warn("{}; writing the batch again in {} ms (retry {} of {}, max.retries)", e.what(), backoff_ms_,
                        attempt + 1, max_retries_);
        writer_.reset();
        conn_.reset();
        auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(backoff_ms_);
        while (std::chrono::steady_clock::now() < until) {
          if (ctx_->stop_requested()) throw RetryStopped(std::string("stopped while retrying: ") + e.what());
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
    }
    for (auto& [tp, next] : pending_) positions_[tp] = next;
    ptrs.clear();
  }

  SinkSettings s_;
  ConnectionConfig conn_cfg_;
  size_t batch_size_ = 3000;
  int max_retries_ = 10;
  int backoff_ms_ = 3000;
  SinkTaskContext* ctx_ = nullptr;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<SinkWriter> writer_;
  Positions pending_, positions_;  // per topic partition, the offset after the last record taken / written
  bool defer_ = false;              // PostgreSQL without exactly.once: a put's last chunk is not waited for
  std::vector<Record> inflight_;    // the deferred chunk's records, until its COMMIT is confirmed
  bool inflight_unconfirmed_ = false;  // its COPY's answer not read yet (else it failed: to write again)
  std::map<TopicPartition, int64_t> inflight_first_;  // their first offset per topic partition
};

}  // namespace

PluginInfo jdbc_sink_plugin() {
  PluginInfo p;
  p.name = "JdbcSink";
  p.aliases = {"io.confluent.connect.jdbc.JdbcSinkConnector", "JdbcSinkConnector"};
  p.kind = PluginKind::Sink;
  p.summary = "Writes records into PostgreSQL, MariaDB/MySQL or SQLite tables (insert, upsert or update).";
  p.description =
      "Confluent's JDBC sink connector (kafka-connect-jdbc 10.x): the same keys and SQL. Records need a struct value "
      "with a schema. Each batch is one transaction; positions are acknowledged only after its COMMIT. With "
      "exactly.once=true the positions are stored in a table in the same transaction, so a crash never writes a "
      "record twice.";
  define_connection_keys(p.spec);
  auto& s = p.spec;
  s.define({.name = "insert.mode", .type = KeyType::String, .default_value = ConfigValue{std::string("insert")},
            .doc = "insert, upsert (insert or update by the key columns) or update.",
            .validator = config::validators::one_of({"insert", "upsert", "update"})});
  s.define({.name = "pk.mode", .type = KeyType::String, .default_value = ConfigValue{std::string("none")},
            .doc = "Key columns: none, kafka (__connect_topic, __connect_partition, __connect_offset), record_key, record_value.",
            .validator = config::validators::one_of({"none", "kafka", "record_key", "record_value"})});
  s.define({.name = "pk.fields", .type = KeyType::List, .default_value = ConfigValue{std::vector<std::string>{}},
            .doc = "The key columns (pk.mode kafka: 3 names; record_key/record_value: fields; empty: all)."});
  s.define({.name = "fields.whitelist", .type = KeyType::List, .default_value = ConfigValue{std::vector<std::string>{}},
            .doc = "Value fields to write (empty: all)."});
  s.define({.name = "table.name.format", .type = KeyType::String, .default_value = ConfigValue{std::string("${topic}")},
            .doc = "The table's name; ${topic} is the record's topic."});
  s.define({.name = "delete.enabled", .type = KeyType::Boolean, .default_value = ConfigValue{false},
            .doc = "A tombstone (null value) deletes the row of its key (needs pk.mode=record_key); else it is skipped."});
  s.define({.name = "auto.create", .type = KeyType::Boolean, .default_value = ConfigValue{false},
            .doc = "CREATE TABLE when the table is missing."});
  s.define({.name = "auto.evolve", .type = KeyType::Boolean, .default_value = ConfigValue{false},
            .doc = "ALTER TABLE ADD for new optional fields."});
  s.define({.name = "batch.size", .type = KeyType::Int, .default_value = ConfigValue{int64_t{3000}},
            .doc = "Records per transaction at most.", .validator = config::validators::at_least(1)});
  s.define({.name = "max.retries", .type = KeyType::Int, .default_value = ConfigValue{int64_t{10}},
            .doc = "Retries of a batch whose connection was lost.", .validator = config::validators::at_least(0)});
  s.define({.name = "retry.backoff.ms", .type = KeyType::Int, .default_value = ConfigValue{int64_t{3000}},
            .doc = "Milliseconds between two retries.", .validator = config::validators::at_least(0)});
  s.define({.name = "exactly.once", .type = KeyType::Boolean, .default_value = ConfigValue{false},
            .doc = "connectrun only: store the positions in exactly.once.table in each batch's transaction and skip "
                   "what was already written at start, so no record is written twice."});
  s.define({.name = "exactly.once.table", .type = KeyType::String,
            .default_value = ConfigValue{std::string("connectrun_jdbc_positions")},
            .doc = "connectrun only: the table exactly.once keeps the positions in."});
  define_unsupported(s, unsupported_keys());
  p.make_sink = [] { return std::make_unique<JdbcSinkTask>(); };
  return p;
}

}  // namespace connectrun::jdbc
