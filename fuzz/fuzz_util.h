// Shared by the fuzz targets: configured converters and a failing check that
// prints both texts before aborting (libFuzzer then saves the input).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "config/spec.h"
#include "converters/json_converter.h"
#include "converters/simple_header_converter.h"

namespace fuzzutil {

inline connectrun::config::ConfigValues cfg_for(const connectrun::PluginInfo& info,
                                                const std::map<std::string, std::string>& settings) {
  connectrun::config::RawConfig raw;
  for (auto& [k, v] : settings) raw[k] = connectrun::config::RawEntry{v, {}};
  connectrun::config::Problems problems;
  auto values = connectrun::config::parse(info.spec, raw, "", problems);
  if (!problems.empty()) std::abort();
  return values;
}

inline connectrun::JsonConverter* json_converter(bool schemas_enable) {
  auto* c = new connectrun::JsonConverter();
  c->configure(cfg_for(connectrun::json_converter_plugin(), {{"schemas.enable", schemas_enable ? "true" : "false"}}),
               false);
  return c;
}

inline connectrun::SimpleHeaderConverter* header_converter() {
  auto* c = new connectrun::SimpleHeaderConverter();
  c->configure(cfg_for(connectrun::simple_header_converter_plugin(), {}));
  return c;
}

inline void require(bool ok, const char* what, std::string_view input, std::string_view written) {
  if (ok) return;
  std::fprintf(stderr, "%s\n  input:   %.*s\n  written: %.*s\n", what, static_cast<int>(input.size()), input.data(),
               static_cast<int>(written.size()), written.data());
  std::abort();
}

}  // namespace fuzzutil
