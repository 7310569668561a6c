#include "transforms/field_path.h"

#include <fmt/format.h>

#include "transforms/util.h"

namespace connectrun::transforms {

config::KeyDef field_syntax_key() {
  return config::KeyDef{"field.syntax.version", config::KeyType::String, config::ConfigValue{std::string("V1")},
                        "Defines the version of the syntax to access fields. If set to `V1`, then the field paths are "
                        "limited to access the elements at the root level of the struct or map. If set to `V2`, the "
                        "syntax will support accessing nested elements. To access nested elements, dotted notation is "
                        "used. If dots are already included in the field name, then backtick pairs can be used to "
                        "wrap field names containing dots. E.g. to access the subfield `baz` from a field named "
                        "\"foo.bar\" in a struct/map the following format can be used to access its elements: "
                        "\"`foo.bar`.baz\".",
                        config::validators::one_of({"V1", "V2"})};
}

FieldSyntax field_syntax_from(const config::ConfigValues& cfg) {
  std::string v = cfg.get_string("field.syntax.version");
  return (v == "V2" || v == "v2") ? FieldSyntax::V2 : FieldSyntax::V1;
}

namespace {
[[noreturn]] void incomplete_backtick(std::string_view path, size_t at) {
  throw config::ConfigError("field", fmt::format("Incomplete backtick pair in path: [{}], consider adding a backslash "
                                                 "before backtick at position {} to escape it", path, at));
}

// SingleFieldPath.buildFieldPathV2, step for step.
std::vector<std::string> parse_v2(std::string_view path) {
  std::vector<std::string> steps;
  size_t idx = 0;
  while (idx < path.size()) {
    if (path[idx] != '`') {
      size_t start = idx;
      size_t dot = path.find('.', idx);
      if (dot != std::string_view::npos) {
        steps.emplace_back(path.substr(start, dot - start));
        idx = dot + 1;
      } else {
        steps.emplace_back(path.substr(start));
        idx = path.size();
      }
      continue;
    }
    size_t backtick_at = idx;
    ++idx;
    std::string field;
    size_t start = idx;
    while (true) {
      idx = path.find('`', idx);
      if (idx == std::string_view::npos) incomplete_backtick(path, backtick_at);
      bool escaped = path[idx - 1] == '\\';
      if (idx >= path.size() - 1) {
        if (escaped) incomplete_backtick(path, backtick_at);
        field.append(path.substr(start, idx - start));
        steps.push_back(field);
        ++idx;
        break;
      }
      if (path[idx + 1] != '.') {
        ++idx;
        continue;
      }
      if (escaped) {
        field.append(path.substr(start, idx - 1 - start)).push_back('`');
        ++idx;
        start = idx;
        continue;
      }
      field.append(path.substr(start, idx - start));
      steps.push_back(field);
      idx += 2;
      break;
    }
  }
  if (!path.empty() && path.back() == '.') steps.emplace_back();
  return steps;
}
}  // namespace

SingleFieldPath::SingleFieldPath(std::string_view text, FieldSyntax syntax) {
  if (syntax == FieldSyntax::V1) steps_.emplace_back(text);
  else steps_ = parse_v2(text);
  if (steps_.empty()) steps_.emplace_back();
}

const Field* SingleFieldPath::field_from(const SchemaPtr& schema) const {
  if (!schema) return nullptr;
  const Schema* current = schema.get();
  for (size_t i = 0; i + 1 < steps_.size(); ++i) {
    if (current->type != Type::Struct) return nullptr;
    const Field* f = current->field(steps_[i]);
    if (!f) return nullptr;
    current = f->schema.get();
  }
  if (current->type != Type::Struct) return nullptr;
  return current->field(steps_.back());
}

const Value* SingleFieldPath::value_from(const StructValue& s, bool with_default) const {
  const StructValue* current = &s;
  for (size_t i = 0; i + 1 < steps_.size(); ++i) {
    const Field* f = current->schema->field(steps_[i]);
    if (!f) return nullptr;
    current = require_struct_or_null(struct_get(*current, *f), "nested field access");
    if (!current) return nullptr;
  }
  const Field* last = current->schema->field(steps_.back());
  if (!last) return nullptr;
  return with_default ? &struct_get(*current, *last) : &current->values[last->index];
}

const Value* SingleFieldPath::value_from(const MapEntries& m) const {
  const MapEntries* current = &m;
  for (size_t i = 0; i + 1 < steps_.size(); ++i) {
    const Value* v = map_find(*current, steps_[i]);
    if (!v) return nullptr;
    current = require_map_or_null(*v, "nested field access");
    if (!current) return nullptr;
  }
  return map_find(*current, steps_.back());
}

}  // namespace connectrun::transforms
