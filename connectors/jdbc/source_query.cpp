#include "connectors/jdbc/source_query.h"

#include <algorithm>

#include <fmt/format.h>

#include "json/json_writer.h"

namespace connectrun::jdbc {

namespace {

std::string ts_expr(const Criteria& c, const Dialect& d) {
  std::string e;
  if (c.timestamps.size() == 1) {
    e = c.timestamps[0];
  } else {
    e = "COALESCE(";
    for (size_t i = 0; i < c.timestamps.size(); ++i) e += (i ? "," : "") + c.timestamps[i];
    e += ")";
  }
  return d.timestamp_expr(e);
}

int64_t as_int64(const Value& v) {
  if (auto* x = v.get_if<int64_t>()) return *x;
  if (auto* x = v.get_if<int32_t>()) return *x;
  if (auto* x = v.get_if<int16_t>()) return *x;
  if (auto* x = v.get_if<int8_t>()) return *x;
  if (auto* x = v.get_if<double>()) return static_cast<int64_t>(*x);
  if (auto* x = v.get_if<std::string>()) return std::stoll(*x);
  return 0;
}

}  // namespace

Value SourceOffset::to_map() const {
  MapEntries m;
  if (incrementing) m.emplace_back(Value("incrementing"), Value(*incrementing));
  if (timestamp_nanos) {
    int64_t ns = *timestamp_nanos;
    int64_t sec = ns >= 0 ? ns / 1000000000 : -((-ns + 999999999) / 1000000000);
    int64_t nanos = ns - sec * 1000000000;
    // java.sql.Timestamp: getTime() in ms (including the millis), getNanos() 0..999999999.
    m.emplace_back(Value("timestamp"), Value(sec * 1000 + nanos / 1000000));
    m.emplace_back(Value("timestamp_nanos"), Value(nanos));
  }
  return Value(std::move(m));
}

SourceOffset SourceOffset::from_map(const Value& v) {
  SourceOffset o;
  if (v.is_null()) return o;
  if (auto* inc = v.find("incrementing"); inc && !inc->is_null()) o.incrementing = as_int64(*inc);
  if (auto* ts = v.find("timestamp"); ts && !ts->is_null()) {
    int64_t ms = as_int64(*ts);
    int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int64_t nanos = (ms - sec * 1000) * 1000000;
    if (auto* n = v.find("timestamp_nanos"); n && !n->is_null()) nanos = as_int64(*n);
    o.timestamp_nanos = sec * 1000000000 + nanos;
  }
  return o;
}

std::optional<std::string> offset_problem(Mode mode, bool query_mode, const Value& partition, const Value& offset) {
  auto str = [](const Value* v) { return v && v->is<std::string>(); };
  const bool map = partition.is<MapEntries>();
  if (query_mode) {
    const Value* q = partition.find("query");
    if (!map || partition.as<MapEntries>().size() != 1 || !str(q) || q->as<std::string>() != "query")
      return fmt::format("in query mode the partition is {{\"query\":\"query\"}}, got {}", to_schemaless_json(partition));
  } else {
    const Value* proto = partition.find("protocol");
    const Value* table = partition.find("table");
    if (!map || partition.as<MapEntries>().size() != 2 || !str(proto) || proto->as<std::string>() != "1" ||
        !str(table) || table->as<std::string>().empty())
      return fmt::format("a table's partition is {{\"protocol\":\"1\",\"table\":\"TABLE\"}} (the table as "
                         "kafka-connect-jdbc qualifies it), got {}",
                         to_schemaless_json(partition));
  }
  const char* expected = "";
  std::vector<std::string> keys;
  switch (mode) {
    case Mode::Bulk:
      return fmt::format("mode=bulk keeps no offsets (each poll reads the whole table), got {}", to_schemaless_json(offset));
    case Mode::Incrementing:
      expected = "{\"incrementing\":N}";
      keys = {"incrementing"};
      break;
    case Mode::Timestamp:
      expected = "{\"timestamp\":EPOCH_MS,\"timestamp_nanos\":0..999999999}";
      keys = {"timestamp"};
      break;
    case Mode::TimestampIncrementing:
      expected = "{\"incrementing\":N,\"timestamp\":EPOCH_MS,\"timestamp_nanos\":0..999999999}";
      keys = {"incrementing", "timestamp"};
      break;
  }
  const std::string shape = fmt::format("with mode={} an offset is {}", mode == Mode::Incrementing ? "incrementing"
                                                                         : mode == Mode::Timestamp ? "timestamp"
                                                                                                   : "timestamp+incrementing",
                                        expected);
  if (!offset.is<MapEntries>()) return fmt::format("{}, got {}", shape, to_schemaless_json(offset));
  const bool has_ts = mode != Mode::Incrementing;
  for (auto& [k, v] : offset.as<MapEntries>()) {
    const std::string key = k.is<std::string>() ? k.as<std::string>() : to_schemaless_json(k);
    const bool known = std::find(keys.begin(), keys.end(), key) != keys.end() || (has_ts && key == "timestamp_nanos");
    if (!known) return fmt::format("{}: \"{}\" is not part of it, got {}", shape, key, to_schemaless_json(offset));
    if (!v.is<int64_t>())
      return fmt::format("\"{}\" must be a whole number, got {} ({})", key, to_schemaless_json(v), shape);
    if (key == "timestamp_nanos" && (v.as<int64_t>() < 0 || v.as<int64_t>() > 999999999))
      return fmt::format("\"timestamp_nanos\" must be 0..999999999 (the nanoseconds within the second), got {}",
                         v.as<int64_t>());
  }
  for (auto& k : keys)
    if (!offset.find(k)) return fmt::format("{}: \"{}\" is missing, got {}", shape, k, to_schemaless_json(offset));
  return std::nullopt;
}

std::string where_clause(const Criteria& c, const Dialect& d) {
  switch (c.mode) {
    case Mode::Bulk: return "";
    case Mode::Incrementing:
      return " WHERE " + c.incrementing + " > ? ORDER BY " + c.incrementing + " ASC";
    case Mode::Timestamp: {
      auto ts = ts_expr(c, d);
      return " WHERE " + ts + " > ? AND " + ts + " < ? ORDER BY " + ts + " ASC";
    }
    case Mode::TimestampIncrementing: {
      auto ts = ts_expr(c, d);
      return " WHERE " + ts + " < ? AND ((" + ts + " = ? AND " + c.incrementing + " > ?) OR " + ts + " > ?) ORDER BY " +
             ts + "," + c.incrementing + " ASC";
    }
  }
  return "";
}

std::string timestamp_param(const Dialect& d, int64_t ns) {
  auto text = format_timestamp_nanos(ns);  // …SS.fffffffff
  // SQLite's strftime('%f') has milliseconds; the servers keep microseconds.
  return text.substr(0, text.size() - (d.name == "SQLite" ? 6 : 3));
}

Params where_params(const Criteria& c, const Dialect& d, const SourceOffset& o, int64_t upper_utc_ns,
                    const DbTimeZone& tz) {
  const int64_t inc = o.incrementing.value_or(-1);
  const int64_t ts = tz.to_local_ns(o.timestamp_nanos.value_or(0));
  const int64_t upper_ns = tz.to_local_ns(upper_utc_ns);
  switch (c.mode) {
    case Mode::Bulk: return {};
    case Mode::Incrementing: return {Value(inc)};
    case Mode::Timestamp: return {Value(timestamp_param(d, ts)), Value(timestamp_param(d, upper_ns))};
    case Mode::TimestampIncrementing:
      return {Value(timestamp_param(d, upper_ns)), Value(timestamp_param(d, ts)), Value(inc), Value(timestamp_param(d, ts))};
  }
  return {};
}

}  // namespace connectrun::jdbc
