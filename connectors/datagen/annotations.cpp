#include "connectors/datagen/annotations.h"

#include <cerrno>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "json/json_reader.h"
#include "json/json_writer.h"

namespace connectrun::datagen {

void fail(const std::string& where, const std::string& what) {
  throw SchemaError(where.empty() ? what : fmt::format("field {}: {}", where, what));
}

std::string kind_of(const Value& v) {
  if (v.is_null()) return "null";
  if (v.is<bool>()) return "a boolean";
  if (v.is<int64_t>() || v.is<double>()) return "a number";
  if (v.is<std::string>()) return "a string";
  if (v.is<Array>()) return "an array";
  return "an object";
}

std::string string_member(const Value& obj, std::string_view key, const std::string& where) {
  const Value* v = obj.find(key);
  if (!v) return {};
  if (!v->is<std::string>()) fail(where, fmt::format("\"{}\" must be a string, not {}", key, kind_of(*v)));
  return v->as<std::string>();
}

// ---- options ----

// A JSON option as a Connect value of `schema` (GenericData.validate's rules).
Value option_value(const Value& v, const SchemaPtr& schema, const std::string& where) {
  auto bad = [&]() -> Value {
    fail(where, fmt::format("the option {} is not a valid {} value", to_schemaless_json(v),
                            schema->name ? *schema->name : std::string(type_name(schema->type))));
  };
  if (v.is_null()) return schema->optional ? Value() : bad();
  switch (schema->type) {
    case Type::Int32:
      if (!v.is<int64_t>() || v.as<int64_t>() < INT32_MIN || v.as<int64_t>() > INT32_MAX) return bad();
      if (schemas::is_logical(*schema, schemas::kDateName)) return Value(Timestamp{v.as<int64_t>() * 86400000});
      if (schemas::is_logical(*schema, schemas::kTimeName)) return Value(Timestamp{v.as<int64_t>()});
      return Value(static_cast<int32_t>(v.as<int64_t>()));
    case Type::Int64:
      if (!v.is<int64_t>()) return bad();
      if (schemas::is_logical(*schema, schemas::kTimestampName)) return Value(Timestamp{v.as<int64_t>()});
      return Value(v.as<int64_t>());
    case Type::Float32:
      if (v.is<int64_t>()) return Value(static_cast<float>(v.as<int64_t>()));
      if (v.is<double>()) return Value(static_cast<float>(v.as<double>()));
      return bad();
    case Type::Float64:
      if (v.is<int64_t>()) return Value(static_cast<double>(v.as<int64_t>()));
      if (v.is<double>()) return Value(v.as<double>());
      return bad();
    case Type::Boolean:
      return v.is<bool>() ? Value(v.as<bool>()) : bad();
    case Type::String:
      if (!v.is<std::string>()) return bad();
      if (const std::string* e = schema->parameter("io.confluent.connect.avro.Enum")) {
        (void)e;
        if (!schema->parameter("io.confluent.connect.avro.Enum." + v.as<std::string>())) return bad();
      }
      return Value(v.as<std::string>());
    case Type::Bytes:
      if (!v.is<std::string>()) return bad();
      return Value(Bytes{v.as<std::string>()});
    case Type::Array: {
      if (!v.is<Array>()) return bad();
      Array out;
      for (const Value& e : v.as<Array>()) out.push_back(option_value(e, schema->value_schema, where));
      return Value(std::move(out));
    }
    case Type::Map: {
      if (!v.is<MapEntries>()) return bad();
      MapEntries out;
      for (const auto& [k, e] : v.as<MapEntries>()) out.emplace_back(k, option_value(e, schema->value_schema, where));
      return Value(std::move(out));
    }
    case Type::Struct: {
      if (!v.is<MapEntries>()) return bad();
      auto s = StructValue::make(schema);
      for (const Field& f : schema->fields) {
        const Value* fv = v.find(f.name);
        if (!fv && !f.schema->optional)
          fail(where, fmt::format("the option {} has no value for the field \"{}\"", to_schemaless_json(v), f.name));
        s->values[f.index] = fv ? option_value(*fv, f.schema, where + "." + f.name) : Value();
      }
      return Value(std::move(s));
    }
    default:
      return bad();
  }
}

namespace {

// Avro's JSON encoding wraps a union's value in {"type": value}: unwrapped for ["null", T].
Value unwrap_union(const Value& v, const SchemaPtr& schema) {
  if (schema->optional && v.is<MapEntries>() && v.as<MapEntries>().size() == 1 && schema->type != Type::Map &&
      schema->type != Type::Struct)
    return v.as<MapEntries>().front().second;
  return v;
}

// {"file": F, "encoding": "json"}: the values in F, Avro's JSON encoding, one after another.
std::vector<Value> options_from_file(const Value& spec, const std::string& where) {
  const Value* file = spec.find("file");
  const Value* encoding = spec.find("encoding");
  if (!file || !encoding) fail(where, "options property must contain 'file' and 'encoding' fields when given as object");
  if (!file->is<std::string>()) fail(where, "'file' field of options property must be given as string");
  if (!encoding->is<std::string>()) fail(where, "'encoding' field of options property must be given as string");
  const std::string& path = file->as<std::string>();
  if (encoding->as<std::string>() == "binary")
    fail(where, "options in Avro binary encoding (\"encoding\": \"binary\") are not supported by connectrun: "
                "write them as JSON (\"encoding\": \"json\")");
  if (encoding->as<std::string>() != "json")
    fail(where, "'encoding' field of options property only supports two formats: 'binary' and 'json'");
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path).get(text))
    fail(where, fmt::format("Unable to read options file '{}': {}", path, std::strerror(errno)));
  std::vector<Value> values;
  simdjson::dom::parser parser;
  simdjson::dom::document_stream docs;
  if (parser.parse_many(text).get(docs)) fail(where, fmt::format("the options file '{}' is not JSON", path));
  for (auto doc : docs) {
    simdjson::dom::element e;
    if (doc.get(e)) fail(where, fmt::format("the options file '{}' is not JSON values one after another", path));
    values.push_back(json_element_to_value(e));
  }
  return values;
}

}  // namespace

