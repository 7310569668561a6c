// The connectrun binary's connector families other than file are modules
// (modules/connectrun-<family>.so), loaded with dlopen when a plugin of theirs
// is first looked up: a job that does not use a family does not map its
// libraries (libcurl, libpq, …). The modules bind to this binary's copy of
// lib/ (it exports its symbols): one registry, one logger.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "connectors/connectors.h"

namespace connectrun {

// A dlopen handle. Opened RTLD_NODELETE: plugin objects and the registry's
// factories may outlive it, so the module's code stays mapped for the process.
class ModuleHandle {
 public:
  ModuleHandle() = default;
  explicit ModuleHandle(void* handle) : handle_(handle) {}
  ModuleHandle(ModuleHandle&& o) noexcept : handle_(o.handle_) { o.handle_ = nullptr; }
  ModuleHandle& operator=(ModuleHandle&& o) noexcept;
  ModuleHandle(const ModuleHandle&) = delete;
  ModuleHandle& operator=(const ModuleHandle&) = delete;
  ~ModuleHandle();
  void* get() const { return handle_; }

 private:
  void* handle_ = nullptr;
};

// The folders searched for modules, in order: $CONNECTRUN_MODULE_DIR alone
// when set; else <exe dir>/modules (a build tree), then the installed folder
// relative to the binary's (CONNECTRUN_MODULE_RELDIR, set at configure time).
std::vector<std::string> module_dirs();

// What open_module says about a module it cannot open.
struct ModuleSpec {
  std::string file;      // "connectrun-rest.so"
  std::string subject;   // begins each message: "connector family 'jdbc'", "the REST server (listeners)"
  std::string remedy;    // when it is there but cannot load: the Debian packages of its libraries, …
  std::string leave_out; // how to do without it: "rebuild with -DCONNECTRUN_WITH_JDBC=OFF to leave the family out"
};

// The first spec.file in module_dirs(), opened (RTLD_NOW: a missing library
// or symbol fails here, not later) and checked to be from this connectrun
// version. On failure an empty handle, and `error` says why and what to do.
ModuleHandle open_module(const ModuleSpec& spec, std::string& error);

// The client libraries of every family (each module loaded) and their versions,
// for `connectrun --version --json`; a module that cannot load is left out.
std::vector<std::pair<std::string, std::string>> module_library_versions();

class ModuleLoader final : public PluginLoader {
 public:
  // The modules: every family built (`built`) but not linked in (no register_family).
  explicit ModuleLoader(const std::vector<ConnectorFamily>& families);
  bool load_for(std::string_view name, PluginRegistry& registry) override;
  std::vector<std::string> load_all(PluginRegistry& registry) override;
  void declared_names(std::initializer_list<PluginKind> kinds, std::vector<std::string>& out) const override;
  std::string unavailable(std::string_view name) const override;
  // (library, version) of each client library the loaded modules link, first mention first.
  std::vector<std::pair<std::string, std::string>> library_versions() const;

 private:
  struct Module {
    const ConnectorFamily* family;
    bool tried = false;
    std::string error;  // why it failed, when tried and failed
    ModuleHandle handle;
  };
  void load(Module& m, PluginRegistry& registry);
  std::vector<Module> modules_;
};

}  // namespace connectrun
