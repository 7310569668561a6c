#include "connectors/postgres_cdc/transaction_monitor.h"

#include <algorithm>

#include "connectors/common/java_hash_map.h"
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

}  // namespace

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
    for (auto& [name, n] : in_java_hash_map_order(per_collection_)) {
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