GenPtr options_node(const Value& options, const SchemaPtr& schema, const std::string& where) {
  std::vector<Value> listed;
  const bool from_file = options.is<MapEntries>();
  if (from_file) {
    listed = options_from_file(options, where);
  } else if (options.is<Array>()) {
    listed = options.as<Array>();
  } else {
    fail(where, fmt::format("\"options\" must be an array or an object, not {}", kind_of(options)));
  }
  if (listed.empty()) fail(where, "\"options\" cannot be empty");
  auto node = std::make_unique<OptionsNode>();
  for (const Value& o : listed) node->options.push_back(option_value(from_file ? unwrap_union(o, schema) : o, schema, where));
  return node;
}

// ---- iteration ----

std::optional<int64_t> integral_field(const Value& obj, const char* prop, const char* field,
                                             const std::string& where, int64_t lo, int64_t hi) {
  const Value* v = obj.find(field);
  if (!v) return std::nullopt;
  if (!v->is<int64_t>())
    fail(where, fmt::format("'{}' field of {} property must be an integral number, not {}", field, prop, kind_of(*v)));
  if (v->as<int64_t>() < lo || v->as<int64_t>() > hi)
    fail(where, fmt::format("'{}' field of {} property must be a valid int for int schemas", field, prop));
  return v->as<int64_t>();
}
std::optional<double> number_field(const Value& obj, const char* prop, const char* field,
                                          const std::string& where) {
  const Value* v = obj.find(field);
  if (!v) return std::nullopt;
  if (v->is<int64_t>()) return static_cast<double>(v->as<int64_t>());
  if (v->is<double>()) return v->as<double>();
  fail(where, fmt::format("'{}' field of {} property must be a number, not {}", field, prop, kind_of(*v)));
}

