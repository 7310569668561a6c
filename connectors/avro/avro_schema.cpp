#include "connectors/avro/avro_schema.h"

#include <charconv>
#include <map>
#include <set>

#include <fmt/format.h>
#include <simdjson.h>

#include "data/value.h"
#include "json/json_writer.h"

namespace connectrun::avro {

std::string_view avro_type_name(AvroType t) {
  switch (t) {
    case AvroType::Null: return "null";
    case AvroType::Boolean: return "boolean";
    case AvroType::Int: return "int";
    case AvroType::Long: return "long";
    case AvroType::Float: return "float";
    case AvroType::Double: return "double";
    case AvroType::Bytes: return "bytes";
    case AvroType::String: return "string";
    case AvroType::Record: return "record";
    case AvroType::Enum: return "enum";
    case AvroType::Array: return "array";
    case AvroType::Map: return "map";
    case AvroType::Union: return "union";
    case AvroType::Fixed: return "fixed";
  }
  return "?";
}

AvroPtr make_node(AvroType t) {
  auto n = std::make_shared<AvroNode>();
  n->type = t;
  return n;
}

const std::string* AvroNode::prop(std::string_view key) const {
  for (auto& [k, v] : props)
    if (k == key) return &v;
  return nullptr;
}

std::optional<std::string> AvroNode::string_prop(std::string_view key) const {
  const std::string* p = prop(key);
  if (!p || p->size() < 2 || p->front() != '"') return std::nullopt;
  simdjson::dom::parser parser;
  std::string_view s;
  if (parser.parse(*p).get_string().get(s)) return std::nullopt;
  return std::string(s);
}

std::optional<int64_t> AvroNode::int_prop(std::string_view key) const {
  const std::string* p = prop(key);
  if (!p) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(p->data(), p->data() + p->size(), v);
  if (ec != std::errc() || end != p->data() + p->size()) return std::nullopt;
  return v;
}

void AvroNode::set_prop(std::string key, std::string json) {
  for (auto& [k, v] : props)
    if (k == key) {
      v = std::move(json);
      return;
    }
  props.emplace_back(std::move(key), std::move(json));
}

int AvroNode::null_branch() const {
  for (size_t i = 0; i < branches.size(); ++i)
    if (branches[i]->type == AvroType::Null) return static_cast<int>(i);
  return -1;
}

namespace {

using simdjson::dom::element;

std::optional<AvroType> primitive(std::string_view name) {
  static const std::map<std::string_view, AvroType> kPrimitives = {
      {"null", AvroType::Null},   {"boolean", AvroType::Boolean}, {"int", AvroType::Int},
      {"long", AvroType::Long},   {"float", AvroType::Float},     {"double", AvroType::Double},
      {"bytes", AvroType::Bytes}, {"string", AvroType::String}};
  auto it = kPrimitives.find(name);
  if (it == kPrimitives.end()) return std::nullopt;
  return it->second;
}

class Parser {
 public:
  AvroPtr parse(element e, const std::string& space) {
    std::string_view s;
    if (!e.get_string().get(s)) return named_or_primitive(s, space);
    simdjson::dom::array arr;
    if (!e.get_array().get(arr)) {
      auto u = make_node(AvroType::Union);
      for (element b : arr) u->branches.push_back(parse(b, space));
      return u;
    }
    simdjson::dom::object obj;
    if (e.get_object().get(obj)) throw DataException("Invalid Avro schema: " + std::string(simdjson::minify(e)));
    element type_e;
    if (obj["type"].get(type_e)) throw DataException("Invalid Avro schema, \"type\" is missing: " + std::string(simdjson::minify(e)));
    std::string_view type_name;
    // {"type": {...}} or {"type": [...]}: the type is the nested schema (Avro Java accepts it).
    if (type_e.get_string().get(type_name)) return parse(type_e, space);
    if (type_name == "record" || type_name == "error") return record(obj, space);
    if (type_name == "enum") return enumeration(obj, space);
    if (type_name == "fixed") return fixed(obj, space);
    if (type_name == "array") {
      auto n = make_node(AvroType::Array);
      element items;
      if (obj["items"].get(items)) throw DataException("Invalid Avro array schema, \"items\" is missing");
      n->items = parse(items, space);
      add_props(*n, obj, {"type", "items"});
      return n;
    }
    if (type_name == "map") {
      auto n = make_node(AvroType::Map);
      element values;
      if (obj["values"].get(values)) throw DataException("Invalid Avro map schema, \"values\" is missing");
      n->values = parse(values, space);
      add_props(*n, obj, {"type", "values"});
      return n;
    }
    auto p = primitive(type_name);
    if (!p) return named_or_primitive(type_name, space);  // {"type":"SomeRecord"}
    auto n = make_node(*p);
    add_props(*n, obj, {"type"});
    return n;
  }

