#include "connectors/postgres_cdc/transaction_monitor.h"

#include <algorithm>

#include "connectors/postgres_cdc/offset_values.h"

namespace connectrun::postgres_cdc {

namespace {

constexpr std::string_view kCountPrefix = "transaction_data_collection_order_";

// SchemaFactory's transaction schemas (Debezium 2.x/3.x).
const SchemaPtr& key_schema() {
  static const SchemaPtr s = SchemaBuilder::structure()
                                 .name("io.debezium.connector.common.TransactionMetadataKey")
                                 .version(1)
                                 .field("id", schemas::string())
                                 .build();
  return s;
}
const SchemaPtr& collection_schema() {
  static const SchemaPtr s = SchemaBuilder::structure()
                                 .name("event.collection")
                                 .version(1)
                                 .optional()
                                 .field("data_collection", schemas::string())
                                 .field("event_count", schemas::int64())
                                 .build();
  return s;
}
const SchemaPtr& value_schema() {
  static const SchemaPtr s = SchemaBuilder::structure()
                                 .name("io.debezium.connector.common.TransactionMetadataValue")
                                 .version(1)
                                 .field("status", schemas::string())
                                 .field("id", schemas::string())
                                 .field("event_count", schemas::int64(true))
                                 .field("data_collections", SchemaBuilder::array(collection_schema()).optional().build())
                                 .field("ts_ms", schemas::int64())
                                 .build();
  return s;
}
const SchemaPtr& block_schema() {
  static const SchemaPtr s = SchemaBuilder::structure()
                                 .name("event.block")
                                 .version(1)
                                 .optional()
                                 .field("id", schemas::string())
                                 .field("total_order", schemas::int64())
                                 .field("data_collection_order", schemas::int64())
                                 .build();
  return s;
}

// java.lang.String.hashCode over UTF-16 code units.
int32_t java_hash(const std::string& s) {
  uint32_t h = 0;
  auto add = [&](uint32_t unit) { h = 31 * h + unit; };
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    size_t n = 1;
    if (c >= 0xF0 && i + 3 < s.size()) cp = (c & 0x07u) << 18 | (s[i + 1] & 0x3Fu) << 12 | (s[i + 2] & 0x3Fu) << 6 | (s[i + 3] & 0x3Fu), n = 4;
    else if (c >= 0xE0 && i + 2 < s.size()) cp = (c & 0x0Fu) << 12 | (s[i + 1] & 0x3Fu) << 6 | (s[i + 2] & 0x3Fu), n = 3;
    else if (c >= 0xC0 && i + 1 < s.size()) cp = (c & 0x1Fu) << 6 | (s[i + 1] & 0x3Fu), n = 2;
    i += n;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      add(0xD800 + (cp >> 10));
      add(0xDC00 + (cp & 0x3FF));
    } else {
      add(cp);
    }
  }
  return static_cast<int32_t>(h);
}

}  // namespace

std::vector<std::pair<std::string, int64_t>> java_hash_order(const std::vector<std::pair<std::string, int64_t>>& in) {
  size_t capacity = 16;  // HashMap's default, doubled when size passes 0.75 of it
  while (in.size() > capacity * 3 / 4) capacity *= 2;
  std::vector<std::pair<size_t, size_t>> order;  // (bucket, insertion index)
  for (size_t i = 0; i < in.size(); ++i) {
    const auto h = static_cast<uint32_t>(java_hash(in[i].first));
    order.emplace_back((h ^ (h >> 16)) & (capacity - 1), i);
  }
  std::sort(order.begin(), order.end());
  std::vector<std::pair<std::string, int64_t>> out;
  for (auto& [bucket, i] : order) out.push_back(in[i]);
  return out;
}

void TransactionMonitor::restore(const Value& stored) {
  restored_id_.clear();
  restored_.clear();
  const Value* id = field(stored, "transaction_id");
  if (!id || !id->is<std::string>()) return;
  restored_id_ = id->as<std::string>();
  if (!stored.is<MapEntries>()) return;
  for (auto& [k, v] : stored.as<MapEntries>()) {
    if (!k.is<std::string>()) continue;
    const std::string& name = k.as<std::string>();
    if (name.rfind(kCountPrefix, 0) == 0) restored_.emplace_back(name.substr(kCountPrefix.size()), as_long(&v, 0));
  }
}

Record TransactionMonitor::begin(uint32_t xid, int64_t commit_time_us) {
  open_ = true;
  id_ = std::to_string(xid);
  total_ = 0;
  per_collection_.clear();
  return record("BEGIN", commit_time_us, false);
}

void TransactionMonitor::resume(uint32_t xid) {
  open_ = true;
  id_ = std::to_string(xid);
  total_ = 0;
  per_collection_.clear();
  if (restored_id_ == id_) {
    per_collection_ = restored_;
    for (auto& [name, n] : per_collection_) total_ += n;
  }
  restored_id_.clear();
  restored_.clear();
}

Value TransactionMonitor::next_event(const std::string& data_collection) {
  ++total_;
  auto it = std::find_if(per_collection_.begin(), per_collection_.end(),
                         [&](const auto& e) { return e.first == data_collection; });
  if (it == per_collection_.end()) it = per_collection_.insert(per_collection_.end(), {data_collection, 0});
  ++it->second;
  auto b = StructValue::make(block_schema());
  b->values = {Value(id_), Value(total_), Value(it->second)};
  return Value(std::move(b));
}

Record TransactionMonitor::end(int64_t commit_time_us) {
  Record r = record("END", commit_time_us, true);
  open_ = false;
  return r;
}

void TransactionMonitor::add_to_offset(MapEntries& offset) const {
  if (!open_) return;
  for (auto& e : offset)
    if (e.first.is<std::string>() && e.first.as<std::string>() == "transaction_id") e.second = Value(id_);
  for (auto& [name, n] : per_collection_) offset.emplace_back(std::string(kCountPrefix) + name, Value(n));
}

Record TransactionMonitor::record(const char* status, int64_t commit_time_us, bool with_counts) const {
  Record r;
  r.topic = topic_;
  r.key_schema = key_schema();
  auto key = StructValue::make(key_schema());
  key->values = {Value(id_)};
  r.key = Value(std::move(key));
  r.value_schema = value_schema();
  auto v = StructValue::make(value_schema());
  v->values = {Value(std::string(status)), Value(id_), Value(), Value(), Value(commit_time_us / 1000)};
  if (with_counts) {
    v->values[2] = Value(total_);
    Array collections;
    for (auto& [name, n] : java_hash_order(per_collection_)) {
      auto c = StructValue::make(collection_schema());
      c->values = {Value(name), Value(n)};
      collections.push_back(Value(std::move(c)));
    }
    v->values[3] = Value(std::move(collections));
  }
  r.value = Value(std::move(v));
  return r;
}

}  // namespace connectrun::postgres_cdc
