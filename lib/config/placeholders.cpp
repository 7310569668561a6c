// ${provider:[path:]key} placeholders, as Kafka's ConfigTransformer finds them,
// with the two providers Kafka ships for secrets: env and file.
#include <cstdlib>
#include <map>
#include <optional>
#include <variant>

#include <fmt/format.h>

#include "config/loader.h"
#include "config/loader_internal.h"

namespace connectrun::config {

namespace {

struct Resolver {
  Problems& problems;
  // Each ${file:} target is read once per resolution: a properties map, or the read error.
  std::map<std::string, std::variant<RawConfig, std::string>> files;

  // Messages name the placeholder, never the value it resolves to.
  std::optional<std::string> lookup(const std::string& provider, const std::string& path, const std::string& name,
                                    const std::string& ref, const RawEntry& e, const std::string& connector,
                                    const std::string& key) {
    auto fail = [&](std::string msg) {
      problems.add(e.loc, connector, key, std::move(msg));
      return std::nullopt;
    };
    if (provider == "env") {
      if (!path.empty()) return fail(fmt::format("{}: the env provider takes no path (use ${{env:NAME}})", ref));
      const char* v = std::getenv(name.c_str());
      if (!v) return fail(fmt::format("environment variable {} is not set", name));
      return std::string(v);
    }
    if (provider == "file") {
      if (path.empty()) return fail(fmt::format("{}: the file provider needs a path (${{file:/path/to/file.properties:key}})", ref));
      auto it = files.find(path);
      if (it == files.end()) {
        std::string text;
        if (auto err = detail::read_text_file(path, text)) {
          it = files.emplace(path, *err).first;
        } else {
          Problems ignored;  // the secrets file's own syntax is not this job's to report
          it = files.emplace(path, load_properties_text(text, path, ignored)).first;
        }
      }
      if (auto* err = std::get_if<std::string>(&it->second))
        return fail(fmt::format("{}: cannot read '{}': {}", ref, path, *err));
      const auto& props = std::get<RawConfig>(it->second);
      auto found = props.find(name);
      if (found == props.end()) return fail(fmt::format("{}: key '{}' not found in '{}'", ref, name, path));
      return found->second.value;
    }
    const std::vector<std::string> known{"env", "file"};
    return fail(fmt::format("unknown config provider '{}' (supported: env, file){}", provider, did_you_mean(provider, known)));
  }

  void resolve(RawEntry& e, const std::string& connector, const std::string& key) {
    const std::string& v = e.value;
    if (v.find("${") == std::string::npos) return;
    std::string out;
    size_t pos = 0;
    while (true) {
      size_t open = v.find("${", pos);
      size_t end = open == std::string::npos ? open : v.find('}', open);
      if (end == std::string::npos) break;
      // The placeholder is the last "${" before the closing brace.
      size_t start = v.rfind("${", end);
      std::string_view inner(v.data() + start + 2, end - start - 2);
      size_t colon = inner.find(':');
      out.append(v, pos, start - pos);
      pos = end + 1;
      std::string ref = v.substr(start, end + 1 - start);
      if (colon == std::string_view::npos) {  // "${x}" is not a placeholder in Kafka: keep it
        out += ref;
        continue;
      }
      std::string provider(inner.substr(0, colon));
      std::string_view rest = inner.substr(colon + 1);
      size_t colon2 = rest.find(':');
      std::string path = colon2 == std::string_view::npos ? std::string() : std::string(rest.substr(0, colon2));
      std::string name(colon2 == std::string_view::npos ? rest : rest.substr(colon2 + 1));
      auto replacement = lookup(provider, path, name, ref, e, connector, key);
      out += replacement ? *replacement : ref;
    }
    out.append(v, pos);
    e.value = std::move(out);
  }

  void resolve(RawConfig& config, const std::string& connector) {
    for (auto& [key, entry] : config) resolve(entry, connector, key);
  }
};

}  // namespace

void resolve_placeholders(RawJob& job, Problems& problems) {
  Resolver r{problems, {}};
  r.resolve(job.worker.entries, "");
  for (auto& c : job.connectors) {
    auto name = c.entries.find("name");
    // Resolve the name first so problems in other keys carry the real connector name.
    std::string connector = name == c.entries.end() ? std::string() : name->second.value;
    if (name != c.entries.end()) {
      r.resolve(name->second, connector, "name");
      connector = name->second.value;
    }
    for (auto& [key, entry] : c.entries)
      if (key != "name") r.resolve(entry, connector, key);
  }
}

}  // namespace connectrun::config
