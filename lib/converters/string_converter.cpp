#include "converters/string_converter.h"

#include <fmt/format.h>

#include "converters/values.h"
#include "json/json_writer.h"
#include "json/utf8.h"

namespace connectrun {

namespace {
bool is_utf8_name(std::string_view name) {
  std::string n;
  for (char c : name) n.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return n == "UTF-8" || n == "UTF8";
}
}  // namespace

void StringConverter::configure(const config::ConfigValues& cfg, bool /*is_key*/) {
  std::string encoding = cfg.get_string("converter.encoding");
  if (!is_utf8_name(encoding))
    throw config::ConfigError("converter.encoding",
                              fmt::format("Unsupported converter.encoding '{}': only UTF-8 is supported", encoding));
}

bool StringConverter::from_connect_data(std::string_view /*topic*/, const SchemaPtr& /*schema*/, const Value& value,
                                        std::string& out) {
  out.clear();
  if (value.is_null()) return false;
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) out.append(x);
        else if constexpr (std::is_same_v<T, Bytes>) out.append(x.data);
        else if constexpr (std::is_same_v<T, Timestamp>) out.append(values::java_date_string(x.millis));
        else if constexpr (std::is_same_v<T, Array> || std::is_same_v<T, MapEntries> ||
                           std::is_same_v<T, std::shared_ptr<StructValue>>)
          append_schemaless_json(out, value);
        else values::append_string(out, value);
      },
      value.storage());
  return true;
}

bool StringConverter::take_string(Value& value, std::string& out) {
  auto* s = value.get_if<std::string>();
  if (!s) return false;
  out = std::move(*s);
  return true;
}

namespace {
const SchemaPtr& optional_string() {
  static const SchemaPtr kSchema = schemas::string(true);  // looked up once, not per record
  return kSchema;
}
}  // namespace

const SchemaPtr& StringConverter::optional_schema() { return optional_string(); }

void StringConverter::take_connect_data(std::string_view /*topic*/, std::optional<std::string>&& bytes,
                                        SchemaPtr& schema, Value& value) {
  take_bytes(std::move(bytes), optional_string(), schema, value);
}

SchemaAndValue StringConverter::to_connect_data(std::string_view /*topic*/, std::optional<std::string_view> bytes) {
  if (!bytes) return {schemas::string(true), Value()};
  return {schemas::string(true), Value(utf8::to_valid(*bytes))};
}

PluginInfo string_converter_plugin() {
  PluginInfo info;
  info.name = "StringConverter";
  info.aliases = {"org.apache.kafka.connect.storage.StringConverter"};
  info.kind = PluginKind::Converter;
  info.summary = "Values as UTF-8 text";
  info.description =
      "Writes strings as they are and other values as their text (numbers as Java prints them; structs, maps "
      "and arrays as compact JSON). Reads any bytes as an optional string, each malformed UTF-8 sequence "
      "replaced by U+FFFD as Java decodes it.";
  info.spec.define(config::KeyDef{"converter.encoding", config::KeyType::String,
                                  config::ConfigValue(std::string("UTF-8")),
                                  "The name of the Java character set to use for encoding strings as byte arrays. "
                                  "Only UTF-8 is supported.",
                                  std::nullopt, false});
  info.make_converter = [] { return std::make_unique<StringConverter>(); };
  return info;
}

}  // namespace connectrun
