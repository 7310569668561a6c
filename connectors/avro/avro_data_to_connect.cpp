// Avro schema → Connect schema (AvroData.toConnectSchema), defaults included.
#include <fmt/format.h>
#include <simdjson.h>

#include "connectors/avro/avro_data.h"
#include "json/json_reader.h"

namespace connectrun::avro {

namespace {

using simdjson::dom::element;
constexpr int64_t kMillisPerDay = 86400000;

// A JSON string of characters U+0000..U+00FF back to the bytes it stands for (ISO-8859-1).
std::string utf8_to_latin1(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0xC0 && c <= 0xC3 && i + 1 < s.size()) {
      out.push_back(static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(s[++i]) & 0x3F)));
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

class ToConnect {
 public:
  explicit ToConnect(const AvroDataOptions& opts) : opts_(opts) {}

  // field_default: the Avro field's "default" JSON, when converting a field's schema.
  SchemaPtr convert(const AvroNode& a, bool force_optional, const std::string* field_default,
                    std::optional<int32_t> version = std::nullopt) {
    auto type = a.string_prop(kConnectType);
    auto logical = a.string_prop("logicalType");
    SchemaBuilder b(Type::String);
    switch (a.type) {
      case AvroType::Boolean: b = SchemaBuilder::boolean(); break;
      case AvroType::Bytes:
      case AvroType::Fixed:
        if (logical == "decimal") {
          b = schemas::decimal(static_cast<int32_t>(a.int_prop("scale").value_or(0)));
          if (a.prop("precision") && !a.int_prop("precision"))
            throw DataException("precision property must be a JSON Integer. https://avro.apache.org/docs/1.9.1/spec.html#Decimal");
          if (auto p = a.int_prop("precision"); p && *p != kDecimalPrecisionDefault)
            b.parameter(std::string(kDecimalPrecision), std::to_string(*p));
        } else {
          b = SchemaBuilder::bytes();
        }
        if (a.type == AvroType::Fixed) b.parameter(std::string(kFixedSize), std::to_string(a.size));
        break;
      case AvroType::Double: b = SchemaBuilder::float64(); break;
      case AvroType::Float: b = SchemaBuilder::float32(); break;
      case AvroType::Int:
        if (logical == "date") b = schemas::date();
        else if (logical == "time-millis") b = schemas::time();
        else if (!logical && type == "int8") b = SchemaBuilder::int8();
        else if (!logical && type == "int16") b = SchemaBuilder::int16();
        else if (!logical && type) throw DataException("Connect type annotation for Avro int field is null");
        else b = SchemaBuilder::int32();
        break;
      case AvroType::Long:
        b = logical == "timestamp-millis" ? schemas::timestamp() : SchemaBuilder::int64();
        break;
      case AvroType::String: b = SchemaBuilder::string(); break;
      case AvroType::Array: {
        const AvroNode& elem = *a.items;
        if (is_map_entry(elem)) {
          const AvroField* k = field(elem, "key");
          const AvroField* v = field(elem, "value");
          if (elem.fields.size() != 2 || !k || !v)
            throw DataException("Found map encoded as array of key-value pairs, but array elements do not match the expected format.");
          b = SchemaBuilder::map(convert(*k->schema, false, nullptr), convert(*v->schema, false, nullptr));
        } else {
          b = SchemaBuilder::array(convert(elem, false, nullptr));
        }
        break;
      }
      case AvroType::Map: b = SchemaBuilder::map(schemas::string(), convert(*a.values, false, nullptr)); break;
      case AvroType::Record:
        b = SchemaBuilder::structure();
        if (opts_.connect_meta_data && a.doc) b.parameter(std::string(kAvroRecordDoc), *a.doc);
        for (auto& f : a.fields) {
          if (opts_.connect_meta_data && f.doc) b.parameter(std::string(kAvroFieldDocPrefix) + f.name, *f.doc);
          SchemaPtr fs = convert(*f.schema, false, f.default_json ? &*f.default_json : nullptr);
          b.field(f.name, fs);
        }
        break;
      case AvroType::Enum:
        b = SchemaBuilder::string();
        if (opts_.connect_meta_data) {
          if (a.doc) b.parameter(std::string(kAvroEnumDocPrefix) + a.name, *a.doc);
          if (a.enum_default) b.parameter(std::string(kAvroEnumDefaultPrefix) + a.name, *a.enum_default);
        }
        b.parameter(std::string(kAvroTypeEnum), a.full_name());
        for (auto& sym : a.symbols) b.parameter(std::string(kAvroTypeEnum) + "." + sym, sym);
        break;
      case AvroType::Union: {
        if (a.branches.size() == 1) return convert(*a.branches[0], false, nullptr);
        if (a.branches.size() == 2 && a.null_branch() >= 0)
          return convert(*a.branches[1 - a.null_branch()], true, nullptr);
        b = SchemaBuilder::structure().name(std::string(kAvroTypeUnion));
        std::vector<std::string> names;
        for (auto& m : a.branches) {
          if (m->type == AvroType::Null) {
            b.optional();
            continue;
          }
          std::string fname = union_member_name(*m);
          for (auto& n : names)
            if (n == fname) throw DataException("Multiple union schemas map to the Connect union field name");
          names.push_back(fname);
          b.field(fname, convert(*m, true, nullptr));
        }
        break;
      }
      case AvroType::Null:
        throw DataException("Standalone null schemas are not supported by this converter");
    }

    if (auto doc = a.string_prop(kConnectDoc); opts_.connect_meta_data && doc) b.doc(*doc);
    if (const std::string* v = a.prop(kConnectVersion)) {
      auto n = a.int_prop(kConnectVersion);
      if (!n) throw DataException("Invalid Connect version found: " + *v);
      b.version(static_cast<int32_t>(*n));
    } else if (version) {
      b.version(*version);
    }
    if (const std::string* params = a.prop(kConnectParameters); opts_.connect_meta_data && params) add_parameters(b, *params);
    for (auto& [k, v] : a.props)
      if (k.rfind("avro", 0) == 0) b.parameter(k, string_value(v));

    const std::string* connect_default = a.prop(kConnectDefault);
    const std::string* def = field_default;
    if (!def) def = connect_default;
    else if (opts_.connect_meta_data && !connect_default) b.parameter(std::string(kAvroFieldDefaultFlag), "true");
    if (def) {
      try {
        Value v = default_value(*b.build(), a, parse(*def));
        if (!v.is_null()) b.default_value(std::move(v));
      } catch (const DataException&) {
        // Confluent's AvroData ignores an invalid default (with a warning): so does this.
      }
    }

    std::optional<std::string> name;
    if (auto cn = a.string_prop(kConnectName)) name = cn;
    else if (a.prop(kConnectName)) throw DataException("Invalid schema name: " + *a.prop(kConnectName));
    else if (a.type == AvroType::Record || a.type == AvroType::Enum) name = a.full_name();
    else if (a.type == AvroType::Fixed && b.schema().name != schemas::kDecimalName) name = a.full_name();
    if (name && name->rfind(kDefaultSchemaFullName, 0) != 0) {
      if (b.schema().name && *b.schema().name != *name)
        throw DataException(fmt::format("Mismatched names: name already added to SchemaBuilder ({}) differs from name in source schema ({})",
                                        *b.schema().name, *name));
      b.name(*name);
    }
    if (force_optional) b.optional();
    return b.build();
  }

