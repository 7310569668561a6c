// Connect schema → Avro schema (AvroData.fromConnectSchema).
#include <set>

#include <fmt/format.h>

#include "connectors/avro/avro_data.h"
#include "json/json_writer.h"

namespace connectrun::avro {

namespace {

constexpr int64_t kMillisPerDay = 86400000;

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

// Bytes as Avro's JSON form of them: one character per byte (ISO-8859-1), as UTF-8.
std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::pair<std::string, std::string> split_name(const std::string& full) {
  auto dot = full.rfind('.');
  if (dot == std::string::npos) return {"", full};
  return {full.substr(0, dot), full.substr(dot + 1)};
}

const std::string* param(const Schema& s, std::string_view key) { return s.parameter(key); }

bool name_char(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }  // Java letters: any non-ASCII taken as one

// Avro's Schema.validateName: what Avro's Java library refuses, refused with its words.
void validate_name(const std::string& name) {
  if (name.empty()) throw DataException("Empty name");
  auto first = static_cast<unsigned char>(name[0]);
  if (!(std::isalpha(first) || first == '_' || first >= 0x80)) throw DataException("Illegal initial character: " + name);
  for (unsigned char c : name)
    if (!name_char(c)) throw DataException("Illegal character in: " + name);
}

SchemaPtr non_optional(const Schema& s) {
  auto copy = std::make_shared<Schema>(s);
  copy->optional = false;
  return copy;
}

class FromConnect {
 public:
  explicit FromConnect(const AvroDataOptions& opts) : opts_(opts) {}

  AvroPtr convert(const Schema& schema, bool ignore_optional) {
    if (!is_union_schema(schema) && !schema.optional)
      for (auto& [s, a] : seen_)
        if (*s == schema) return a;

    std::optional<std::string> connect_type;
    AvroPtr base;
    switch (schema.type) {
      case Type::Int8: connect_type = "int8"; base = make_node(AvroType::Int); break;
      case Type::Int16: connect_type = "int16"; base = make_node(AvroType::Int); break;
      case Type::Int32: base = make_node(AvroType::Int); break;
      case Type::Int64: base = make_node(AvroType::Long); break;
      case Type::Float32: base = make_node(AvroType::Float); break;
      case Type::Float64: base = make_node(AvroType::Double); break;
      case Type::Boolean: base = make_node(AvroType::Boolean); break;
      case Type::String: base = string_schema(schema); break;
      case Type::Bytes: base = bytes_schema(schema); break;
      case Type::Array:
        base = make_node(AvroType::Array);
        base->items = convert(*schema.value_schema, false);
        break;
      case Type::Map: base = map_schema(schema); break;
      case Type::Struct: base = struct_schema(schema); break;
    }

    AvroPtr final_schema = base;
    if (base->type != AvroType::Union) {
      add_metadata(schema, *base, connect_type);
      if (!ignore_optional) final_schema = maybe_optional(schema, base);
    }
    if (!schema.optional) seen_.emplace_back(std::make_shared<Schema>(schema), final_schema);
    return final_schema;
  }

