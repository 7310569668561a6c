#include "connectors/datagen/datagen_source.h"

#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/datagen/avro_generator.h"
#include "connectors/datagen/quickstarts.h"
#include "json/json_writer.h"
#include "plugin/topic_name.h"

namespace connectrun::datagen {

namespace {

using config::KeyType;

// Records one poll returns when max.interval is 0 (the engine takes them as
// fast as it can; a bounded batch keeps a stop prompt and memory small).
constexpr size_t kBatch = 1024;

// The offset keys DatagenTask stores (its next state), and the partition key.
constexpr std::string_view kTaskId = "task.id";
constexpr std::string_view kTaskGeneration = "task.generation";
constexpr std::string_view kCurrentIteration = "current.iteration";
constexpr std::string_view kRandomSeed = "random.seed";

struct SchemaSource {
  std::string text;     // the schema's JSON
  std::string key;      // the config key it came from, for messages
  std::string keyfield;  // schema.keyfield, or the quickstart's
};

std::string read_schema_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    // As the Java connector falls back to its class path: the quickstart
    // schema files by name ("users_schema.avro").
    std::string_view embedded = embedded_schema(path);
    if (!embedded.empty()) return std::string(embedded);
    throw config::ConfigError("schema.filename", fmt::format("cannot read the schema file {}: {}", path,
                                                             std::strerror(errno)));
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Exactly one of quickstart, schema.string and schema.filename (as
// DatagenConnector.validate requires).
SchemaSource schema_source(const config::ConfigValues& cfg) {
  const std::string quickstart = cfg.get_string("quickstart");
  const std::string text = cfg.get_string("schema.string");
  const std::string file = cfg.get_string("schema.filename");
  const int set = !quickstart.empty() + !text.empty() + !file.empty();
  if (set != 1) {
    const char* key = !quickstart.empty() ? "quickstart" : !text.empty() ? "schema.string" : "schema.filename";
    throw config::ConfigError(set == 0 ? "quickstart" : key,
                              "Must set exactly one of schema.string, schema.filename, quickstart");
  }
  SchemaSource s;
  s.keyfield = cfg.get_string("schema.keyfield");
  if (!quickstart.empty()) {
    const Quickstart* q = find_quickstart(quickstart);
    if (!q && is_java_quickstart(quickstart))
      throw config::ConfigError("quickstart", fmt::format("the quickstart {} of kafka-connect-datagen is not built into "
                                                          "connectrun; give its schema with schema.filename (and "
                                                          "schema.keyfield), or use one of {}",
                                                          quickstart, quickstart_names()));
    if (!q) throw config::ConfigError("quickstart", fmt::format("quickstart must be one out of {}", quickstart_names()));
    s.text = std::string(q->schema);
    s.key = "quickstart";
    if (s.keyfield.empty()) s.keyfield = std::string(q->key_field);
  } else if (!text.empty()) {
    s.text = text;
    s.key = "schema.string";
  } else {
    s.text = read_schema_file(file);
    s.key = "schema.filename";
  }
  return s;
}

// Reads the schema (and checks the key field) as configure and start need it.
AvroGenerator build_generator(const SchemaSource& src, int64_t generation) {
  std::optional<AvroGenerator> gen;
  try {
    gen.emplace(src.text, generation);
  } catch (const SchemaError& e) {
    throw config::ConfigError(src.key, fmt::format("Unable to parse the provided schema: {}", e.what()));
  }
  if (gen->schema()->type != Type::Struct)
    throw config::ConfigError(src.key, "the schema must be a record: each generated value is one record (a Struct)");
  if (!src.keyfield.empty() && !gen->schema()->field(src.keyfield)) {
    std::string names;
    for (const Field& f : gen->schema()->fields) names += (names.empty() ? "" : ", ") + f.name;
    throw config::ConfigError("schema.keyfield",
                              fmt::format("The schema does not contain the field provided in 'schema.keyfield' "
                                          "(\"{}\"); its fields are {}",
                                          src.keyfield, names));
  }
  return std::move(*gen);
}

uint64_t entropy_seed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

class DatagenTask : public SourceTask {
 public:
  void configure(const config::ConfigValues& cfg) override {
    topic_ = cfg.get_string("kafka.topic");
    if (auto p = topic_name_problem(topic_)) throw config::ConfigError("kafka.topic", *p);
    max_interval_ = cfg.get_long("max.interval");
    iterations_ = cfg.get_int("iterations");
    if (!cfg.is_null("random.seed")) seed_ = static_cast<uint64_t>(cfg.get_long("random.seed"));
    source_ = schema_source(cfg);
    build_generator(source_, 0);  // refuses a bad schema or key field now, so `validate` reports it
  }

  void start(SourceTaskContext& ctx) override {
    ctx_ = &ctx;
    task_id_ = ctx.task_id;
    // As DatagenTask: task N advances the seeded generator N times, so tasks differ.
    rng_.reseed(seed_ ? *seed_ : entropy_seed());
    for (int i = 0; i < task_id_; ++i) rng_.reseed(rng_.next_u64());
    interval_rng_.reseed(entropy_seed());
    partition_ = std::make_shared<const Value>(MapEntries{{Value(std::string(kTaskId)), Value(int64_t{task_id_})}});
    restore(ctx.offset_for(*partition_));
    generator_.emplace(build_generator(source_, count_));
    const Field* key = source_.keyfield.empty() ? nullptr : generator_->schema()->field(source_.keyfield);
    key_index_ = key ? static_cast<int>(key->index) : -1;
    key_schema_ = key ? key->schema : schemas::string(true);
    next_due_ = std::chrono::steady_clock::now() + draw_interval();
  }

  PollStatus poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) override {
    if (iterations_ > 0 && count_ >= iterations_) {
      // kafka-connect-datagen fails its task here ("Stopping connector:
      // generated the configured N number of messages"); connectrun ends the task cleanly.
      ctx_->log->info("task {} generated the configured {} records (iterations): done", task_id_, count_);
      return PollStatus::Exhausted;
    }
    if (max_interval_ > 0) {
      const auto now = std::chrono::steady_clock::now();
      if (now < next_due_) {
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(next_due_ - now, max_wait));
        if (std::chrono::steady_clock::now() < next_due_) return PollStatus::Ok;
      }
      add_record(out);
      next_due_ = std::chrono::steady_clock::now() + draw_interval();
      return PollStatus::Ok;
    }
    for (size_t i = 0; i < kBatch && !(iterations_ > 0 && count_ >= iterations_); ++i) add_record(out);
    return PollStatus::Ok;
  }

