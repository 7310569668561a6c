#include "transforms/insert_header.h"

#include "converters/simple_header_converter.h"
#include "plugin/registry.h"
#include "transforms/transforms.h"
#include "transforms/util.h"

namespace connectrun::transforms {

config::ConfigSpec InsertHeader::spec() {
  config::ConfigSpec s;
  s.define({"header", config::KeyType::String, std::nullopt, "The name of the header.", std::nullopt});
  s.define({"value.literal", config::KeyType::String, std::nullopt,
            "The literal value that is to be set as the header value on all records.", std::nullopt});
  return s;
}

void InsertHeader::configure(const config::ConfigValues& cfg) {
  header_ = cfg.get_string("header");
  // Kafka parses the literal with Values.parseString, which is what SimpleHeaderConverter does with
  // header text: reuse it so both agree on every type.
  SimpleHeaderConverter converter;  // has no keys
  std::string literal = cfg.get_string("value.literal");  // trimmed, as ConfigDef trims strings
  auto parsed = converter.to_connect_header("", header_, literal);
  schema_ = parsed.schema;
  value_ = parsed.value;
}

bool InsertHeader::apply_in_place(Record& record) {
  record.headers.push_back(Header{header_, schema_, value_});
  return true;
}

void register_insert_header(PluginRegistry& registry) {
  add_transform(registry, "InsertHeader", "Adds a header with a literal value",
                "Add a header to each record. The literal value is parsed the way SimpleHeaderConverter parses "
                "header text, so \"42\" becomes an int8 and \"true\" a boolean.",
                InsertHeader::spec(), [] { return std::make_unique<InsertHeader>(); });
}

}  // namespace connectrun::transforms
