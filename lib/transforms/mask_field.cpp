#include "transforms/mask_field.h"

#include <cmath>

#include <fmt/format.h>

#include "transforms/java_text.h"
#include "transforms/transforms.h"

namespace connectrun::transforms {

namespace {
constexpr std::string_view kPurpose = "mask fields";

// Values.convertToXxx(null, text): the text is read as a number (integral or
// decimal) and narrowed as Java's Number.xxxValue() does.
struct ParsedNumber {
  bool integral = true;
  int64_t i = 0;
  double d = 0;
};

ParsedNumber parse_number(const std::string& text) {
  if (auto i = java_parse_integer(text, INT64_MIN, INT64_MAX)) return ParsedNumber{true, *i, static_cast<double>(*i)};
  bool plain = !text.empty();
  for (char c : text)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
      plain = false;
  if (plain)
    if (auto d = java_parse_double(text)) return ParsedNumber{false, 0, *d};
  throw DataException(fmt::format("Unable to convert {} (class java.lang.String) to a number", text));
}

int64_t to_long(const ParsedNumber& n) {
  if (n.integral) return n.i;
  if (std::isnan(n.d)) return 0;
  if (n.d >= 9.2233720368547758e18) return INT64_MAX;
  if (n.d <= -9.2233720368547758e18) return INT64_MIN;
  return static_cast<int64_t>(n.d);
}
}  // namespace

config::ConfigSpec MaskField::spec() {
  config::ConfigSpec s;
  s.define({"fields", config::KeyType::List, std::nullopt, "Names of fields to mask.", non_empty_list()});
  s.define({"replacement", config::KeyType::String, config::ConfigValue{std::monostate{}},
            "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string "
            "values only).",
            non_empty_string_config()});
  return s;
}

void MaskField::configure(const config::ConfigValues& cfg) {
  fields_ = cfg.get_list("fields");
  replacement_.reset();
  if (!cfg.is_null("replacement")) replacement_ = cfg.get_string("replacement");
}

Value MaskField::masked(const Value& v, const std::optional<std::string>& replacement) {
  if (v.is_null()) return v;
  if (!replacement) {
    switch (v.storage().index()) {
      case 1: return Value(false);
      case 2: return Value(int8_t{0});
      case 3: return Value(int16_t{0});
      case 4: return Value(int32_t{0});
      case 5: return Value(int64_t{0});
      case 6: return Value(0.0f);
      case 7: return Value(0.0);
      case 8: return Value(std::string());
      case 10: return Value(Array{});
      case 11: return Value(MapEntries{});
      case 13: return Value(Decimal::from_int64(0, 0));
      case 14: return Value(Timestamp{0});
      default: throw DataException(fmt::format("Cannot mask value of type: class {}", v.java_class()));
    }
  }
  const std::string& r = *replacement;
  switch (v.storage().index()) {
    case 2: return Value(static_cast<int8_t>(to_long(parse_number(r))));
    case 3: return Value(static_cast<int16_t>(to_long(parse_number(r))));
    case 4: return Value(static_cast<int32_t>(to_long(parse_number(r))));
    case 5: return Value(to_long(parse_number(r)));
    case 6: {
      auto n = parse_number(r);
      return Value(n.integral ? static_cast<float>(n.i) : static_cast<float>(n.d));
    }
    case 7: {
      auto n = parse_number(r);
      return Value(n.integral ? static_cast<double>(n.i) : n.d);
    }
    case 8: return Value(r);
    case 13:
      try {
        return Value(Decimal::from_string(r));
      } catch (const DataException&) {
        throw DataException(fmt::format("Unable to convert {} (class java.lang.String) to number", r));
      }
    default:
      throw DataException(fmt::format("Cannot mask value of type class {} with custom replacement.", v.java_class()));
  }
}

bool MaskField::apply_in_place(Record& record) {
  const SchemaPtr& schema = side_schema(record, side_);
  Value& value = side_value(record, side_);
  if (!schema) {
    MapEntries updated = require_map(value, kPurpose);
    for (auto& f : fields_) {
      const Value* original = map_find(updated, f);
      Value m = original ? masked(*original, replacement_) : Value();
      map_put(updated, f, std::move(m));
    }
    value = Value(std::move(updated));
    return true;
  }
  const StructValue& input = require_struct(value, kPurpose);
  auto out = StructValue::make(input.schema);
  for (auto& f : input.schema->fields) {
    const Value& original = struct_get(input, f);
    bool mask = std::find(fields_.begin(), fields_.end(), f.name) != fields_.end();
    if (mask) out->put(f, masked(original, replacement_));
    else struct_put_from(*out, f, f, original);
  }
  value = Value(std::move(out));
  return true;
}

void register_mask_field(PluginRegistry& registry) {
  add_key_value(registry, "MaskField", "Masks fields with their type's zero or a replacement",
                "Mask specified fields with a valid null value for the field type (i.e. 0, false, empty string, and "
                "so on). For numeric and string fields, an optional replacement value can be specified that is "
                "converted to the correct type.",
                MaskField::spec(), [](Side s) { return std::make_unique<MaskField>(s); });
}

}  // namespace connectrun::transforms
