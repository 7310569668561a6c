#include "connectors/datagen/avro_generator.h"

#include <cmath>
#include <limits>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "connectors/datagen/annotations.h"
#include "connectors/datagen/gen_nodes.h"
#include "json/json_reader.h"
#include "json/json_writer.h"

namespace connectrun::datagen {

std::string strip_json_comments(std::string_view text) {
  std::string out(text);
  bool in_string = false;
  for (size_t i = 0; i < out.size(); ++i) {
    const char c = out[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '/' && i + 1 < out.size() && out[i + 1] == '/') {
      while (i < out.size() && out[i] != '\n') out[i++] = ' ';
    } else if (c == '/' && i + 1 < out.size() && out[i + 1] == '*') {
      size_t end = out.find("*/", i + 2);
      end = end == std::string::npos ? out.size() : end + 2;
      for (; i < end; ++i)
        if (out[i] != '\n') out[i] = ' ';
      --i;
    }
  }
  return out;
}

namespace {

// ---- reading the schema ----

constexpr int kMaxDepth = 32;


class Reader {
 public:
  explicit Reader(GenShared& shared, int64_t generation) : shared_(shared), generation_(generation) {}

  struct Built {
    SchemaPtr schema;
    GenPtr gen;
  };

  // `where`: the field path for messages ("orders.address.city").
  Built read(const Value& type, const std::string& where, const std::string& ns, int depth) {
    if (depth > kMaxDepth) fail(where, "the schema nests deeper than 32 levels (a recursive type?): not supported");
    if (type.is<std::string>()) {
      const std::string& name = type.as<std::string>();
      if (is_primitive_name(name)) {
        MapEntries m;
        m.emplace_back("type", name);
        return read_object(Value(std::move(m)), where, ns, depth);
      }
      auto it = named_.find(qualify(name, ns));
      if (it == named_.end()) it = named_.find(name);
      if (it == named_.end()) fail(where, fmt::format("unknown type \"{}\" (not a primitive type, nor a record, enum or fixed defined before it)", name));
      if (in_progress_.count(it->first))
        fail(where, fmt::format("the type \"{}\" refers to itself: recursive types are not supported", name));
      const size_t dot = it->first.rfind('.');
      return read_object(it->second, where, dot == std::string::npos ? "" : it->first.substr(0, dot), depth + 1,
                         /*redefine=*/false);
    }
    if (type.is<Array>()) return read_union(type.as<Array>(), where, ns, depth);
    if (type.is<MapEntries>()) return read_object(type, where, ns, depth);
    fail(where, fmt::format("a type must be a name, an object or a union (array), not {}", kind_of(type)));
  }

 private:

  static bool is_primitive_name(const std::string& n) {
    static const std::set<std::string> names = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"};
    return names.count(n) > 0;
  }
  static std::string qualify(const std::string& name, const std::string& ns) {
    if (name.find('.') != std::string::npos || ns.empty()) return name;
    return ns + "." + name;
  }

  static const Value* member(const Value& obj, std::string_view key) { return obj.find(key); }

  Built read_union(const Array& branches, const std::string& where, const std::string& ns, int depth) {
    if (branches.empty()) fail(where, "an empty union");
    auto node = std::make_unique<UnionNode>();
    SchemaPtr non_null;
    size_t nulls = 0;
    for (const Value& b : branches) {
      if (b.is<std::string>() && b.as<std::string>() == "null") {
        ++nulls;
        node->branches.push_back(nullptr);
        continue;
      }
      if (non_null)
        fail(where, "a union of more than one non-null type: connectrun reads only [\"null\", T] unions (optional "
                    "fields); use one type");
      Built built = read(b, where, ns, depth + 1);
      non_null = built.schema;
      node->branches.push_back(std::move(built.gen));
    }
    if (!non_null) fail(where, "a union of null alone has no Connect type");
    if (nulls > 1) fail(where, "a union names null twice");
    return {SchemaBuilder::from(*non_null).optional().build(), std::move(node)};
  }

