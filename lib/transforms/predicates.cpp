#include "transforms/predicates.h"

#include <algorithm>

#include "transforms/transforms.h"
#include "transforms/util.h"

namespace connectrun::transforms {

namespace {
constexpr std::string_view kPredicatePackage = "org.apache.kafka.connect.transforms.predicates.";

void add_predicate(PluginRegistry& registry, std::string name, std::string summary, std::string description,
                   config::ConfigSpec spec, std::function<std::unique_ptr<Predicate>()> make) {
  PluginInfo info;
  info.aliases.push_back(std::string(kPredicatePackage) + name);
  info.name = std::move(name);
  info.kind = PluginKind::Predicate;
  info.summary = std::move(summary);
  info.description = std::move(description);
  info.spec = std::move(spec);
  info.make_predicate = std::move(make);
  registry.add(std::move(info));
}
}  // namespace

config::ConfigSpec HasHeaderKey::spec() {
  config::ConfigSpec s;
  s.define({"name", config::KeyType::String, std::nullopt, "The header name.", non_empty_string_config()});
  return s;
}

void HasHeaderKey::configure(const config::ConfigValues& cfg) { name_ = cfg.get_string("name"); }

bool HasHeaderKey::test(const Record& record) {
  return std::any_of(record.headers.begin(), record.headers.end(), [&](const Header& h) { return h.key == name_; });
}

config::ConfigSpec TopicNameMatches::spec() {
  config::ConfigSpec s;
  auto regex = regex_validator();
  auto non_empty = non_empty_string_config();
  s.define({"pattern", config::KeyType::String, std::nullopt,
            "A Java regular expression for matching against the name of a record's topic.",
            config::Validator{[regex, non_empty](const config::ConfigValue& v) -> std::optional<std::string> {
                                if (auto e = non_empty.check(v)) return e;
                                return regex.check(v);
                              },
                              "non-empty string, valid regex"}});
  return s;
}

void TopicNameMatches::configure(const config::ConfigValues& cfg) { regex_.emplace(cfg.get_string("pattern"), "pattern"); }

void register_predicates(PluginRegistry& registry) {
  add_predicate(registry, "HasHeaderKey", "True when the record has a header with the given name",
                "A predicate which is true for records with at least one header with the configured name.",
                HasHeaderKey::spec(), [] { return std::make_unique<HasHeaderKey>(); });
  add_predicate(registry, "RecordIsTombstone", "True when the record's value is null",
                "A predicate which is true for records which are tombstones (i.e. have null value).",
                config::ConfigSpec{}, [] { return std::make_unique<RecordIsTombstone>(); });
  add_predicate(registry, "TopicNameMatches", "True when the whole topic name matches a regex",
                "A predicate which is true for records with a topic name that matches the configured regular "
                "expression.",
                TopicNameMatches::spec(), [] { return std::make_unique<TopicNameMatches>(); });
}

}  // namespace connectrun::transforms
