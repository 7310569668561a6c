#include "connectors/module_loader.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace connectrun {

namespace fs = std::filesystem;

ModuleHandle& ModuleHandle::operator=(ModuleHandle&& o) noexcept {
  std::swap(handle_, o.handle_);
  return *this;
}

ModuleHandle::~ModuleHandle() {
  if (handle_) dlclose(handle_);
}

std::vector<std::string> module_dirs() {
  if (const char* env = std::getenv("CONNECTRUN_MODULE_DIR"); env && *env) return {env};
  std::error_code ec;
  fs::path exe_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  if (ec) return {};
  return {(exe_dir / "modules").string(), (exe_dir / CONNECTRUN_MODULE_RELDIR).lexically_normal().string()};
}

namespace {

bool declares(const ConnectorFamily& f, std::string_view name) {
  for (auto& p : f.plugins)
    if (p.name == name || std::find(p.aliases.begin(), p.aliases.end(), name) != p.aliases.end()) return true;
  return false;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "" when the plugins registered from `first` on are exactly what `f` declares; else what differs.
std::string drift(const ConnectorFamily& f, const PluginRegistry& registry, size_t first) {
  std::set<std::string> declared, registered;
  for (auto& p : f.plugins) {
    std::string entry = fmt::format("{} {}", plugin_kind_name(p.kind), p.name);
    for (auto& a : p.aliases) entry += fmt::format(" ({})", a);
    declared.insert(entry);
  }
  for (size_t i = first; i < registry.all().size(); ++i) {
    const PluginInfo& p = registry.all()[i];
    std::string entry = fmt::format("{} {}", plugin_kind_name(p.kind), p.name);
    for (auto& a : p.aliases) entry += fmt::format(" ({})", a);
    registered.insert(entry);
  }
  if (declared == registered) return "";
  std::vector<std::string> missing, extra;
  std::set_difference(declared.begin(), declared.end(), registered.begin(), registered.end(),
                      std::back_inserter(missing));
  std::set_difference(registered.begin(), registered.end(), declared.begin(), declared.end(),
                      std::back_inserter(extra));
  return fmt::format("declared in connectors.cpp but not registered: [{}]; registered but not declared: [{}]",
                     fmt::join(missing, "; "), fmt::join(extra, "; "));
}

}  // namespace

ModuleLoader::ModuleLoader(const std::vector<ConnectorFamily>& families) {
  for (auto& f : families)
    if (f.built && !f.register_family) modules_.push_back(Module{&f});
}

ModuleHandle open_module(const ModuleSpec& spec, std::string& error) {
  std::vector<std::string> dirs = module_dirs();
  std::string path;
  for (auto& d : dirs)
    if (std::error_code ec; fs::exists(fs::path(d) / spec.file, ec)) {
      path = (fs::path(d) / spec.file).string();
      break;
    }
  if (path.empty()) {
    error = fmt::format("{} is a module, and {} is not in {}{}: reinstall connectrun (its package ships the "
                        "modules), set CONNECTRUN_MODULE_DIR to the folder holding them, or {}",
                        spec.subject, spec.file, fmt::join(dirs, " nor "),
                        std::getenv("CONNECTRUN_MODULE_DIR") ? " (CONNECTRUN_MODULE_DIR)" : "", spec.leave_out);
    return {};
  }
  ModuleHandle h(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE));
  if (!h.get()) {
    const char* why = dlerror();
    error = fmt::format("{}: cannot load its module {}: {}; {}; or {}", spec.subject, path,
                        why ? why : "unknown error", spec.remedy, spec.leave_out);
    return {};
  }
  auto version = reinterpret_cast<const char* (*)()>(dlsym(h.get(), "connectrun_module_version"));
  if (!version) {
    error = fmt::format("{}: {} is not a connectrun module (no connectrun_module_version)", spec.subject, path);
    return {};
  }
  if (std::string_view(version()) != CONNECTRUN_VERSION) {
    error = fmt::format("{}: {} is from connectrun {}, this binary is {}: install the binary and its modules from "
                        "one build",
                        spec.subject, path, version(), CONNECTRUN_VERSION);
    return {};
  }
  spdlog::debug("loaded {} from {}", spec.subject, path);
  return h;
}

void ModuleLoader::load(Module& m, PluginRegistry& registry) {
  m.tried = true;
  const ConnectorFamily& f = *m.family;
  ModuleSpec spec{
      .file = fmt::format("connectrun-{}.so", f.name),
      .subject = fmt::format("connector family '{}'", f.name),
      .remedy = f.packages.empty()
                    ? "reinstall connectrun"
                    : fmt::format("its libraries come with the Debian packages {} (the connectrun package depends on "
                                  "their runtime libraries)",
                                  f.packages),
      .leave_out = fmt::format("rebuild with -DCONNECTRUN_WITH_{}=OFF to leave the family out", upper(f.name))};
  m.handle = open_module(spec, m.error);
  if (!m.handle.get()) return;
  auto register_family = reinterpret_cast<void (*)(PluginRegistry&)>(dlsym(m.handle.get(), "connectrun_module_register"));
  if (!register_family) {
    m.error = fmt::format("{}: its module is not a connector family's (no connectrun_module_register)", spec.subject);
    return;
  }
  size_t first = registry.all().size();
  try {
    register_family(registry);
  } catch (const std::exception& e) {
    m.error = fmt::format("connector family '{}': module {} failed to register: {}", f.name, spec.file, e.what());
    return;
  }
  if (std::string d = drift(f, registry, first); !d.empty()) {
    m.error = fmt::format("connector family '{}': module {} does not register what connectors.cpp declares: {}",
                          f.name, spec.file, d);
  }
}

std::vector<std::pair<std::string, std::string>> ModuleLoader::library_versions() const {
  using Versions = std::vector<std::pair<std::string, std::string>>;
  Versions out;
  for (auto& m : modules_) {
    if (!m.handle.get() || !m.error.empty()) continue;
    auto versions = reinterpret_cast<void (*)(Versions&)>(dlsym(m.handle.get(), "connectrun_module_library_versions"));
    if (!versions) continue;
    Versions mine;
    versions(mine);
    for (auto& v : mine)
      if (std::none_of(out.begin(), out.end(), [&](auto& o) { return o.first == v.first; })) out.push_back(v);
  }
  return out;
}

bool ModuleLoader::load_for(std::string_view name, PluginRegistry& registry) {
  for (auto& m : modules_)
    if (!m.tried && declares(*m.family, name)) {
      load(m, registry);
      return m.error.empty();
    }
  return false;
}

std::vector<std::string> ModuleLoader::load_all(PluginRegistry& registry) {
  std::vector<std::string> errors;
  for (auto& m : modules_) {
    if (!m.tried) load(m, registry);
    if (!m.error.empty()) errors.push_back(m.error);
  }
  return errors;
}

void ModuleLoader::declared_names(std::initializer_list<PluginKind> kinds, std::vector<std::string>& out) const {
  for (auto& m : modules_) {
    if (m.tried && m.error.empty()) continue;  // loaded: its plugins are in the registry
    for (auto& p : m.family->plugins) {
      if (std::find(kinds.begin(), kinds.end(), p.kind) == kinds.end()) continue;
      out.emplace_back(p.name);
      out.insert(out.end(), p.aliases.begin(), p.aliases.end());
    }
  }
}

std::string ModuleLoader::unavailable(std::string_view name) const {
  for (auto& m : modules_)
    if (declares(*m.family, name)) return m.error;
  return "";
}

}  // namespace connectrun
