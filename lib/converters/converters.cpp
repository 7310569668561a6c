#include "converters/converters.h"

#include "converters/byte_array_converter.h"
#include "converters/json_converter.h"
#include "converters/simple_header_converter.h"
#include "converters/string_converter.h"

namespace connectrun {

namespace {
class ConverterAsHeaderConverter : public HeaderConverter {
 public:
  explicit ConverterAsHeaderConverter(std::unique_ptr<Converter> c) : converter_(std::move(c)) {}
  void configure(const config::ConfigValues& cfg) override { converter_->configure(cfg, false); }
  bool from_connect_header(std::string_view topic, std::string_view /*header_key*/, const SchemaPtr& schema,
                           const Value& value, std::string& out) override {
    return converter_->from_connect_data(topic, schema, value, out);
  }
  SchemaAndValue to_connect_header(std::string_view topic, std::string_view /*header_key*/,
                                   std::optional<std::string_view> bytes) override {
    return converter_->to_connect_data(topic, bytes);
  }

 private:
  std::unique_ptr<Converter> converter_;
};
}  // namespace

void register_converters(PluginRegistry& registry) {
  registry.add(string_converter_plugin());
  registry.add(byte_array_converter_plugin());
  registry.add(json_converter_plugin());
  registry.add(simple_header_converter_plugin());
}

std::unique_ptr<HeaderConverter> header_converter_from(std::unique_ptr<Converter> converter) {
  return std::make_unique<ConverterAsHeaderConverter>(std::move(converter));
}

}  // namespace connectrun