  // defaultValueFromConnect: a Connect default as Avro's JSON for it.
  std::string default_json(const Schema& s, const Value& v) {
    if (v.is_null()) return "null";
    std::string out;
    const std::string name = s.name.value_or("");
    if (name == schemas::kDecimalName) {
      const auto* d = v.get_if<Decimal>();
      if (!d) throw DataException("Invalid type for Decimal, expected BigDecimal but was " + std::string(v.java_class()));
      return json_string(latin1_to_utf8(d->unscaled));
    }
    if (name == schemas::kDateName || name == schemas::kTimeName || name == schemas::kTimestampName) {
      const auto* t = v.get_if<Timestamp>();
      if (!t) throw DataException(fmt::format("Invalid type used for default value of {} field", type_name(s.type)));
      int64_t n = name == schemas::kDateName ? t->millis / kMillisPerDay : t->millis;
      append_integer(out, n);
      return out;
    }
    switch (s.type) {
      case Type::Int8: append_integer(out, v.as<int8_t>()); break;
      case Type::Int16: append_integer(out, v.as<int16_t>()); break;
      case Type::Int32: append_integer(out, v.as<int32_t>()); break;
      case Type::Int64: append_integer(out, v.as<int64_t>()); break;
      case Type::Float32: append_java_float(out, v.as<float>()); break;
      case Type::Float64: append_java_double(out, v.as<double>()); break;
      case Type::Boolean: out = v.as<bool>() ? "true" : "false"; break;
      case Type::String: append_json_string(out, v.as<std::string>()); break;
      case Type::Bytes: append_json_string(out, latin1_to_utf8(v.as<Bytes>().data)); break;
      case Type::Array: {
        out.push_back('[');
        bool first = true;
        for (auto& e : v.as<Array>()) {
          if (!first) out.push_back(',');
          first = false;
          out.append(default_json(*s.value_schema, e));
        }
        out.push_back(']');
        break;
      }
      case Type::Map: {
        bool as_object = string_keyed(s);
        out.push_back(as_object ? '{' : '[');
        bool first = true;
        for (auto& [k, e] : v.as<MapEntries>()) {
          if (!first) out.push_back(',');
          first = false;
          if (as_object) {
            append_json_string(out, k.as<std::string>());
            out.push_back(':');
            out.append(default_json(*s.value_schema, e));
          } else {
            out.push_back('[');
            out.append(default_json(*s.key_schema, k));
            out.push_back(',');
            out.append(default_json(*s.value_schema, e));
            out.push_back(']');
          }
        }
        out.push_back(as_object ? '}' : ']');
        break;
      }
      case Type::Struct: {
        const StructValue& st = v.as_struct();
        if (is_union_schema(s)) {
          if (s.fields.empty()) return "null";
          return default_json(*s.fields[0].schema, st.values[0]);
        }
        out.push_back('{');
        for (size_t i = 0; i < s.fields.size(); ++i) {
          if (i) out.push_back(',');
          append_json_string(out, opts_.scrub_invalid_names ? scrub_name(s.fields[i].name) : s.fields[i].name);
          out.push_back(':');
          out.append(default_json(*s.fields[i].schema, st.values[i]));
        }
        out.push_back('}');
        break;
      }
    }
    return out;
  }

 private:
  const AvroDataOptions& opts_;
  std::vector<std::pair<std::shared_ptr<Schema>, AvroPtr>> seen_;  // non-optional schemas converted, reused
  std::set<std::string> seen_named_;
  int name_index_ = 0;

  bool string_keyed(const Schema& map) const { return map.key_schema->type == Type::String && !map.key_schema->optional; }

  std::string valid_name(const std::string& name) const {
    if (opts_.scrub_invalid_names) return scrub_name(name);
    validate_name(name);
    return name;
  }

  // A dotted full name: scrubbed part by part (splitName), the last part validated.
  std::pair<std::string, std::string> valid_full_name(const std::string& full) const {
    auto [space, name] = split_name(full);
    if (opts_.scrub_invalid_names) {
      std::string scrubbed;
      size_t start = 0;
      while (!space.empty() && start <= space.size()) {
        size_t dot = space.find('.', start);
        if (dot == std::string::npos) dot = space.size();
        if (!scrubbed.empty()) scrubbed.push_back('.');
        scrubbed += scrub_name(space.substr(start, dot - start));
        start = dot + 1;
      }
      space = scrubbed;
    }
    return {space, valid_name(name)};
  }

  // getNameOrDefault: the Connect name split at its last dot, else ConnectDefault, ConnectDefault2, …
  std::pair<std::string, std::string> name_or_default(const std::optional<std::string>& name) {
    if (name) return valid_full_name(*name);
    ++name_index_;
    return {std::string(kNamespace),
            std::string(kDefaultSchemaName) + (name_index_ > 1 ? std::to_string(name_index_) : "")};
  }

