#include "transforms/chain.h"

#include <map>

#include <fmt/format.h>

namespace connectrun {

TransformError::TransformError(std::string alias, std::string plugin, const std::string& cause)
    : std::runtime_error(fmt::format("transform '{}' ({}) failed: {}", alias, plugin, cause)),
      alias_(std::move(alias)),
      plugin_(std::move(plugin)),
      cause_(cause) {}

namespace {

struct Ctx {
  const PluginRegistry& registry;
  const config::RawConfig& raw;
  std::string connector;
  config::Problems& problems;
  std::set<std::string>& used;

  const config::RawEntry* entry(const std::string& key) {
    auto it = raw.find(key);
    if (it == raw.end()) return nullptr;
    used.insert(key);
    return &it->second;
  }
  void problem(const config::Location& loc, const std::string& key, std::string message) {
    problems.add(loc, connector, key, std::move(message));
  }
};

// Parses a list of aliases, reporting duplicates and empty names.
std::vector<std::string> aliases(Ctx& c, const std::string& key) {
  const config::RawEntry* e = c.entry(key);
  if (!e) return {};
  config::KeyDef def{key, config::KeyType::List, config::ConfigValue{std::vector<std::string>{}}, "", std::nullopt};
  auto parsed = config::parse_value(def, e->value);
  auto list = std::get<std::vector<std::string>>(std::get<config::ConfigValue>(parsed));
  std::vector<std::string> out;
  for (auto& a : list) {
    if (a.empty()) {
      if (list.size() > 1) c.problem(e->loc, key, "empty alias in the list");
      continue;
    }
    if (std::find(out.begin(), out.end(), a) != out.end()) {
      c.problem(e->loc, key, fmt::format("duplicate alias '{}'", a));
      continue;
    }
    out.push_back(a);
  }
  return out;
}

// The plugin's own keys under `prefix`, without the chain's wiring keys; reports unknown keys.
config::RawConfig own_keys(Ctx& c, const std::string& prefix, const PluginInfo& info,
                           std::initializer_list<std::string_view> wiring) {
  config::RawConfig sub;
  auto names = info.spec.names();
  for (auto& [k, v] : c.raw) {
    if (k.size() <= prefix.size() || k.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rest = k.substr(prefix.size());
    if (std::find(wiring.begin(), wiring.end(), rest) != wiring.end()) continue;
    c.used.insert(k);
    if (!info.spec.find(rest)) {
      c.problem(v.loc, k, fmt::format("unknown key for {} '{}'{}", plugin_kind_name(info.kind), info.name,
                                      config::did_you_mean(rest, names)));
      continue;
    }
    sub.emplace(rest, v);
  }
  return sub;
}

const PluginInfo* find_plugin(Ctx& c, const std::string& type_key, const config::Location& fallback, PluginKind kind) {
  const config::RawEntry* type = c.entry(type_key);
  if (!type || type->value.empty()) {
    c.problem(type ? type->loc : fallback, type_key, fmt::format("missing required key: the {} class or name",
                                                                   plugin_kind_name(kind)));
    return nullptr;
  }
  std::string name(type->value);
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front()))) name.erase(0, 1);
  const PluginInfo* info = c.registry.find(name, {kind});
  if (!info) {
    c.problem(type->loc, type_key, fmt::format("unknown {} '{}'{}", plugin_kind_name(kind), name,
                                               config::did_you_mean(name, c.registry.names({kind}))));
  }
  return info;
}

// Parses the plugin's keys and configures it; nullptr (with problems reported) on failure.
template <class T, class Make>
std::unique_ptr<T> configure(Ctx& c, const PluginInfo& info, const std::string& prefix, const config::Location& loc,
                             std::initializer_list<std::string_view> wiring, Make make) {
  config::RawConfig sub = own_keys(c, prefix, info, wiring);
  config::Problems local;
  config::ConfigValues values = config::parse(info.spec, sub, c.connector, local, loc);
  for (auto& p : local.list()) c.problem(p.loc, prefix + p.key, p.message);
  if (!local.empty()) return nullptr;
  auto plugin = make();
  try {
    plugin->configure(values);
  } catch (const config::ConfigError& e) {
    std::string key = e.key().empty() ? prefix + "type" : prefix + e.key();
    auto where = e.key().empty() ? loc : values.location_of(e.key());
    if (where.file.empty() && where.line == 0) where = loc;
    c.problem(where, key, e.what());
    return nullptr;
  } catch (const std::exception& e) {
    c.problem(loc, prefix + "type", e.what());
    return nullptr;
  }
  return plugin;
}

}  // namespace

