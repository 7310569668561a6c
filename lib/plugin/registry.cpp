#include "plugin/registry.h"

#include <algorithm>
#include <stdexcept>

namespace connectrun {

std::string_view plugin_kind_name(PluginKind k) {
  switch (k) {
    case PluginKind::Source: return "source connector";
    case PluginKind::Sink: return "sink connector";
    case PluginKind::Converter: return "converter";
    case PluginKind::HeaderConverter: return "header converter";
    case PluginKind::Transform: return "transform";
    case PluginKind::Predicate: return "predicate";
  }
  return "?";
}

void PluginRegistry::add(PluginInfo info) {
  std::lock_guard lock(*mu_);
  auto clash = [&](const std::string& n) {
    for (auto& p : plugins_) {
      if (p.name == n) return true;
      if (std::find(p.aliases.begin(), p.aliases.end(), n) != p.aliases.end()) return true;
    }
    return false;
  };
  if (clash(info.name)) throw std::logic_error("plugin registered twice: " + info.name);
  for (auto& a : info.aliases)
    if (clash(a)) throw std::logic_error("plugin alias registered twice: " + a);
  plugins_.push_back(std::move(info));
}

const PluginInfo* PluginRegistry::find_loaded(std::string_view name, std::initializer_list<PluginKind> kinds) const {
  for (auto& p : plugins_) {
    if (std::find(kinds.begin(), kinds.end(), p.kind) == kinds.end()) continue;
    if (p.name == name || std::find(p.aliases.begin(), p.aliases.end(), name) != p.aliases.end()) return &p;
  }
  return nullptr;
}

const PluginInfo* PluginRegistry::find(std::string_view name, std::initializer_list<PluginKind> kinds) const {
  std::lock_guard lock(*mu_);
  if (const PluginInfo* p = find_loaded(name, kinds)) return p;
  // The registry is never a const object: const is how it is shared once built.
  if (loader_ && loader_->load_for(name, const_cast<PluginRegistry&>(*this))) return find_loaded(name, kinds);
  return nullptr;
}

const PluginInfo* PluginRegistry::find_any(std::string_view name) const {
  return find(name, {PluginKind::Source, PluginKind::Sink, PluginKind::Converter, PluginKind::HeaderConverter,
                     PluginKind::Transform, PluginKind::Predicate});
}

std::vector<std::string> PluginRegistry::names(std::initializer_list<PluginKind> kinds) const {
  std::lock_guard lock(*mu_);
  std::vector<std::string> out;
  for (auto& p : plugins_) {
    if (std::find(kinds.begin(), kinds.end(), p.kind) == kinds.end()) continue;
    out.push_back(p.name);
    out.insert(out.end(), p.aliases.begin(), p.aliases.end());
  }
  if (loader_) loader_->declared_names(kinds, out);
  return out;
}

std::vector<std::string> PluginRegistry::load_all() const {
  std::lock_guard lock(*mu_);
  return loader_ ? loader_->load_all(const_cast<PluginRegistry&>(*this)) : std::vector<std::string>{};
}

std::string PluginRegistry::unavailable(std::string_view name) const {
  std::lock_guard lock(*mu_);
  return loader_ ? loader_->unavailable(name) : std::string();
}

}  // namespace connectrun

namespace connectrun {

std::vector<config::ConfigValues> connector_task_configs(const PluginInfo& plugin, const config::ConfigValues& cfg,
                                                         int max_tasks) {
  max_tasks = std::max(1, max_tasks);
  std::vector<config::ConfigValues> out;
  if (plugin.task_configs) out = plugin.task_configs(cfg, max_tasks);
  else out.assign(plugin.kind == PluginKind::Sink ? static_cast<size_t>(max_tasks) : 1u, cfg);
  if (out.empty()) out.push_back(cfg);  // a connector with nothing to split still runs one task
  if (out.size() > static_cast<size_t>(max_tasks)) out.resize(static_cast<size_t>(max_tasks));
  return out;
}

}  // namespace connectrun