  AvroPtr string_schema(const Schema& s) {
    const std::string* enum_name = param(s, kAvroTypeEnum);
    if (!opts_.enhanced_schema_support || !enum_name) return make_node(AvroType::String);
    auto n = make_node(AvroType::Enum);
    std::string prefix = std::string(kAvroTypeEnum) + ".";
    for (auto& [k, v] : s.parameters)
      if (k.rfind(prefix, 0) == 0) n->symbols.push_back(k.substr(prefix.size()));
    std::string short_name = name_or_default(s.name).second;
    std::tie(n->space, n->name) = valid_full_name(*enum_name);
    for (auto& sym : n->symbols) sym = valid_name(sym);
    if (auto* d = param(s, std::string(kAvroEnumDocPrefix) + short_name)) n->doc = *d;
    if (auto* d = param(s, std::string(kAvroEnumDefaultPrefix) + short_name)) n->enum_default = *d;
    return n;
  }

  AvroPtr bytes_schema(const Schema& s) {
    AvroPtr n;
    if (auto* size = param(s, kFixedSize)) {
      n = make_node(AvroType::Fixed);
      std::tie(n->space, n->name) = name_or_default(s.name);
      n->size = std::stoi(*size);
    } else {
      n = make_node(AvroType::Bytes);
    }
    if (s.name == schemas::kDecimalName) {
      n->set_prop("scale", std::to_string(decimal_scale_of(s)));
      const std::string* p = param(s, kDecimalPrecision);
      n->set_prop("precision", p ? std::to_string(std::stoi(*p)) : std::to_string(kDecimalPrecisionDefault));
    }
    return n;
  }

  AvroPtr map_schema(const Schema& s) {
    if (string_keyed(s)) {
      auto n = make_node(AvroType::Map);
      n->values = convert(*s.value_schema, false);
      return n;
    }
    // Avro maps have string keys only: other maps are arrays of key/value records.
    auto entry = make_node(AvroType::Record);
    if (!s.name) {
      entry->name = std::string(kMapEntryTypeName);
      entry->space = std::string(kNamespace);
    } else {
      std::tie(entry->space, entry->name) = name_or_default(s.name);
      entry->set_prop(std::string(kConnectInternalType), json_string(kMapEntryTypeName));
    }
    add_field(entry->fields, "key", *s.key_schema, std::nullopt);
    add_field(entry->fields, "value", *s.value_schema, std::nullopt);
    auto n = make_node(AvroType::Array);
    n->items = entry;
    return n;
  }

  AvroPtr struct_schema(const Schema& s) {
    if (is_union_schema(s)) {
      auto u = make_node(AvroType::Union);
      if (s.optional) u->branches.push_back(make_node(AvroType::Null));
      for (auto& f : s.fields) u->branches.push_back(convert(*non_optional(*f.schema), true));
      return u;
    }
    if (s.optional) {
      auto u = make_node(AvroType::Union);
      u->branches.push_back(make_node(AvroType::Null));
      u->branches.push_back(convert(*non_optional(s), false));
      return u;
    }
    auto n = make_node(AvroType::Record);
    std::tie(n->space, n->name) = name_or_default(s.name);
    if (auto* d = param(s, kAvroRecordDoc)) n->doc = *d;
    for (auto& f : s.fields) {
      std::optional<std::string> doc;
      if (auto* d = param(s, std::string(kAvroFieldDocPrefix) + f.name)) doc = *d;
      add_field(n->fields, valid_name(f.name), *f.schema, doc);
    }
    return n;
  }

  std::string parameters_json(const Schema& s) {
    std::string out = "{";
    bool first = true;
    for (auto& [k, v] : s.parameters) {
      if (k == kAvroFieldDefaultFlag) continue;
      if (!first) out.push_back(',');
      first = false;
      append_json_string(out, k);
      out.push_back(':');
      append_json_string(out, v);
    }
    out.push_back('}');
    return first ? std::string() : out;
  }

  void add_field(std::vector<AvroField>& fields, const std::string& name, const Schema& fs,
                 std::optional<std::string> doc) {
    AvroField f;
    f.name = name;
    f.doc = std::move(doc);
    if (fs.default_value && !fs.default_value->is_null()) f.default_json = default_json(fs, *fs.default_value);
    else if (fs.optional) f.default_json = "null";
    bool already_seen = fs.name && !seen_named_.insert(*fs.name).second;
    f.schema = convert(fs, false);
    auto named = [](const AvroNode& a) {
      if (a.is_named()) return true;
      if (a.type == AvroType::Union)
        for (auto& b : a.branches)
          if (b->is_named()) return true;
      return false;
    };
    // A named type written once and referenced after: its parameters go on the field.
    if (opts_.connect_meta_data && already_seen && !fs.parameters.empty() && named(*f.schema))
      if (auto p = parameters_json(fs); !p.empty()) f.props.emplace_back(std::string(kConnectParameters), p);
    fields.push_back(std::move(f));
  }

