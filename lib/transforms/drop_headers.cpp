#include "transforms/drop_headers.h"

#include <algorithm>

#include "transforms/transforms.h"
#include "transforms/util.h"

namespace connectrun::transforms {

config::ConfigSpec DropHeaders::spec() {
  config::ConfigSpec s;
  s.define({"headers", config::KeyType::List, std::nullopt, "The name of the headers to be removed.", non_empty_list()});
  return s;
}

void DropHeaders::configure(const config::ConfigValues& cfg) {
  auto list = cfg.get_list("headers");
  headers_ = std::set<std::string, std::less<>>(list.begin(), list.end());
}

bool DropHeaders::apply_in_place(Record& record) {
  std::erase_if(record.headers, [&](const Header& h) { return headers_.count(h.key) > 0; });
  return true;
}

void register_drop_headers(PluginRegistry& registry) {
  add_transform(registry, "DropHeaders", "Removes headers by name",
                "Removes one or more headers from each record.", DropHeaders::spec(),
                [] { return std::make_unique<DropHeaders>(); });
}

}  // namespace connectrun::transforms