 private:
  const AvroDataOptions& opts_;
  simdjson::dom::parser parser_;

  element parse(const std::string& json) {
    element e;
    if (auto err = parser_.parse(json).get(e)) throw DataException(simdjson::error_message(err));
    return e;
  }

  static std::string string_value(const std::string& json) {
    if (json.size() >= 2 && json.front() == '"') {
      simdjson::dom::parser p;
      std::string_view s;
      if (!p.parse(json).get_string().get(s)) return std::string(s);
    }
    return json;
  }

  void add_parameters(SchemaBuilder& b, const std::string& json) {
    simdjson::dom::parser p;
    simdjson::dom::object obj;
    if (p.parse(json).get_object().get(obj)) throw DataException("Expected JSON object for schema parameters but found: " + json);
    for (auto [k, v] : obj) {
      std::string_view s;
      if (v.get_string().get(s))
        throw DataException("Expected schema parameter values to be strings but found: " + std::string(simdjson::minify(v)));
      b.parameter(std::string(k), std::string(s));
    }
  }

  static const AvroField* field(const AvroNode& rec, std::string_view name) {
    for (auto& f : rec.fields)
      if (f.name == name) return &f;
    return nullptr;
  }

  static bool is_map_entry(const AvroNode& elem) {
    if (elem.type != AvroType::Record) return false;
    if (elem.full_name() == std::string(kNamespace) + "." + std::string(kMapEntryTypeName)) return true;
    return elem.string_prop(kConnectInternalType) == std::string(kMapEntryTypeName);
  }