  void add_metadata(const Schema& s, AvroNode& base, const std::optional<std::string>& connect_type) {
    if (opts_.connect_meta_data) {
      if (s.doc) base.set_prop(std::string(kConnectDoc), json_string(*s.doc));
      if (s.version) base.set_prop(std::string(kConnectVersion), std::to_string(*s.version));
      if (auto p = parameters_json(s); !p.empty()) base.set_prop(std::string(kConnectParameters), p);
      if (s.default_value && !s.default_value->is_null() && !param(s, kAvroFieldDefaultFlag))
        base.set_prop(std::string(kConnectDefault), default_json(s, *s.default_value));
      if (s.name) base.set_prop(std::string(kConnectName), json_string(*s.name));
      if (connect_type) base.set_prop(std::string(kConnectType), json_string(*connect_type));
    }
    if (!s.name) return;
    const std::string& name = *s.name;
    std::optional<std::string> logical;
    if (name == schemas::kDecimalName) {
      const std::string* p = param(s, kDecimalPrecision);
      int32_t precision = p ? std::stoi(*p) : kDecimalPrecisionDefault;
      int32_t scale = decimal_scale_of(s);
      // A scale outside [0, precision] is not valid Avro: only the legacy annotation is written.
      if (scale >= 0 && scale <= precision) logical = "decimal";
      else base.set_prop("logicalType", json_string("decimal"));
    } else if (name == schemas::kTimeName) {
      logical = "time-millis";
    } else if (name == schemas::kTimestampName) {
      logical = "timestamp-millis";
    } else if (name == schemas::kDateName) {
      logical = "date";
    }
    if (logical) base.set_prop("logicalType", json_string(*logical));
    for (auto& [k, v] : s.parameters)
      if (k.rfind("avro", 0) == 0) base.set_prop(k, json_string(v));
  }

  static AvroPtr maybe_optional(const Schema& s, const AvroPtr& base) {
    if (!s.optional) return base;
    auto u = make_node(AvroType::Union);
    // Avro takes a field's default from the first branch: a non-null default puts null second.
    if (s.default_value && !s.default_value->is_null()) u->branches = {base, make_node(AvroType::Null)};
    else u->branches = {make_node(AvroType::Null), base};
    return u;
  }
};

}  // namespace

std::string scrub_name(const std::string& name) {
  if (name.empty()) return name;
  bool ok = !std::isdigit(static_cast<unsigned char>(name[0]));
  for (unsigned char c : name) ok = ok && (std::isalnum(c) || c == '_');
  if (ok) return name;
  // URLEncoder.encode(name, "UTF-8"): letters, digits and ".-*_" kept, space as "+", other bytes as %XX.
  std::string encoded;
  for (unsigned char c : name) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '*' || c == '_') encoded.push_back(static_cast<char>(c));
    else if (c == ' ') encoded.push_back('+');
    else encoded += fmt::format("%{:02X}", c);
  }
  if (std::isdigit(static_cast<unsigned char>(encoded[0]))) encoded = "x" + encoded;
  for (auto& c : encoded)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  return encoded;
}

bool is_union_schema(const Schema& s) { return s.type == Type::Struct && s.name == kAvroTypeUnion; }

int32_t decimal_scale_of(const Schema& s) {
  const std::string* p = s.parameter(schemas::kDecimalScaleParam);
  return p ? std::stoi(*p) : 0;
}

int32_t decimal_precision(const Decimal& d) {
  std::string digits = decimal_unscaled_digits(d);
  size_t n = digits.size() - (digits[0] == '-' ? 1 : 0);
  return static_cast<int32_t>(n);
}

AvroPtr from_connect_schema(const Schema& schema, const AvroDataOptions& opts) {
  FromConnect c(opts);
  return c.convert(schema, false);
}

}  // namespace connectrun::avro
