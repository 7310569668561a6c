#include "converters/json_converter.h"

#include <fmt/format.h>

#include "converters/json_schema.h"
#include "json/json_reader.h"

namespace connectrun {

namespace {
constexpr std::string_view kEnvelopeError =
    "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional "
    "fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter "
    "configuration.";

// How an envelope that names its schema first begins: the schema's own bytes follow.
constexpr std::string_view kSchemaHead = "{\"schema\":";

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// What Jackson reads of the bytes: a UTF-8 BOM is skipped, and nothing but
// whitespace is no content (empty here).
std::string_view json_content(std::string_view s) {
  if (s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  for (char c : s)
    if (!is_json_space(c)) return s;
  return {};
}
}  // namespace

void JsonConverter::configure(const config::ConfigValues& cfg, bool /*is_key*/) {
  schemas_enable_ = cfg.get_bool("schemas.enable");
  auto cache_size = static_cast<size_t>(cfg.get_long("schemas.cache.size"));
  to_json_cache_.set_capacity(cache_size);
  to_schema_cache_.set_capacity(cache_size);
  std::string fmt_text = cfg.get_string("decimal.format");
  for (auto& c : fmt_text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (fmt_text == "NUMERIC") opts_.decimal_format = json::DecimalFormat::Numeric;
  else if (fmt_text == "BASE64") opts_.decimal_format = json::DecimalFormat::Base64;
  else throw config::ConfigError("decimal.format", fmt::format("Invalid value {} for configuration decimal.format: String must be one of (case insensitive): NUMERIC, BASE64", fmt_text));
  opts_.replace_null_with_default = cfg.get_bool("replace.null.with.default");
}

const std::string& JsonConverter::schema_json(const SchemaPtr& schema) {
  if (auto* hit = to_json_cache_.get(schema.get())) return hit->second;
  std::string text;
  json::append_json_schema(text, *schema, opts_);
  return to_json_cache_.put(schema.get(), {schema, std::move(text)}).second;
}

SchemaPtr JsonConverter::schema_from_json(simdjson::dom::element e) {
  if (e.is_null()) return nullptr;
  key_scratch_ = simdjson::minify(e);
  if (auto* hit = to_schema_cache_.get(key_scratch_)) return *hit;
  SchemaPtr schema = json::json_to_schema(e, opts_);
  to_schema_cache_.put(key_scratch_, schema);
  return schema;
}

bool JsonConverter::from_connect_data(std::string_view /*topic*/, const SchemaPtr& schema, const Value& value,
                                      std::string& out) {
  out.clear();
  if (!schema && value.is_null()) return false;  // a tombstone stays null
  if (!schemas_enable_) {
    json::append_connect_value(out, schema.get(), value, opts_);
    return true;
  }
  out.append("{\"schema\":");
  if (schema) out.append(schema_json(schema));
  else out.append("null");
  out.append(",\"payload\":");
  json::append_connect_value(out, schema.get(), value, opts_);
  out.push_back('}');
  return true;
}

SchemaAndValue JsonConverter::to_connect_data(std::string_view /*topic*/, std::optional<std::string_view> bytes) {
  if (!bytes) return {};
  const std::string_view text = json_content(*bytes);
  if (text.empty()) {
    // Jackson reads no content as a missing node: null without envelope, invalid with one.
    if (schemas_enable_) throw DataException(std::string(kEnvelopeError));
    return {};
  }
  if (schemas_enable_)
    if (auto known = with_known_schema(text)) return std::move(*known);
  simdjson::dom::element root = parse(text);
  if (!schemas_enable_) return {nullptr, json::json_to_connect(nullptr, &root, opts_)};

  // Exactly the fields schema and payload (a duplicate's last value counts, as in Jackson).
  simdjson::dom::object obj;
  simdjson::dom::element schema_node, payload_node;
  bool has_payload = false, other = false;
  int schema_fields = 0;
  if (!root.get_object().get(obj))
    for (auto field : obj) {
      if (field.key == "schema") schema_node = field.value, ++schema_fields;
      else if (field.key == "payload") payload_node = field.value, has_payload = true;
      else other = true;
    }
  if (!schema_fields || !has_payload || other) throw DataException(std::string(kEnvelopeError));
  // The input parsed as JSON, so when the value after a leading {"schema": is byte
  // for byte a complete JSON value seen before, it is that value (a JSON value ends
  // where its own bytes say). Only with one "schema" field: with more, the last counts.
  constexpr std::string_view kHead = kSchemaHead;
  const bool head = schema_fields == 1 && text.substr(0, kHead.size()) == kHead;
  const auto raw_is = [&](const std::string& raw) {
    return !raw.empty() && text.size() > kHead.size() + raw.size() &&
           text.compare(kHead.size(), raw.size(), raw) == 0 && text[kHead.size() + raw.size()] == ',';
  };
  if (head && raw_is(last_schema_raw_)) return {last_schema_, json::json_to_connect(last_schema_, &payload_node, opts_)};
  SchemaPtr schema = schema_from_json(schema_node);
  if (head && schema && raw_is(key_scratch_)) {  // key_scratch_: the node's compact text
    last_schema_raw_ = key_scratch_;
    last_schema_ = schema;
  }
  return {schema, json::json_to_connect(schema, &payload_node, opts_)};
}

simdjson::dom::element JsonConverter::parse(std::string_view text) {
  simdjson::dom::element root;
  auto err = parser_.parse(text.data(), text.size()).get(root);
  if (err == simdjson::NUMBER_ERROR)  // perhaps leading zeros, which Kafka's Jackson accepts
    if (auto fixed = without_leading_zeros(text)) err = parser_.parse(*fixed).get(root);
  if (err)
    throw DataException(fmt::format(
        "Converting byte[] to Kafka Connect data failed due to serialization error: {}", simdjson::error_message(err)));
  return root;
}

void JsonConverter::take_connect_data(std::string_view topic, std::optional<std::string>&& bytes, SchemaPtr& schema,
                                      Value& value) {
  if (!bytes || schemas_enable_) return Converter::take_connect_data(topic, std::move(bytes), schema, value);
  const std::string_view text = json_content(*bytes);
  schema = nullptr;
  if (text.empty()) {
    value = Value();
    return;
  }
  simdjson::dom::element root = parse(text);  // parsed from the parser's own copy: `bytes` may be overwritten
  if (!root.is_string()) {
    json_element_to_value(root, value);  // schemaless: built in the record's value itself
    return;
  }
  // A string (a line a source read, carried as JSON): its unescaped text is never longer than
  // the JSON, so it goes into the bytes' memory instead of a new allocation.
  bytes->assign(root.get_string().value_unsafe());
  value.storage().emplace<std::string>(std::move(*bytes));
}

// A record of a stream usually carries the schema of the record before it. When the text is
// {"schema":<the last schema's exact bytes>,"payload":P} with nothing after the closing brace but
// whitespace, only P is parsed: those schema bytes were a complete JSON value (a value ends where its
// own bytes say), so the text is valid JSON with exactly these two fields if and only if P is one
// JSON value. Anything else (P not one value, other spacing or field order) goes the general way.
std::optional<SchemaAndValue> JsonConverter::with_known_schema(std::string_view text) {
  constexpr std::string_view kHead = kSchemaHead, kPayload = ",\"payload\":";
  const std::string& raw = last_schema_raw_;
  if (raw.empty() || text.size() < kHead.size() + raw.size() + kPayload.size() + 2 ||
      text.compare(0, kHead.size(), kHead) != 0 || text.compare(kHead.size(), raw.size(), raw) != 0 ||
      text.compare(kHead.size() + raw.size(), kPayload.size(), kPayload) != 0)
    return std::nullopt;
  size_t end = text.size();
  while (end > 0 && is_json_space(text[end - 1])) --end;
  const size_t at = kHead.size() + raw.size() + kPayload.size();
  if (end <= at || text[end - 1] != '}') return std::nullopt;
  simdjson::dom::element payload;
  if (parser_.parse(text.data() + at, end - 1 - at).get(payload)) return std::nullopt;
  return SchemaAndValue{last_schema_, json::json_to_connect(last_schema_, &payload, opts_)};
}

PluginInfo json_converter_plugin() {
  PluginInfo info;
  info.name = "JsonConverter";
  info.aliases = {"org.apache.kafka.connect.json.JsonConverter"};
  info.kind = PluginKind::Converter;
  info.summary = "JSON with or without the {\"schema\":…,\"payload\":…} envelope";
  info.description =
      "Kafka's JsonConverter, byte for byte. With schemas.enable=true every message is an envelope holding the "
      "Connect schema and the payload; without it, plain JSON whose schema is inferred on read (integers as int64, "
      "other numbers as float64, objects as maps, arrays as lists).";
  using config::KeyDef;
  using config::KeyType;
  info.spec.define(KeyDef{"schemas.enable", KeyType::Boolean, config::ConfigValue(true),
                          "Include schemas within each of the serialized values and keys.", std::nullopt, false});
  info.spec.define(KeyDef{"schemas.cache.size", KeyType::Int, config::ConfigValue(int64_t{1000}),
                          "The maximum number of schemas that can be cached in this converter instance.",
                          config::validators::at_least(0), false});
  info.spec.define(KeyDef{"decimal.format", KeyType::String, config::ConfigValue(std::string("BASE64")),
                          "Controls which format this converter will serialize decimals in. This value is case "
                          "insensitive and can be either 'BASE64' (default) or 'NUMERIC'.",
                          config::validators::one_of({"BASE64", "NUMERIC"}), false});
  info.spec.define(KeyDef{"replace.null.with.default", KeyType::Boolean, config::ConfigValue(true),
                          "Whether to replace fields that have a default value and that are null to the default "
                          "value. When set to true, the default value is used, otherwise null is used.",
                          std::nullopt, false});
  info.make_converter = [] { return std::make_unique<JsonConverter>(); };
  return info;
}

}  // namespace connectrun