 private:
  // Java sleeps (long)(max.interval * Math.random()) ms before each record:
  // uniform in [0, max.interval), from an unseeded source (the data do not
  // depend on it).
  std::chrono::milliseconds draw_interval() {
    if (max_interval_ <= 0) return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(max_interval_) * interval_rng_.next_double()));
  }

  // DatagenTask's shapes: {"task.id": N} → {"task.generation": N, "current.iteration": N, "random.seed": any long}.
  std::optional<std::string> check_offset(const Value& partition, const Value& offset) const override {
    const Value* id = partition.find(kTaskId);
    if (!partition.is<MapEntries>() || partition.as<MapEntries>().size() != 1 || !id || !id->is<int64_t>() ||
        id->as<int64_t>() < 0)
      return fmt::format("a partition is {{\"task.id\":N}} (N: the task number, 0 or more), got {}",
                         to_schemaless_json(partition));
    auto whole = [&](std::string_view key, bool any_sign) {
      const Value* v = offset.find(key);
      return v && v->is<int64_t>() && (any_sign || v->as<int64_t>() >= 0);
    };
    if (!offset.is<MapEntries>() || offset.as<MapEntries>().size() != 3 || !whole(kTaskGeneration, false) ||
        !whole(kCurrentIteration, false) || !whole(kRandomSeed, true))
      return fmt::format("an offset is {{\"task.generation\":N,\"current.iteration\":N,\"random.seed\":LONG}} (N: "
                         "0 or more), got {}", to_schemaless_json(offset));
    return std::nullopt;
  }

  // The stored offset holds the next state: generation, count and seed.
  void restore(const Value& stored) {
    if (stored.is_null()) return;
    if (auto problem = check_offset(*partition_, stored))
      throw ConnectError(fmt::format(
          "the stored offset of task {} is {}, but {}: the offsets file is damaged. Fix that entry (`connectrun "
          "offsets set`), or remove it with `connectrun offsets reset --connector {}` to start again",
          task_id_, to_schemaless_json(stored), *problem, ctx_->connector_name));
    auto number = [&](std::string_view key) -> int64_t { return stored.find(key)->as<int64_t>(); };
    generation_ = number(kTaskGeneration);
    count_ = number(kCurrentIteration);
    rng_.reseed(static_cast<uint64_t>(number(kRandomSeed)));
    ctx_->log->info("task {} resuming at record {} (generation {})", task_id_, count_, generation_);
  }

  void add_record(std::vector<Record>& out) {
    Value value = generator_->generate(rng_);
    // Re-seeded after each record so the offset can hold the whole state (as DatagenTask).
    const uint64_t seed = rng_.next_u64();
    rng_.reseed(seed);
    Record& r = out.emplace_back();
    r.topic = topic_;
    r.key_schema = key_schema_;
    if (key_index_ >= 0) r.key = value.as_struct().values[static_cast<size_t>(key_index_)];
    r.value_schema = generator_->schema();
    r.value = std::move(value);
    r.headers.reserve(3);
    r.headers.push_back({std::string(kTaskGeneration), int64_schema_, Value(generation_)});
    r.headers.push_back({std::string(kTaskId), int64_schema_, Value(int64_t{task_id_})});
    r.headers.push_back({std::string(kCurrentIteration), int64_schema_, Value(count_)});
    r.source_partition = partition_;
    MapEntries offset;
    offset.reserve(3);
    offset.emplace_back(std::string(kTaskGeneration), generation_ + 1);
    offset.emplace_back(std::string(kCurrentIteration), count_ + 1);
    offset.emplace_back(std::string(kRandomSeed), static_cast<int64_t>(seed));
    r.source_offset = Value(std::move(offset));
    ++count_;
  }

  std::string topic_;
  int64_t max_interval_ = 500;
  int64_t iterations_ = -1;
  std::optional<uint64_t> seed_;
  SchemaSource source_;
  SourceTaskContext* ctx_ = nullptr;
  int task_id_ = 0;
  Rng rng_;
  Rng interval_rng_;
  std::optional<AvroGenerator> generator_;
  std::shared_ptr<const Value> partition_;
  int64_t generation_ = 0;
  int64_t count_ = 0;
  int key_index_ = -1;
  SchemaPtr key_schema_;
  const SchemaPtr int64_schema_ = schemas::int64();
  std::chrono::steady_clock::time_point next_due_;
};

}  // namespace

