// Converters turn a record's key, value and headers into bytes and back
// (Kafka's Converter and HeaderConverter).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/spec.h"
#include "data/value.h"

namespace connectrun {

struct SchemaAndValue {
  SchemaPtr schema;
  Value value;
};

class Converter {
 public:
  virtual ~Converter() = default;
  // `cfg` holds the converter's own keys, prefix already removed.
  virtual void configure(const config::ConfigValues& cfg, bool is_key) = 0;
  // Serialises into `out` (cleared first). Returns false for null bytes
  // (a tombstone). Throws DataException when the data cannot be written.
  virtual bool from_connect_data(std::string_view topic, const SchemaPtr& schema, const Value& value,
                                 std::string& out) = 0;
  // nullopt bytes = null. Throws DataException for malformed input.
  virtual SchemaAndValue to_connect_data(std::string_view topic, std::optional<std::string_view> bytes) = 0;
  // The same into `schema` and `value`, given bytes the caller no longer needs: a converter may
  // build the value in their memory instead of allocating (the sink worker's case). It may leave
  // `bytes` changed, also when it throws. By default, to_connect_data on them.
  virtual void take_connect_data(std::string_view topic, std::optional<std::string>&& bytes, SchemaPtr& schema,
                                 Value& value) {
    auto out = to_connect_data(topic, bytes ? std::optional<std::string_view>(*bytes) : std::nullopt);
    schema = std::move(out.schema);
    value = std::move(out.value);
  }
};

class HeaderConverter {
 public:
  virtual ~HeaderConverter() = default;
  virtual void configure(const config::ConfigValues& cfg) = 0;
  // Returns false for a null header value.
  virtual bool from_connect_header(std::string_view topic, std::string_view header_key, const SchemaPtr& schema,
                                   const Value& value, std::string& out) = 0;
  virtual SchemaAndValue to_connect_header(std::string_view topic, std::string_view header_key,
                                           std::optional<std::string_view> bytes) = 0;
};

}  // namespace connectrun