 private:
  std::map<std::string, AvroPtr, std::less<>> named_;
  std::set<std::string, std::less<>> defining_;

  AvroPtr named_or_primitive(std::string_view s, const std::string& space) {
    if (auto p = primitive(s)) return make_node(*p);
    std::string full = s.find('.') == std::string_view::npos && !space.empty() ? space + "." + std::string(s)
                                                                              : std::string(s);
    for (const std::string& candidate : {full, std::string(s)}) {
      if (defining_.count(candidate))
        throw DataException(fmt::format("Recursive Avro schemas are not supported: {} refers to itself", candidate));
      auto it = named_.find(candidate);
      if (it != named_.end()) return it->second;
    }
    throw DataException(fmt::format("Undefined Avro type name: {}", s));
  }

  static std::string get_string(simdjson::dom::object obj, std::string_view key, bool required, std::string_view what) {
    element e;
    if (obj[key].get(e)) {
      if (required) throw DataException(fmt::format("Invalid Avro {} schema, \"{}\" is missing", what, key));
      return {};
    }
    std::string_view s;
    if (e.get_string().get(s)) throw DataException(fmt::format("Invalid Avro {} schema, \"{}\" must be a string", what, key));
    return std::string(s);
  }

  // Name and namespace of a named type: a dotted name carries its namespace.
  void set_name(AvroNode& n, simdjson::dom::object obj, const std::string& space, std::string_view what) {
    std::string name = get_string(obj, "name", true, what);
    element ns_e;
    std::string ns = space;
    std::string_view ns_s;
    if (!obj["namespace"].get(ns_e) && !ns_e.get_string().get(ns_s)) ns = std::string(ns_s);
    if (auto dot = name.rfind('.'); dot != std::string::npos) {
      ns = name.substr(0, dot);
      name = name.substr(dot + 1);
    }
    n.name = std::move(name);
    n.space = std::move(ns);
    if (auto d = get_string(obj, "doc", false, what); !d.empty()) n.doc = d;
  }

  void define(const AvroPtr& n) {
    if (named_.count(n->full_name())) throw DataException(fmt::format("Can't redefine Avro type: {}", n->full_name()));
    named_[n->full_name()] = n;
  }

  AvroPtr record(simdjson::dom::object obj, const std::string& space) {
    auto n = make_node(AvroType::Record);
    set_name(*n, obj, space, "record");
    simdjson::dom::array fields;
    if (obj["fields"].get_array().get(fields)) throw DataException(fmt::format("Invalid Avro record schema {}, \"fields\" is missing", n->full_name()));
    defining_.insert(n->full_name());
    for (element fe : fields) {
      simdjson::dom::object fo;
      if (fe.get_object().get(fo)) throw DataException(fmt::format("Invalid field in Avro record {}", n->full_name()));
      AvroField f;
      f.name = get_string(fo, "name", true, "field");
      element type_e;
      if (fo["type"].get(type_e)) throw DataException(fmt::format("Invalid Avro field {}, \"type\" is missing", f.name));
      f.schema = parse(type_e, n->space);
      if (auto d = get_string(fo, "doc", false, "field"); !d.empty()) f.doc = d;
      element def;
      if (!fo["default"].get(def)) f.default_json = std::string(simdjson::minify(def));
      for (auto [k, v] : fo)
        if (k != "name" && k != "type" && k != "doc" && k != "default" && k != "order" && k != "aliases")
          f.props.emplace_back(std::string(k), std::string(simdjson::minify(v)));
      n->fields.push_back(std::move(f));
    }
    defining_.erase(n->full_name());
    add_props(*n, obj, {"type", "name", "namespace", "doc", "fields", "aliases"});
    define(n);
    return n;
  }

  AvroPtr enumeration(simdjson::dom::object obj, const std::string& space) {
    auto n = make_node(AvroType::Enum);
    set_name(*n, obj, space, "enum");
    simdjson::dom::array symbols;
    if (obj["symbols"].get_array().get(symbols)) throw DataException(fmt::format("Invalid Avro enum {}, \"symbols\" is missing", n->full_name()));
    for (element s : symbols) {
      std::string_view sym;
      if (s.get_string().get(sym)) throw DataException(fmt::format("Invalid symbol in Avro enum {}", n->full_name()));
      n->symbols.emplace_back(sym);
    }
    if (auto d = get_string(obj, "default", false, "enum"); !d.empty()) n->enum_default = d;
    add_props(*n, obj, {"type", "name", "namespace", "doc", "symbols", "default", "aliases"});
    define(n);
    return n;
  }