PluginInfo datagen_source_plugin() {
  PluginInfo p;
  p.name = "DataGen";
  p.aliases = {"io.confluent.kafka.connect.datagen.DatagenConnector", "DatagenConnector"};
  p.kind = PluginKind::Source;
  // Its offset is the iteration: resumed from a committed one, each iteration is produced once.
  p.exactly_once = [](const config::ConfigValues&) { return true; };
  p.summary = "Generates random records from an Avro schema with arg.properties annotations (kafka-connect-datagen).";
  p.description =
      "Each record's value is a Struct drawn from the schema (a quickstart compiled into connectrun, schema.string "
      "or schema.filename) as avro-random-generator's annotations say (options, iteration, range, length, regex, "
      "prefix, suffix, odds, keys); its key is the schema.keyfield field (schema and value), or a null optional "
      "string. Headers task.generation, task.id and current.iteration (int64). Partition {\"task.id\": N}, offset "
      "{\"task.generation\", \"current.iteration\", \"random.seed\"}: a restart continues the sequence. The same "
      "random.seed gives byte-identical records on every run and machine (not the Java connector's values). With "
      "iterations > 0 the task ends after that many records (--once then ends the run).";
  p.spec.define({.name = "kafka.topic", .type = KeyType::String, .default_value = std::nullopt,
                 .doc = "Topic to write to."});
  p.spec.define({.name = "max.interval", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{500}},
                 .doc = "Max interval between messages (ms): before each record the task waits a random time in "
                        "[0, max.interval). 0 (or less): as fast as the engine takes them."});
  p.spec.define({.name = "iterations", .type = KeyType::Int, .default_value = config::ConfigValue{int64_t{-1}},
                 .doc = "Number of messages to send from each task, or less than 1 for unlimited. Counted across "
                        "restarts (the count is in the offset). The task then ends (the Java task fails instead)."});
  p.spec.define({.name = "schema.string", .type = KeyType::String, .default_value = config::ConfigValue{std::string()},
                 .doc = "The literal JSON-encoded Avro schema to use."});
  p.spec.define({.name = "schema.filename", .type = KeyType::String, .default_value = config::ConfigValue{std::string()},
                 .doc = "Filename of schema to use. A quickstart schema's file name (users_schema.avro) works "
                        "without the file, as the Java connector finds it on its class path.",
                 .file_use = config::FileUse::Reads});
  p.spec.define({.name = "schema.keyfield", .type = KeyType::String, .default_value = config::ConfigValue{std::string()},
                 .doc = "Name of field to use as the message key (default: the quickstart's key field; none for "
                        "a schema string or file)."});
  p.spec.define({.name = "quickstart", .type = KeyType::String, .default_value = config::ConfigValue{std::string()},
                 .doc = "Name of quickstart to use (users, pageviews, orders, …: see docs/connectors/datagen.md). "
                        "Set exactly one of quickstart, schema.string and schema.filename."});
  p.spec.define({.name = "random.seed", .type = KeyType::Long, .default_value = config::ConfigValue{std::monostate{}},
                 .doc = "Numeric seed for generating random data. Two connectors started with the same seed will "
                        "deterministically produce the same data. Each task will generate different data than the "
                        "other tasks in the same connector. Unset: a random seed."});
  p.make_source = [] { return std::make_unique<DatagenTask>(); };
  // Every task gets the same configuration (as DatagenConnector.taskConfigs); task.id is the task's number.
  p.task_configs = [](const config::ConfigValues& cfg, int max_tasks) {
    return std::vector<config::ConfigValues>(static_cast<size_t>(std::max(1, max_tasks)), cfg);
  };
  return p;
}

}  // namespace connectrun::datagen
