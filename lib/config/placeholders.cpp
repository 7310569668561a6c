// ${provider:[path:]key} placeholders, as Kafka's ConfigTransformer finds them,
// with the two providers Kafka ships for secrets: env and file.
#include <algorithm>
#include <cctype>
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
      // ${env:NAME:-default}, as in the shell: the default when NAME is unset or empty.
      std::string_view whole = ref;
      whole = whole.substr(6, whole.size() - 7);  // between "${env:" and "}"
      if (size_t dash = whole.find(":-"); dash != std::string_view::npos) {
        std::string var(whole.substr(0, dash));
        if (var.empty()) return fail(fmt::format("{}: no variable name before ':-' (use ${{env:NAME:-default}})", ref));
        const char* v = std::getenv(var.c_str());
        return std::string(v && *v ? std::string_view(v) : whole.substr(dash + 2));
      }
      if (!path.empty())
        return fail(fmt::format("{}: the env provider takes no path (use ${{env:NAME}} or ${{env:NAME:-default}})", ref));
      const char* v = std::getenv(name.c_str());
      if (!v) return fail(fmt::format("environment variable {} is not set (${{env:{}:-default}} gives a default)", name, name));
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
    std::vector<Resolved> resolved;
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
      if (replacement) {
        resolved.push_back(Resolved{out.size(), out.size() + replacement->size(), ref});
        out += *replacement;
      } else {
        out += ref;
      }
    }
    out.append(v, pos);
    if (!resolved.empty()) {
      e.written = v;
      e.resolved = std::move(resolved);
    }
    e.value = std::move(out);
  }

  void resolve(RawConfig& config, const std::string& connector) {
    for (auto& [key, entry] : config) resolve(entry, connector, key);
  }
};

}  // namespace

namespace {
std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whether `text` occurs in the entry's value overlapping a resolved part.
bool touches_resolved(const RawEntry& e, std::string_view text) {
  for (size_t at = e.value.find(text); at != std::string::npos; at = e.value.find(text, at + 1))
    for (auto& r : e.resolved)
      if (at < r.end && r.begin < at + text.size()) return true;
  return false;
}
}  // namespace

std::string redact(const RawEntry& e, std::string message) {
  if (e.resolved.empty()) return message;
  // Quoted spans: between any two consecutive quotes (an apostrophe in the
  // text cannot shift the pairs and let a span through).
  std::string out;
  size_t copied = 0, open = message.find('\'');
  while (open != std::string::npos) {
    size_t close = message.find('\'', open + 1);
    if (close == std::string::npos) break;
    std::string_view content = trimmed(std::string_view(message).substr(open + 1, close - open - 1));
    if (content.empty() || !touches_resolved(e, content)) {
      open = close;
      continue;
    }
    out.append(message, copied, open - copied);
    const Resolved* exact = nullptr;
    for (auto& r : e.resolved)
      if (trimmed(std::string_view(e.value).substr(r.begin, r.end - r.begin)) == content) exact = &r;
    if (content == trimmed(e.value)) out += "the value of " + e.written;
    else if (exact) out += "the value of " + exact->placeholder;
    else out += "part of the value of " + e.written;
    copied = close + 1;
    open = message.find('\'', copied);
  }
  out.append(message, copied, std::string::npos);
  // Unquoted occurrences, case-insensitively (a plugin may have changed the case).
  for (auto& r : e.resolved) {
    std::string piece = lower(trimmed(std::string_view(e.value).substr(r.begin, r.end - r.begin)));
    bool digits = std::all_of(piece.begin(), piece.end(), [](unsigned char c) { return std::isdigit(c); });
    if (piece.size() < 3 || digits) continue;
    std::string low = lower(out), next;
    size_t from = 0;
    for (size_t at = low.find(piece); at != std::string::npos; at = low.find(piece, from)) {
      next.append(out, from, at - from);
      next += r.placeholder;
      from = at + piece.size();
    }
    next.append(out, from, std::string::npos);
    out = std::move(next);
  }
  return out;
}

const std::string& shown_text(const RawEntry& e) { return e.from_placeholder() ? e.written : e.value; }

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

void hide_resolved_values(const RawJob& job, Problems& problems, std::vector<std::string>& warnings) {
  std::map<std::string, std::vector<const RawEntry*>> by_section;  // connector name ("" = worker) → entries
  std::vector<const RawEntry*> all;
  auto collect = [&](const RawConfig& entries, const std::string& section) {
    for (auto& [key, e] : entries)
      if (e.from_placeholder()) by_section[section].push_back(&e), all.push_back(&e);
  };
  collect(job.worker.entries, "");
  for (auto& c : job.connectors) {
    auto name = c.entries.find("name");
    collect(c.entries, name == c.entries.end() ? std::string() : name->second.value);
  }
  if (all.empty()) return;
  problems.rewrite([&](Problem& p) {
    auto section = by_section.find(p.connector);
    if (section == by_section.end()) return;
    auto at = std::find_if(section->second.begin(), section->second.end(), [&](const RawEntry* e) { return e->loc == p.loc; });
    if (at != section->second.end()) {
      p.message = redact(**at, std::move(p.message));
      return;
    }
    for (const RawEntry* e : section->second) p.message = redact(*e, std::move(p.message));
  });
  for (auto& w : warnings)
    for (const RawEntry* e : all) w = redact(*e, std::move(w));
}

}  // namespace connectrun::config
