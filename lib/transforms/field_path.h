// KIP-821 field paths: `field.syntax.version` V1 (the whole text is one field
// name) or V2 (dotted steps, backticks around names that contain dots).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/spec.h"
#include "data/value.h"

namespace connectrun::transforms {

enum class FieldSyntax { V1, V2 };

// The `field.syntax.version` key as Kafka declares it (default V1).
config::KeyDef field_syntax_key();
FieldSyntax field_syntax_from(const config::ConfigValues& cfg);

class SingleFieldPath {
 public:
  // Throws config::ConfigError for an incomplete backtick pair (V2).
  SingleFieldPath(std::string_view text, FieldSyntax syntax);
  const std::vector<std::string>& steps() const { return steps_; }

  // The field at the path in a struct schema, or nullptr.
  const Field* field_from(const SchemaPtr& schema) const;
  // The value at the path, or nullptr when a step is missing or a parent is null.
  // A non-struct (non-map) parent is a DataException, as Kafka's requireStructOrNull.
  // `with_default`: a null field reads as its schema's default (Struct.get), else as null.
  const Value* value_from(const StructValue& s, bool with_default = true) const;
  const Value* value_from(const MapEntries& m) const;

 private:
  std::vector<std::string> steps_;
};

}  // namespace connectrun::transforms
