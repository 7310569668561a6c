// Per-transform and per-predicate microbenchmarks (Google Benchmark).
//
// Every transform is configured through the plugin registry exactly as the
// engine does it (config::parse of the plugin's spec, then configure()), and
// applied to a batch of kBatch typical 10-field sink records, with a schema
// (Struct) and without one (a schemaless map, as JsonConverter with
// schemas.enable=false gives). The batch is copied from a template and the
// outputs are destroyed while the timer is paused, so the figure is the cost of
// apply() itself; items_per_second is records per second, and the "ns/record"
// counter is its inverse.
//
// Built only with -DCONNECTRUN_BENCH=ON; run by bench/transforms.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "connectors/connectors.h"
#include "config/spec.h"
#include "plugin/registry.h"

namespace connectrun {
namespace {

constexpr size_t kBatch = 1000;

using Props = std::map<std::string, std::string>;

config::ConfigValues parse_or_throw(const PluginInfo& info, const Props& props) {
  config::RawConfig raw;
  for (auto& [k, v] : props) raw[k] = config::RawEntry{v, {}};
  config::Problems problems;
  auto values = config::parse(info.spec, raw, "bench", problems);
  if (!problems.empty()) throw std::runtime_error(info.name + ": " + problems.list()[0].str());
  return values;
}

const PluginInfo& plugin(const std::string& name, PluginKind kind) {
  const PluginInfo* info = builtin_plugins().find(name, {kind});
  if (!info) throw std::runtime_error("no such plugin: " + name);
  return *info;
}

std::unique_ptr<Transformation> make_transform(const std::string& name, const Props& props) {
  const PluginInfo& info = plugin(name, PluginKind::Transform);
  auto values = parse_or_throw(info, props);
  auto t = info.make_transform();
  t->configure(values);
  return t;
}

std::unique_ptr<Predicate> make_predicate(const std::string& name, const Props& props) {
  const PluginInfo& info = plugin(name, PluginKind::Predicate);
  auto values = parse_or_throw(info, props);
  auto p = info.make_predicate();
  p->configure(values);
  return p;
}

// The typical record: ten fields of the usual kinds, a topic, a timestamp and
// two headers, as a sink sees it after conversion.
SchemaPtr value_schema() {
  static const SchemaPtr schema = SchemaBuilder::structure()
                                      .name("com.example.Event")
                                      .field("id", schemas::int64())
                                      .field("user", schemas::string())
                                      .field("amount", schemas::int32())
                                      .field("currency", schemas::string())
                                      .field("score", schemas::float64())
                                      .field("active", schemas::boolean())
                                      .field("country", schemas::string(true))
                                      .field("level", schemas::int32())
                                      .field("created", schemas::int64())
                                      .field("msg", schemas::string())
                                      .build();
  return schema;
}

std::vector<std::pair<std::string, Value>> fields_of(size_t i) {
  return {
      {"id", Value(static_cast<int64_t>(i))},
      {"user", Value("user-" + std::to_string(i % 1000))},
      {"amount", Value(static_cast<int32_t>(i % 977))},
      {"currency", Value("EUR")},
      {"score", Value(0.5 * static_cast<double>(i % 100))},
      {"active", Value(i % 2 == 0)},
      {"country", Value("FR")},
      {"level", Value(static_cast<int32_t>(i % 5))},
      {"created", Value(static_cast<int64_t>(1764064800000 + static_cast<int64_t>(i)))},
      {"msg", Value("lorem ipsum dolor sit")},
  };
}

Record make_record(size_t i, bool with_schema) {
  Record r;
  r.topic = "app-logs";
  r.partition = 0;
  r.timestamp = 1764064800000 + static_cast<int64_t>(i);
  r.bus_offset = static_cast<int64_t>(i);
  r.is_source = false;
  r.key = Value("key-" + std::to_string(i));
  r.key_schema = with_schema ? schemas::string() : nullptr;
  r.headers.push_back(Header{"trace", schemas::string(), Value("abc-" + std::to_string(i))});
  r.headers.push_back(Header{"source", schemas::string(), Value("bench")});
  if (with_schema) {
    auto s = StructValue::make(value_schema());
    for (auto& [name, v] : fields_of(i)) s->put(name, std::move(v));
    r.value_schema = value_schema();
    r.value = Value(std::move(s));
  } else {
    MapEntries m;
    for (auto& [name, v] : fields_of(i)) m.emplace_back(Value(name), std::move(v));
    r.value = Value(std::move(m));
  }
  return r;
}

std::vector<Record> make_batch(bool with_schema) {
  std::vector<Record> batch;
  batch.reserve(kBatch);
  for (size_t i = 0; i < kBatch; i++) batch.push_back(make_record(i, with_schema));
  return batch;
}

// Copies the value deeply, so that a Struct is not shared with the template
// (the engine hands each transform a freshly converted record). A map is built
// entry by entry, as JsonConverter builds it, so that its spare capacity is the
// converter's (a plain vector copy has none, and every insertion would then
// reallocate, which a real record does not).
Value deep_copy(const Value& v) {
  if (auto* m = v.get_if<MapEntries>()) {
    MapEntries out;
    for (auto& e : *m) out.push_back(e);
    return Value(std::move(out));
  }
  if (!v.is_struct()) return v;
  const StructValue& in = v.as_struct();
  auto out = StructValue::make(in.schema);
  out->values = in.values;
  return Value(std::move(out));
}

void per_record_counters(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
  state.counters["ns/record"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kBatch),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void run_transform(benchmark::State& state, const std::string& name, const Props& props, bool with_schema) {
  auto transform = make_transform(name, props);
  const std::vector<Record> tmpl = make_batch(with_schema);
  std::vector<Record> input(kBatch);
  std::vector<std::optional<Record>> output(kBatch);
  for (auto _ : state) {
    state.PauseTiming();
    for (size_t i = 0; i < kBatch; i++) {
      input[i] = tmpl[i];
      input[i].value = deep_copy(tmpl[i].value);
      output[i].reset();
    }
    state.ResumeTiming();
    for (size_t i = 0; i < kBatch; i++) output[i] = transform->apply(std::move(input[i]));
    benchmark::DoNotOptimize(output.data());
  }
  per_record_counters(state);
}

void run_predicate(benchmark::State& state, const std::string& name, const Props& props, Record (*variant)(size_t)) {
  auto predicate = make_predicate(name, props);
  std::vector<Record> batch;
  for (size_t i = 0; i < kBatch; i++) batch.push_back(variant(i));
  for (auto _ : state) {
    size_t matched = 0;
    for (auto& r : batch) matched += predicate->test(r) ? 1 : 0;
    benchmark::DoNotOptimize(matched);
  }
  per_record_counters(state);
}

// Whether the transform accepts the record at all (some need a schema).
bool supports(const std::string& name, const Props& props, bool with_schema) {
  try {
    make_transform(name, props)->apply(make_record(0, with_schema));
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

struct Case {
  std::string name;
  Props props;
  bool value_only = false;  // works on headers or topic only: one variant
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"Cast$Value", {{"spec", "amount:int64,score:float32"}}},
      {"DropHeaders", {{"headers", "trace"}}, true},
      {"ExtractField$Value", {{"field", "user"}}},
      {"Filter", {}, true},
      {"Flatten$Value", {}},
      {"HeaderFrom$Value", {{"fields", "user"}, {"headers", "user"}, {"operation", "copy"}}},
      {"HoistField$Value", {{"field", "payload"}}},
      {"InsertField$Value", {{"static.field", "origin"}, {"static.value", "bench"}}},
      {"InsertHeader", {{"header", "origin"}, {"value.literal", "bench"}}, true},
      {"MaskField$Value", {{"fields", "user,amount"}}},
      {"RegexRouter", {{"regex", "(.*)-logs"}, {"replacement", "$1-archive"}}, true},
      {"ReplaceField$Value", {{"exclude", "msg"}, {"renames", "user:username"}}},
      {"SetSchemaMetadata$Value", {{"schema.name", "com.example.Renamed"}, {"schema.version", "2"}}},
      {"TimestampConverter$Value",
       {{"field", "created"}, {"target.type", "string"}, {"format", "yyyy-MM-dd'T'HH:mm:ss.SSS"}}},
      {"TimestampRouter", {}, true},
      {"ValueToKey", {{"fields", "id,user"}}},
  };
  return all;
}

Record plain(size_t i) { return make_record(i, false); }
Record tombstone_every_tenth(size_t i) {
  Record r = make_record(i, false);
  if (i % 10 == 0) r.value = Value();
  return r;
}

void register_all() {
  for (const Case& c : cases()) {
    for (bool with_schema : {true, false}) {
      if (c.value_only && !with_schema) continue;
      if (!c.value_only && !supports(c.name, c.props, with_schema)) {
        std::fprintf(stderr, "%s: skipped %s (not supported)\n", c.name.c_str(), with_schema ? "schema" : "schemaless");
        continue;
      }
      std::string label = c.name + (c.value_only ? "" : with_schema ? "/schema" : "/schemaless");
      benchmark::RegisterBenchmark(label.c_str(), [c, with_schema](benchmark::State& st) {
        run_transform(st, c.name, c.props, with_schema);
      });
    }
  }
  benchmark::RegisterBenchmark("HasHeaderKey", [](benchmark::State& st) {
    run_predicate(st, "HasHeaderKey", {{"name", "source"}}, plain);
  });
  benchmark::RegisterBenchmark("RecordIsTombstone", [](benchmark::State& st) {
    run_predicate(st, "RecordIsTombstone", {}, tombstone_every_tenth);
  });
  benchmark::RegisterBenchmark("TopicNameMatches", [](benchmark::State& st) {
    run_predicate(st, "TopicNameMatches", {{"pattern", "app-.*"}}, plain);
  });
}

}  // namespace
}  // namespace connectrun

int main(int argc, char** argv) {
  connectrun::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