  Built read_object(const Value& obj, const std::string& where, const std::string& ns, int depth, bool redefine = true) {
    const Value* type_v = member(obj, "type");
    if (!type_v) fail(where, "a type object without \"type\"");
    if (!type_v->is<std::string>()) {
      // {"type": {...}} or {"type": [...]} nests a schema, annotations and all.
      return read(*type_v, where, ns, depth + 1);
    }
    const std::string type = type_v->as<std::string>();
    const Value* props = member(obj, "arg.properties");
    if (props && !props->is<MapEntries>())
      fail(where, fmt::format("\"arg.properties\" must be an object, not {}", kind_of(*props)));
    static const Value kNoProps{MapEntries{}};
    const Value& p = props ? *props : kNoProps;
    const std::string logical = string_member(obj, "logicalType", where);

    if (type == "record" || type == "error") return read_record(obj, p, where, ns, depth, redefine);

    Built b;
    b.schema = connect_schema(obj, type, logical, where, ns, depth, redefine);
    if (member(p, "options")) {
      check_exclusive(p, "options", {"length", "regex", "iteration", "range"}, where);
      b.gen = options_node(*member(p, "options"), b.schema, where);
      return b;
    }
    if (member(p, "iteration")) {
      check_exclusive(p, "iteration", {"length", "regex", "options", "range"}, where);
      b.gen = iteration_node(obj, type, p, where, shared_, generation_);
      if (logical == "date" || logical == "time-millis" || logical == "timestamp-millis")
        b.gen = logical_node(std::move(b.gen), logical);
      return b;
    }
    b.gen = plain_node(obj, type, logical, b.schema, p, where, ns, depth);
    return b;
  }

  static void check_exclusive(const Value& p, const std::string& included, std::initializer_list<const char*> others,
                              const std::string& where) {
    for (const char* o : others)
      if (p.find(o)) fail(where, fmt::format("arg.properties cannot have \"{}\" together with \"{}\"", o, included));
  }

  // The Connect schema of a non-record type, as AvroData converts it.
  SchemaPtr connect_schema(const Value& obj, const std::string& type, const std::string& logical,
                           const std::string& where, const std::string& ns, int depth, bool redefine) {
    if (type == "int") {
      if (logical == "date") return schemas::date().build();
      if (logical == "time-millis") return schemas::time().build();
      return schemas::int32();
    }
    if (type == "long") {
      if (logical == "timestamp-millis") return schemas::timestamp().build();
      return schemas::int64();
    }
    if (type == "float") return schemas::float32();
    if (type == "double") return schemas::float64();
    if (type == "boolean") return schemas::boolean();
    if (type == "string") return schemas::string();
    if (type == "bytes" || type == "fixed") {
      if (type == "fixed") define_named(obj, where, ns, redefine);
      if (logical == "decimal") {
        const auto [precision, scale] = decimal_params(obj, where);
        return schemas::decimal(scale).parameter("connect.decimal.precision", std::to_string(precision)).build();
      }
      return schemas::bytes();
    }
    if (type == "enum") {
      const std::string full = define_named(obj, where, ns, redefine);
      const Value* symbols = member(obj, "symbols");
      if (!symbols || !symbols->is<Array>() || symbols->as<Array>().empty())
        fail(where, "an enum needs a non-empty \"symbols\" array");
      SchemaBuilder sb = SchemaBuilder::string().name(full);
      sb.parameter("io.confluent.connect.avro.Enum", full);
      for (const Value& s : symbols->as<Array>()) {
        if (!s.is<std::string>()) fail(where, "enum symbols must be strings");
        sb.parameter("io.confluent.connect.avro.Enum." + s.as<std::string>(), s.as<std::string>());
      }
      return sb.build();
    }
    if (type == "array") {
      const Value* items = member(obj, "items");
      if (!items) fail(where, "an array type without \"items\"");
      items_[where] = read(*items, where, ns, depth + 1);
      return SchemaBuilder::array(items_[where].schema).build();
    }
    if (type == "map") {
      const Value* values = member(obj, "values");
      if (!values) fail(where, "a map type without \"values\"");
      items_[where] = read(*values, where, ns, depth + 1);
      return SchemaBuilder::map(schemas::string(), items_[where].schema).build();
    }
    if (type == "null") fail(where, "the type null alone has no Connect type (use [\"null\", T] for an optional field)");
    fail(where, fmt::format("unknown Avro type \"{}\"", type));
  }

  std::pair<int, int> decimal_params(const Value& obj, const std::string& where) {
    const Value* precision = member(obj, "precision");
    const Value* scale = member(obj, "scale");
    if (!precision || !precision->is<int64_t>() || precision->as<int64_t>() < 1 || precision->as<int64_t>() > 1000)
      fail(where, "a decimal needs \"precision\", a whole number from 1 to 1000");
    int64_t s = 0;
    if (scale) {
      if (!scale->is<int64_t>() || scale->as<int64_t>() < 0 || scale->as<int64_t>() > precision->as<int64_t>())
        fail(where, "a decimal's \"scale\" must be a whole number from 0 to its precision");
      s = scale->as<int64_t>();
    }
    return {static_cast<int>(precision->as<int64_t>()), static_cast<int>(s)};
  }

