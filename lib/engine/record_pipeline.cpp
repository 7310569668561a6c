#include "engine/record_pipeline.h"

#include <set>

#include <fmt/format.h>

#include "converters/string_converter.h"

namespace connectrun {

RecordStages::RecordStages(const ConnectorPlan& plan) : plan_(plan) {
  key_conv_ = make_converter(plan.key_converter);
  value_conv_ = make_converter(plan.value_converter);
  header_conv_ = make_header_converter(plan.header_converter);
  string_values_ = dynamic_cast<StringConverter*>(value_conv_.get()) != nullptr;
  string_keys_ = dynamic_cast<StringConverter*>(key_conv_.get()) != nullptr;
  string_schema_ = StringConverter::optional_schema();
  config::Problems problems;
  std::set<std::string> used;
  chain_ = std::make_unique<TransformChain>(TransformChain::build(*plan.registry, plan.raw, plan.name, problems, used));
  if (!problems.empty()) throw ConnectError(problems.list().front().str());  // validated before; cannot happen
}

RecordStages::~RecordStages() = default;

namespace {
constexpr size_t kKeptRoom = 64 * 1024;
}  // namespace

void RecordStages::to_bus(Record& r, BusRecord& b, std::string& buf, bool take) const {
  const char* stage = "KEY_CONVERTER";
  const PluginInfo* conv = plan_.key_converter.info;
  try {
    // StringConverter writes no bytes for a null key: most sources' records have none.
    if (!(string_keys_ && r.key.is_null()) && key_conv_->from_connect_data(r.topic, r.key_schema, r.key, buf))
      b.key = buf;
    stage = "VALUE_CONVERTER";
    conv = plan_.value_converter.info;
    if (take && string_values_ && StringConverter::take_string(r.value, buf)) {
      b.value = std::move(buf);
    } else if (value_conv_->from_connect_data(r.topic, r.value_schema, r.value, buf)) {
      // Copied, not moved: `buf` keeps its room for the next record, so a converter appending piece
      // by piece does not grow a new string from nothing each time, and the copy is of exact size.
      // A large value is moved instead, so that one big record does not stay in memory as room.
      if (buf.size() > kKeptRoom) b.value = std::move(buf);
      else b.value.emplace(buf);
    }
    stage = "HEADER_CONVERTER";
    conv = plan_.header_converter.info;
    for (auto& h : r.headers) {
      std::string hb;
      if (header_conv_->from_connect_header(r.topic, h.key, h.schema, h.value, hb)) b.headers.emplace_back(h.key, std::move(hb));
      else b.headers.emplace_back(h.key, std::nullopt);
    }
  } catch (const std::exception& e) {
    throw StageError(stage, conv->name, e.what());
  }
  if (take) b.topic = std::move(r.topic);
  else b.topic = r.topic;
  b.partition = r.partition;
  b.timestamp = r.timestamp;
}

void RecordStages::from_bus(BusRecord& b, Record& r, bool take_bytes, bool take_topic) const {
  r.is_source = false;
  const char* stage = "KEY_CONVERTER";
  const PluginInfo* conv = plan_.key_converter.info;
  auto view = [](const std::optional<std::string>& s) {
    return s ? std::optional<std::string_view>(*s) : std::nullopt;
  };
  try {
    // Bytes not needed again are the converter's: StringConverter moves them into the record,
    // JsonConverter writes a string's text into their memory.
    if (take_bytes && string_keys_) {
      StringConverter::take_bytes(std::move(b.key), string_schema_, r.key_schema, r.key);
    } else if (take_bytes) {
      key_conv_->take_connect_data(b.topic, std::move(b.key), r.key_schema, r.key);
    } else {
      auto key = key_conv_->to_connect_data(b.topic, view(b.key));
      r.key_schema = std::move(key.schema);
      r.key = std::move(key.value);
    }
    stage = "VALUE_CONVERTER";
    conv = plan_.value_converter.info;
    if (take_bytes && string_values_) {
      StringConverter::take_bytes(std::move(b.value), string_schema_, r.value_schema, r.value);
    } else if (take_bytes) {
      value_conv_->take_connect_data(b.topic, std::move(b.value), r.value_schema, r.value);
    } else {
      auto value = value_conv_->to_connect_data(b.topic, view(b.value));
      r.value_schema = std::move(value.schema);
      r.value = std::move(value.value);
    }
    stage = "HEADER_CONVERTER";
    conv = plan_.header_converter.info;
    for (auto& [hk, hv] : b.headers) {
      auto h = header_conv_->to_connect_header(b.topic, hk, view(hv));
      r.headers.push_back(Header{hk, std::move(h.schema), std::move(h.value)});
    }
  } catch (const std::exception& e) {
    throw StageError(stage, conv->name, e.what());
  }
  if (take_topic) r.topic = std::move(b.topic);
  else r.topic = b.topic;
  r.partition = b.partition.value_or(0);
  r.timestamp = b.timestamp;
  r.bus_offset = b.offset;
}

namespace {
std::optional<Record> apply_chain(TransformChain& chain, Record&& r) {
  try {
    return chain.apply(std::move(r));
  } catch (const TransformError& e) {
    throw StageError("TRANSFORMATION", e.plugin(), e.what());
  }
}
}  // namespace

std::optional<BusRecord> RecordPipeline::source_to_bus(Record&& in, Record* transformed) {
  auto t = apply_chain(stages_.chain(), std::move(in));
  if (!t) return std::nullopt;
  BusRecord b;
  std::string buf;
  stages_.to_bus(*t, b, buf, /*take=*/transformed == nullptr);  // the caller wants the record kept whole
  if (transformed) *transformed = std::move(*t);
  return b;
}

std::optional<Record> RecordPipeline::bus_to_sink(const BusRecord& b) {
  BusRecord copy = b;  // not the hot path: the caller keeps its record
  Record r;
  stages_.from_bus(copy, r, true, true);
  return apply_chain(stages_.chain(), std::move(r));
}

std::string printable_bytes(const std::optional<std::string>& bytes) {
  if (!bytes) return "null";
  std::string out;
  out.reserve(bytes->size());
  for (unsigned char c : *bytes) {
    if (c == '\\') out += "\\\\";
    else if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

std::string describe_bus_record(const BusRecord& b) {
  std::string out = fmt::format("topic={} partition={} key={} value={} headers=[", b.topic,
                                b.partition ? std::to_string(*b.partition) : "-", printable_bytes(b.key),
                                printable_bytes(b.value));
  bool first = true;
  for (auto& [k, v] : b.headers) {
    if (!first) out += ',';
    first = false;
    out += printable_bytes(k) + "=" + printable_bytes(v);
  }
  out += ']';
  return out;
}

}  // namespace connectrun
