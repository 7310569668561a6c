// OffsetStore over an OffsetBackingStore (open_backed()): loading Kafka
// Connect's offset records and writing back the entries that changed.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "json/json_reader.h"
#include "json/json_writer.h"
#include "offsets/offset_store.h"

namespace connectrun {

OffsetStore::OffsetStore(std::unique_ptr<OffsetBackingStore> backing, std::string file)
    : path_(backing->name()), file_path_(std::move(file)), backing_(std::move(backing)) {}

std::unique_ptr<OffsetStore> OffsetStore::open_backed(std::unique_ptr<OffsetBackingStore> backing,
                                                      const std::string& file) {
  std::unique_ptr<OffsetStore> store(new OffsetStore(std::move(backing), file));
  store->load_backing();
  return store;
}

namespace {
// The first bytes of a record's key, printable, for a warning.
std::string shown(const std::string& bytes) {
  std::string out;
  for (char c : bytes.substr(0, 120)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return bytes.size() > 120 ? out + "…" : out;
}
}  // namespace

void OffsetStore::load_backing() {
  std::lock_guard lock(mu_);
  apply_backing(backing_->read_to_end(), {});
  changed_.clear();
  dirty_ = false;
}

void OffsetStore::refresh() {
  if (!backing_) return;  // a file is this process's alone: nothing new to read
  auto records = backing_->read_to_end();  // outside the lock: a round trip to the backing
  std::lock_guard lock(mu_);
  // What this process changed and has not stored yet is newer than anything read.
  const std::set<std::string> pending = changed_;
  apply_backing(records, pending);
  changed_ = pending;
  dirty_ = !changed_.empty();
}

void OffsetStore::apply_backing(const std::vector<OffsetRecord>& records, const std::set<std::string>& keep) {
  size_t foreign = 0;
  std::string first_foreign;
  for (auto& rec : records) {
    Value key, offset;
    try {
      key = parse_schemaless_json(rec.key);
      if (rec.value) offset = parse_schemaless_json(*rec.value);
    } catch (const std::exception&) {
      key = Value();
    }
    // Kafka Connect's source offsets only; a sink's or another tool's records are left alone.
    bool ours = key.is<Array>() && key.as<Array>().size() == 2 && key.as<Array>()[0].is<std::string>() &&
                key.as<Array>()[1].is<MapEntries>() && (offset.is_null() || offset.is<MapEntries>());
    if (!ours) {
      if (foreign++ == 0) first_foreign = shown(rec.key);
      continue;
    }
    const std::string& connector = key.as<Array>()[0].as<std::string>();
    const Value& partition = key.as<Array>()[1];
    std::string canonical = key_of(connector, partition);
    if (keep.count(canonical)) continue;
    if (canonical != rec.key) wire_keys_[canonical] = rec.key;
    put_locked(canonical, connector, partition, offset);
  }
  if (foreign)
    spdlog::warn("{}: skipped {} record(s) that are not source offsets in Kafka Connect's format (key "
                 "[\"<connector>\",{{partition}}], value a JSON object or null), first key: {}; they are left as they are",
                 path_, foreign, first_foreign);
}

void OffsetStore::put_stored(const std::string& connector, const Value& partition, const Value& offset) {
  std::string key = key_of(connector, partition);
  std::lock_guard lock(mu_);
  const bool pending = changed_.count(key) > 0;  // put() since the last flush: still to be written
  put_locked(key, connector, partition, offset);
  if (!pending) changed_.erase(key);
  if (backing_) dirty_ = !changed_.empty();
}

OffsetRecord OffsetStore::backing_record(const std::string& connector, const Value& partition, const Value& offset) const {
  std::string key = key_of(connector, partition);
  std::lock_guard lock(mu_);
  auto wire = wire_keys_.find(key);
  OffsetRecord rec{wire == wire_keys_.end() ? std::move(key) : wire->second, std::nullopt};
  if (!offset.is_null()) {
    rec.value.emplace();
    append_schemaless_json(*rec.value, offset);
  }
  return rec;
}

std::optional<std::string> OffsetStore::flush_backing() {
  // flush_mu_ is held: one flush at a time, so a later flush's records never
  // overtake an earlier one's.
  std::vector<OffsetRecord> records;
  std::set<std::string> keys;
  {
    auto held = hold_flush();
    std::lock_guard lock(mu_);
    if (!dirty_) return std::nullopt;
    keys.swap(changed_);
    for (auto& k : keys) {
      auto wire = wire_keys_.find(k);
      OffsetRecord rec{wire == wire_keys_.end() ? k : wire->second, std::nullopt};
      if (auto it = entries_.find(k); it != entries_.end()) {
        rec.value.emplace();
        append_schemaless_json(*rec.value, it->second.offset);
      }
      records.push_back(std::move(rec));
    }
    dirty_ = false;
  }
  if (records.empty()) return std::nullopt;
  if (auto err = backing_->write(records)) {
    std::lock_guard lock(mu_);
    changed_.insert(keys.begin(), keys.end());  // written again, with their values then, at the next flush
    dirty_ = true;
    return err;
  }
  return std::nullopt;
}

}  // namespace connectrun