GenPtr iteration_node(const Value& obj, const std::string& type, const Value& p, const std::string& where,
                      GenShared& shared, int64_t generation) {
  const Value& it = *p.find("iteration");
  if (!it.is<MapEntries>()) fail(where, fmt::format("iteration prop must be an object, not {}", kind_of(it)));
  const std::string key = type + ":" + to_schemaless_json(obj);
  if (type == "boolean") {
    const Value* start = it.find("start");
    if (!start || !start->is<bool>()) fail(where, "iteration property of a boolean needs a boolean \"start\"");
    auto& slot = shared.boolean[key];
    if (!slot) slot = std::make_shared<bool>(start->as<bool>());  // Java's boolean iterator ignores the generation
    auto node = std::make_unique<BoolIterNode>();
    node->current = slot;
    return node;
  }
  if (type == "int" || type == "long" || type == "string") {
    const bool is_long = type == "long";
    const int64_t lo = is_long ? INT64_MIN : INT32_MIN, hi = is_long ? INT64_MAX : INT32_MAX;
    auto start = integral_field(it, "iteration", "start", where, lo, hi);
    auto restart = integral_field(it, "iteration", "restart", where, lo, hi);
    auto step = integral_field(it, "iteration", "step", where, lo, hi);
    auto initial = integral_field(it, "iteration", "initial", where, lo, hi);
    if (!start) fail(where, "iteration property must contain start field");
    int64_t r = 0, s = 0;
    if (!restart && !step) {
      r = hi;
      s = 1;
    } else if (!restart) {
      s = *step;
      if (s == 0) fail(where, "step field of iteration property cannot be zero");
      r = s > 0 ? hi : -lo;  // Java: -1 * MIN_VALUE, kept as it computes it
    } else if (!step) {
      r = *restart;
      if (r == *start) fail(where, "start and restart fields of iteration property cannot be equal");
      s = r > *start ? 1 : -1;
    } else {
      r = *restart;
      s = *step;
      if (s == 0) fail(where, "step field of iteration property cannot be zero");
      if (r == *start) fail(where, "start and restart fields of iteration property cannot be equal");
      if (r > *start && s < 0) fail(where, "step field of iteration property must be positive when restart field is greater than start field");
      if (r < *start && s > 0) fail(where, "step field of iteration property must be negative when restart field is less than start field");
    }
    auto& slot = shared.integral[key];
    if (!slot) slot = std::make_shared<IntegralIteration>(*start, r, s, initial.value_or(*start), generation);
    auto node = std::make_unique<IntegralIterNode>();
    node->it = slot;
    node->type = is_long ? Type::Int64 : Type::Int32;
    if (type == "string") {
      node->as_string = true;
      node->prefix = string_member(p, "prefix", where);
      node->suffix = string_member(p, "suffix", where);
    }
    return node;
  }
  if (type == "float" || type == "double") {
    const bool is_float = type == "float";
    const double hi = is_float ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
    auto start = number_field(it, "iteration", "start", where);
    auto restart = number_field(it, "iteration", "restart", where);
    auto step = number_field(it, "iteration", "step", where);
    auto initial = number_field(it, "iteration", "initial", where);
    if (!start) fail(where, "iteration property must contain start field");
    double r = 0, s = 0;
    if (!restart && !step) {
      r = hi;
      s = 1;
    } else if (!restart) {
      s = *step;
      if (s == 0) fail(where, "step field of iteration property cannot be zero");
      r = s > 0 ? hi : -hi;
    } else if (!step) {
      r = *restart;
      if (r == *start) fail(where, "start and restart fields of iteration property cannot be equal");
      s = r > *start ? 1 : -1;
    } else {
      r = *restart;
      s = *step;
      if (s == 0) fail(where, "step field of iteration property cannot be zero");
      if (r == *start) fail(where, "start and restart fields of iteration property cannot be equal");
      if ((r > *start && s < 0) || (r < *start && s > 0))
        fail(where, "step field of iteration property must point from start towards restart");
    }
    auto& slot = shared.decimal[key];
    if (!slot) slot = std::make_shared<DecimalIteration>(*start, r, s, initial.value_or(*start), generation);
    auto node = std::make_unique<DecimalIterNode>();
    node->it = slot;
    node->is_float = is_float;
    return node;
  }
  fail(where, fmt::format("iteration property can only be specified on numeric, boolean or string schemas, not {}", type));
}

LengthBounds length_bounds(const Value& p, const std::string& where) {
  LengthBounds b;
  const Value* l = p.find("length");
  if (!l) return b;
  if (l->is<int64_t>()) {
    if (l->as<int64_t>() < 0 || l->as<int64_t>() > INT32_MAX - 1)
      fail(where, "when given as integral number, length property cannot be negative");
    b.min = static_cast<int>(l->as<int64_t>());
    b.max = b.min + 1;
    return b;
  }
  if (!l->is<MapEntries>()) fail(where, fmt::format("length property must either be an integral number or an object, not {}", kind_of(*l)));
  auto min = integral_field(*l, "length", "min", where, INT32_MIN, INT32_MAX);
  auto max = integral_field(*l, "length", "max", where, INT32_MIN, INT32_MAX);
  if (!min && !max) fail(where, "length property must contain at least one of 'min' or 'max' fields when given as object");
  b.min = static_cast<int>(min.value_or(0));
  b.max = static_cast<int>(max.value_or(INT32_MAX));
  if (b.min < 0) fail(where, "min field of length property cannot be negative");
  if (b.max <= b.min) fail(where, "max field must be strictly greater than min field for length property");
  return b;
}

}  // namespace connectrun::datagen