  std::string define_named(const Value& obj, const std::string& where, const std::string& ns, bool redefine) {
    const std::string name = string_member(obj, "name", where);
    if (name.empty()) fail(where, "a named type (record, enum, fixed) needs a \"name\"");
    std::string own_ns = string_member(obj, "namespace", where);
    const std::string full = qualify(name, own_ns.empty() ? ns : own_ns);
    if (redefine) {
      if (named_.count(full)) fail(where, fmt::format("the type \"{}\" is defined twice", full));
      named_[full] = obj;
    }
    return full;
  }

  Built read_record(const Value& obj, const Value& p, const std::string& where, const std::string& ns, int depth,
                    bool redefine) {
    const std::string full = define_named(obj, where, ns, redefine);
    const std::string own_ns = full.rfind('.') == std::string::npos ? "" : full.substr(0, full.rfind('.'));
    in_progress_.insert(full);
    const Value* fields = member(obj, "fields");
    if (!fields || !fields->is<Array>()) fail(where, fmt::format("the record \"{}\" needs a \"fields\" array", full));
    SchemaBuilder sb = SchemaBuilder::structure().name(full);
    const std::string doc = string_member(obj, "doc", where);
    if (!doc.empty()) sb.doc(doc);
    auto node = std::make_unique<RecordNode>();
    const std::string record_where = where.empty() ? full.substr(full.rfind('.') + 1) : where;
    for (const Value& f : fields->as<Array>()) {
      if (!f.is<MapEntries>()) fail(record_where, "each field must be an object");
      const std::string fname = string_member(f, "name", record_where);
      if (fname.empty()) fail(record_where, "a field without a \"name\"");
      const std::string fwhere = record_where + "." + fname;
      const Value* ftype = member(f, "type");
      if (!ftype) fail(fwhere, "no \"type\"");
      Built fb = read(*ftype, fwhere, own_ns, depth + 1);
      const std::string fdoc = string_member(f, "doc", fwhere);
      SchemaPtr fs = fb.schema;
      if (!fdoc.empty()) fs = SchemaBuilder::from(*fs).doc(fdoc).build();
      if (sb.schema().field(fname)) fail(fwhere, "a field of that name is already in the record");
      sb.field(fname, fs);
      node->fields.push_back(std::move(fb.gen));
    }
    in_progress_.erase(full);
    Built b;
    b.schema = sb.build();
    node->schema = b.schema;
    if (const Value* options = member(p, "options")) {
      b.gen = options_node(*options, b.schema, where.empty() ? full : where);
    } else {
      b.gen = std::move(node);
    }
    return b;
  }

  // ---- plain draws ----