TransformChain TransformChain::build(const PluginRegistry& registry, const config::RawConfig& connector_config,
                                     std::string_view connector, config::Problems& problems,
                                     std::set<std::string>& used) {
  Ctx c{registry, connector_config, std::string(connector), problems, used};
  TransformChain chain;

  std::map<std::string, std::shared_ptr<PredicateSlot>> predicates;
  std::map<std::string, bool> predicate_ok;
  for (auto& p : aliases(c, "predicates")) {
    std::string prefix = "predicates." + p + ".";
    auto it = connector_config.find("predicates");
    config::Location loc = it == connector_config.end() ? config::Location{} : it->second.loc;
    predicate_ok[p] = false;
    const PluginInfo* info = find_plugin(c, prefix + "type", loc, PluginKind::Predicate);
    if (!info) continue;
    auto pred = configure<Predicate>(c, *info, prefix, loc, {"type"}, [&] { return info->make_predicate(); });
    if (!pred) continue;
    predicate_ok[p] = true;
    predicates[p] = std::make_shared<PredicateSlot>(PredicateSlot{p, info->name, std::move(pred)});
  }

  for (auto& a : aliases(c, "transforms")) {
    std::string prefix = "transforms." + a + ".";
    auto it = connector_config.find("transforms");
    config::Location loc = it == connector_config.end() ? config::Location{} : it->second.loc;
    Stage stage;
    stage.alias = a;
    bool ok = true;
    if (const config::RawEntry* pe = c.entry(prefix + "predicate")) {
      std::string name = pe->value;
      auto known = predicate_ok.find(name);
      if (known == predicate_ok.end()) {
        std::vector<std::string> declared;
        for (auto& [k, v] : predicate_ok) declared.push_back(k);
        c.problem(pe->loc, prefix + "predicate",
                  fmt::format("predicate '{}' is not declared in 'predicates'{}", name, config::did_you_mean(name, declared)));
        ok = false;
      } else if (known->second) {
        stage.predicate = predicates[name];
      } else {
        ok = false;  // the predicate's own problems are already reported
      }
    }
    if (const config::RawEntry* ne = c.entry(prefix + "negate")) {
      config::KeyDef def{"negate", config::KeyType::Boolean, config::ConfigValue{false}, "", std::nullopt};
      auto parsed = config::parse_value(def, ne->value);
      if (auto* err = std::get_if<std::string>(&parsed)) {
        c.problem(ne->loc, prefix + "negate", *err);
        ok = false;
      } else {
        stage.negate = std::get<bool>(std::get<config::ConfigValue>(parsed));
      }
    }
    const PluginInfo* info = find_plugin(c, prefix + "type", loc, PluginKind::Transform);
    if (!info) continue;
    stage.plugin = info->name;
    stage.transform = configure<Transformation>(c, *info, prefix, loc, {"type", "predicate", "negate"},
                                                [&] { return info->make_transform(); });
    if (stage.transform && ok) chain.stages_.push_back(std::move(stage));
  }
  return chain;
}

bool TransformChain::apply_in_place(Record& record) {
  for (auto& stage : stages_) {
    try {
      if (stage.predicate) {
        bool matched = stage.predicate->predicate->test(record);
        if (stage.negate == matched) continue;  // runs iff negate XOR test
      }
      if (!stage.transform->apply_in_place(record)) return false;
    } catch (const std::exception& e) {
      throw TransformError(stage.alias, stage.plugin, e.what());
    }
  }
  return true;
}

}  // namespace connectrun