  std::string union_member_name(const AvroNode& m) const {
    if (m.is_named()) return opts_.enhanced_schema_support ? m.full_name() : m.name;
    return std::string(avro_type_name(m.type));
  }

  // defaultValueFromAvro: an Avro default (JSON) as the Connect value of schema `s`.
  Value default_value(const Schema& s, const AvroNode& a, element j) {
    if (j.is_null()) return {};
    const std::string name = s.name.value_or("");
    Value raw = plain_default(s, a, j);
    if (raw.is_null()) return raw;
    if (name == schemas::kDecimalName) return Decimal{raw.as<Bytes>().data.empty() ? std::string(1, '\0') : raw.as<Bytes>().data,
                                                      decimal_scale_of(s)};
    if (name == schemas::kDateName) return Timestamp{int64_t{raw.as<int32_t>()} * kMillisPerDay};
    if (name == schemas::kTimeName) return Timestamp{raw.as<int32_t>()};
    if (name == schemas::kTimestampName) return Timestamp{raw.as<int64_t>()};
    return raw;
  }

  Value plain_default(const Schema& s, const AvroNode& a, element j) {
    int64_t i = 0;
    double d = 0;
    std::string_view str;
    switch (a.type) {
      case AvroType::Int:
        if (j.get_int64().get(i)) throw DataException("Invalid JSON for int default value");
        if (s.type == Type::Int8) return static_cast<int8_t>(i);
        if (s.type == Type::Int16) return static_cast<int16_t>(i);
        return static_cast<int32_t>(i);
      case AvroType::Long:
        if (j.get_int64().get(i)) throw DataException("Invalid JSON for long default value");
        return i;
      case AvroType::Float:
        if (j.get_double().get(d)) throw DataException("Invalid JSON for float default value");
        return static_cast<float>(d);
      case AvroType::Double:
        if (j.get_double().get(d)) throw DataException("Invalid JSON for double default value");
        return d;
      case AvroType::Boolean: return j.is_bool() && j.get_bool().value();
      case AvroType::String:
      case AvroType::Enum:
        if (j.get_string().get(str)) throw DataException("Invalid JSON for string default value");
        return std::string(str);
      case AvroType::Bytes:
      case AvroType::Fixed:
        if (j.get_string().get(str)) throw DataException("Invalid binary data in default value");
        return Bytes{utf8_to_latin1(str)};
      case AvroType::Array: {
        simdjson::dom::array arr;
        if (j.get_array().get(arr)) throw DataException("Invalid JSON for array default value");
        if (s.type == Type::Map) throw DataException("Map defaults as arrays of entries are not read");
        Array out;
        for (element e : arr) out.push_back(default_value(*s.value_schema, *a.items, e));
        return out;
      }
      case AvroType::Map: {
        simdjson::dom::object obj;
        if (j.get_object().get(obj)) throw DataException("Invalid JSON for map default value");
        MapEntries out;
        for (auto [k, v] : obj) out.emplace_back(Value(std::string(k)), default_value(*s.value_schema, *a.values, v));
        return out;
      }
      case AvroType::Record: {
        simdjson::dom::object obj;
        if (j.get_object().get(obj)) throw DataException("Invalid JSON for record default value");
        auto st = StructValue::make(std::make_shared<Schema>(s));
        for (auto& f : a.fields) {
          const Field* cf = s.field(f.name);
          element fj;
          if (!cf) continue;
          if (obj[f.name].get(fj)) continue;
          st->values[cf->index] = default_value(*cf->schema, *f.schema, fj);
        }
        return st;
      }
      case AvroType::Union: {
        if (a.branches.empty() || a.branches[0]->type == AvroType::Null) return {};
        const Field* f = s.field(union_member_name(*a.branches[0]));
        if (!f) return {};
        auto st = StructValue::make(std::make_shared<Schema>(s));
        st->values[f->index] = default_value(*f->schema, *a.branches[0], j);
        return st;
      }
      case AvroType::Null: return {};
    }
    return {};
  }
};

}  // namespace

SchemaPtr to_connect_schema(const AvroNode& schema, const AvroDataOptions& opts, std::optional<int32_t> version) {
  ToConnect c(opts);
  return c.convert(schema, false, nullptr, version);
}

}  // namespace connectrun::avro