  GenPtr plain_node(const Value& obj, const std::string& type, const std::string& logical, const SchemaPtr& schema,
                    const Value& p, const std::string& where, const std::string& ns, int depth) {
    (void)ns;
    (void)depth;
    const Value* range = p.find("range");
    if (range && !range->is<MapEntries>()) fail(where, "range property must be an object");
    if (type == "int" || type == "long") {
      auto node = std::make_unique<IntNode>();
      node->is_long = type == "long";
      const int64_t lo = node->is_long ? INT64_MIN : INT32_MIN, hi = node->is_long ? INT64_MAX : INT32_MAX;
      if (range) {
        node->ranged = true;
        node->min = integral_field(*range, "range", "min", where, lo, hi).value_or(lo);
        node->max = integral_field(*range, "range", "max", where, lo, hi).value_or(hi);
        if (node->min >= node->max) fail(where, "'min' field must be strictly less than 'max' field in range property");
      }
      if (logical == "date" || logical == "time-millis" || logical == "timestamp-millis") return logical_node(std::move(node), logical);
      return node;
    }
    if (type == "float" || type == "double") {
      auto node = std::make_unique<RealNode>();
      node->is_float = type == "float";
      if (range) {
        const double hi = node->is_float ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
        node->ranged = true;
        node->min = number_field(*range, "range", "min", where).value_or(-hi);
        node->max = number_field(*range, "range", "max", where).value_or(hi);
        if (node->min >= node->max) fail(where, "'min' field must be strictly less than 'max' field in range property");
      }
      return node;
    }
    if (type == "boolean") {
      auto node = std::make_unique<BoolNode>();
      node->odds = number_field(p, "arg.properties", "odds", where);
      if (node->odds && (*node->odds < 0.0 || *node->odds > 1.0)) fail(where, "odds property must be in the range [0.0, 1.0]");
      return node;
    }
    if (type == "string") {
      auto node = std::make_unique<StringNode>();
      node->length = length_bounds(p, where);
      node->prefix = string_member(p, "prefix", where);
      node->suffix = string_member(p, "suffix", where);
      if (const Value* re = p.find("regex")) {
        if (!re->is<std::string>()) fail(where, "regex property must be a string");
        try {
          node->regex.emplace(re->as<std::string>(), node->length.max - 1);
        } catch (const RegexError& e) {
          fail(where, e.what());
        }
      }
      return node;
    }
    if (type == "bytes" || type == "fixed") {
      if (logical == "decimal") {
        auto node = std::make_unique<DecimalNode>();
        std::tie(node->precision, node->scale) = decimal_params(obj, where);
        return node;
      }
      auto node = std::make_unique<BytesNode>();
      if (type == "fixed") {
        const Value* size = obj.find("size");
        if (!size || !size->is<int64_t>() || size->as<int64_t>() < 0 || size->as<int64_t>() > (1 << 20))
          fail(where, "a fixed type needs \"size\", a whole number of bytes");
        node->fixed = static_cast<int>(size->as<int64_t>());
      } else {
        node->length = length_bounds(p, where);
      }
      return node;
    }
    if (type == "enum") {
      auto node = std::make_unique<EnumNode>();
      for (const Value& s : obj.find("symbols")->as<Array>()) node->symbols.push_back(s.as<std::string>());
      return node;
    }
    if (type == "array") {
      auto node = std::make_unique<ArrayNode>();
      node->length = length_bounds(p, where);
      node->items = std::move(items_[where].gen);
      return node;
    }
    if (type == "map") {
      auto node = std::make_unique<MapNode>();
      node->length = length_bounds(p, where);
      node->values = std::move(items_[where].gen);
      if (const Value* keys = p.find("keys")) {
        if (!keys->is<MapEntries>()) fail(where, "keys prop must be an object");
        MapEntries key_schema;
        key_schema.emplace_back("type", "string");
        key_schema.emplace_back("arg.properties", *keys);
        node->keys = read_object(Value(std::move(key_schema)), where + " (map keys)", ns, depth + 1).gen;
      }
      return node;
    }
    (void)schema;
    fail(where, fmt::format("cannot generate values of type \"{}\"", type));
  }

  // Connect's Date, Time and Timestamp hold java.util.Date values: the drawn
  // int (days, or milliseconds of the day) or long (milliseconds) turned into one.
  static GenPtr logical_node(GenPtr inner, const std::string& logical) {
    struct LogicalNode : GenNode {
      GenPtr inner;
      int64_t factor = 1;
      Value generate(Rng& rng) override {
        Value v = inner->generate(rng);
        const int64_t n = v.is<int32_t>() ? v.as<int32_t>() : v.as<int64_t>();
        return Value(Timestamp{n * factor});
      }
    };
    auto node = std::make_unique<LogicalNode>();
    node->inner = std::move(inner);
    node->factor = logical == "date" ? 86400000 : 1;
    return node;
  }

  GenShared& shared_;
  int64_t generation_;
  std::map<std::string, Value> named_;  // named types by full name, to read again where referenced
  std::set<std::string> in_progress_;
  std::map<std::string, Built> items_;  // array items / map values read for the node built next
};

}  // namespace

AvroGenerator::AvroGenerator(std::string_view schema_json, int64_t generation) : shared_(std::make_unique<GenShared>()) {
  Value doc;
  try {
    doc = parse_schemaless_json(strip_json_comments(schema_json));
  } catch (const std::exception& e) {
    throw SchemaError(fmt::format("the schema is not valid JSON: {}", e.what()));
  }
  Reader reader(*shared_, generation);
  Reader::Built built = reader.read(doc, "", "", 0);
  schema_ = built.schema;
  root_ = std::move(built.gen);
}

AvroGenerator::~AvroGenerator() = default;
AvroGenerator::AvroGenerator(AvroGenerator&&) noexcept = default;
AvroGenerator& AvroGenerator::operator=(AvroGenerator&&) noexcept = default;

Value AvroGenerator::generate(Rng& rng) { return root_->generate(rng); }

}  // namespace connectrun::datagen
