#include "transforms/regex_router.h"

#include "transforms/transforms.h"
#include "transforms/util.h"

namespace connectrun::transforms {

config::ConfigSpec RegexRouter::spec() {
  config::ConfigSpec s;
  s.define({"regex", config::KeyType::String, std::nullopt, "Regular expression to use for matching.",
            regex_validator()});
  s.define({"replacement", config::KeyType::String, std::nullopt, "Replacement string.", std::nullopt});
  return s;
}

void RegexRouter::configure(const config::ConfigValues& cfg) {
  regex_.emplace(cfg.get_string("regex"), "regex");
  replacement_ = cfg.get_string("replacement");
}

bool RegexRouter::apply_in_place(Record& record) {
  if (regex_->full_match(record.topic)) record.topic = regex_->replace_first(record.topic, replacement_);
  return true;
}

void register_regex_router(PluginRegistry& registry) {
  add_transform(registry, "RegexRouter", "Renames topics matching a regex",
                "Update the record topic using the configured regular expression and replacement string. Under the "
                "hood, the regex is compiled to a java.util.regex.Pattern. If the pattern matches the input topic, "
                "java.util.regex.Matcher#replaceFirst() is used with the replacement string to obtain the new topic.",
                RegexRouter::spec(), [] { return std::make_unique<RegexRouter>(); });
}

}  // namespace connectrun::transforms