  AvroPtr fixed(simdjson::dom::object obj, const std::string& space) {
    auto n = make_node(AvroType::Fixed);
    set_name(*n, obj, space, "fixed");
    int64_t size = 0;
    if (obj["size"].get_int64().get(size) || size < 0 || size > INT32_MAX)
      throw DataException(fmt::format("Invalid Avro fixed {}, \"size\" must be a non-negative integer", n->full_name()));
    n->size = static_cast<int32_t>(size);
    add_props(*n, obj, {"type", "name", "namespace", "doc", "size", "aliases"});
    define(n);
    return n;
  }

  static void add_props(AvroNode& n, simdjson::dom::object obj, std::initializer_list<std::string_view> reserved) {
    for (auto [k, v] : obj) {
      bool skip = false;
      for (auto r : reserved) skip = skip || k == r;
      if (!skip) n.props.emplace_back(std::string(k), std::string(simdjson::minify(v)));
    }
  }
};

class Writer {
 public:
  void write(std::string& out, const AvroNode& n) {
    switch (n.type) {
      case AvroType::Record: return record(out, n);
      case AvroType::Enum:
      case AvroType::Fixed: return named_other(out, n);
      case AvroType::Union:
        out.push_back('[');
        for (size_t i = 0; i < n.branches.size(); ++i) {
          if (i) out.push_back(',');
          write(out, *n.branches[i]);
        }
        out.push_back(']');
        return;
      case AvroType::Array:
        out.append("{\"type\":\"array\",\"items\":");
        write(out, *n.items);
        props(out, n.props);
        out.push_back('}');
        return;
      case AvroType::Map:
        out.append("{\"type\":\"map\",\"values\":");
        write(out, *n.values);
        props(out, n.props);
        out.push_back('}');
        return;
      default:
        if (n.props.empty()) {
          append_json_string(out, avro_type_name(n.type));
          return;
        }
        out.append("{\"type\":");
        append_json_string(out, avro_type_name(n.type));
        props(out, n.props);
        out.push_back('}');
    }
  }

 private:
  std::set<std::string> written_;
  std::string space_;  // the enclosing namespace

  static void props(std::string& out, const Props& p) {
    for (auto& [k, v] : p) {
      out.push_back(',');
      append_json_string(out, k);
      out.push_back(':');
      out.append(v);
    }
  }

  // A named type seen before: its name, short when in the enclosing namespace.
  bool reference(std::string& out, const AvroNode& n) {
    if (!written_.count(n.full_name())) return false;
    append_json_string(out, n.space == space_ ? n.name : n.full_name());
    return true;
  }

  void name(std::string& out, const AvroNode& n) {
    written_.insert(n.full_name());
    out.append(",\"name\":");
    append_json_string(out, n.name);
    if (n.space != space_) {
      out.append(",\"namespace\":");
      append_json_string(out, n.space);
    }
    if (n.doc) {
      out.append(",\"doc\":");
      append_json_string(out, *n.doc);
    }
  }

  void record(std::string& out, const AvroNode& n) {
    if (reference(out, n)) return;
    out.append("{\"type\":\"record\"");
    name(out, n);
    std::string saved = space_;
    space_ = n.space;
    out.append(",\"fields\":[");
    for (size_t i = 0; i < n.fields.size(); ++i) {
      const AvroField& f = n.fields[i];
      if (i) out.push_back(',');
      out.append("{\"name\":");
      append_json_string(out, f.name);
      out.append(",\"type\":");
      write(out, *f.schema);
      if (f.doc) {
        out.append(",\"doc\":");
        append_json_string(out, *f.doc);
      }
      if (f.default_json) {
        out.append(",\"default\":");
        out.append(*f.default_json);
      }
      props(out, f.props);
      out.push_back('}');
    }
    out.push_back(']');
    props(out, n.props);
    out.push_back('}');
    space_ = std::move(saved);
  }

  void named_other(std::string& out, const AvroNode& n) {
    if (reference(out, n)) return;
    out.append(n.type == AvroType::Enum ? "{\"type\":\"enum\"" : "{\"type\":\"fixed\"");
    name(out, n);
    if (n.type == AvroType::Enum) {
      out.append(",\"symbols\":[");
      for (size_t i = 0; i < n.symbols.size(); ++i) {
        if (i) out.push_back(',');
        append_json_string(out, n.symbols[i]);
      }
      out.push_back(']');
      props(out, n.props);
      if (n.enum_default) {
        out.append(",\"default\":");
        append_json_string(out, *n.enum_default);
      }
    } else {
      out.append(",\"size\":");
      append_integer(out, n.size);
      props(out, n.props);
    }
    out.push_back('}');
  }
};

}  // namespace

AvroPtr parse_avro_schema(std::string_view json) {
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root))
    throw DataException(fmt::format("Invalid Avro schema JSON: {}", simdjson::error_message(err)));
  Parser p;
  return p.parse(root, "");
}

std::string avro_schema_json(const AvroNode& schema) {
  std::string out;
  Writer w;
  w.write(out, schema);
  return out;
}

}  // namespace connectrun::avro
