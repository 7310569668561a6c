// YAML job files and JSON connector files, both read with yaml-cpp (JSON is
// YAML), so every entry keeps its line and column.
#include <algorithm>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "config/loader.h"

namespace connectrun::config {

namespace {

Location at(const std::string& file, const YAML::Mark& m) {
  if (m.line < 0) return Location{file, 0, 0};  // yaml-cpp's null mark
  return Location{file, m.line + 1, m.column + 1};
}

// Parses without throwing; a syntax error becomes one problem at yaml-cpp's position.
std::optional<YAML::Node> parse(std::string_view text, const std::string& file, std::string_view what,
                                Problems& problems) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    problems.add(at(file, e.mark), "", "", fmt::format("invalid {}: {}", what, e.msg));
    return std::nullopt;
  }
}

// The value of a scalar key in a mapping, without operator[] (which inserts on non-const nodes).
std::optional<YAML::Node> find(const YAML::Node& map, std::string_view key) {
  for (auto it = map.begin(); it != map.end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  return std::nullopt;
}

std::string scalar_or_empty(const std::optional<YAML::Node>& n) {
  return n && n->IsScalar() ? n->Scalar() : std::string();
}

// Turns nested mappings into dotted keys, lists of scalars into "a,b".
struct Flattener {
  const std::string& file;
  const std::string& connector;
  Problems& problems;
  RawConfig& out;

  void add(const std::string& key, std::string value, Location loc) {
    auto [it, inserted] = out.try_emplace(key, RawEntry{std::move(value), loc});
    if (!inserted) problems.add(loc, connector, key, fmt::format("duplicate key (also set at {})", it->second.loc.str()));
  }

  void value(const std::string& key, const YAML::Node& v, const YAML::Node& k) {
    switch (v.Type()) {
      case YAML::NodeType::Scalar: add(key, v.Scalar(), at(file, v.Mark())); break;
      case YAML::NodeType::Map: map(key, v); break;
      case YAML::NodeType::Sequence: {
        std::string joined;
        bool ok = true;
        for (size_t i = 0; i < v.size(); ++i) {
          const YAML::Node item = v[i];
          if (!item.IsScalar() && !item.IsNull()) {
            problems.add(at(file, item.Mark()), connector, key, "expected a scalar or a list of scalars");
            ok = false;
            continue;
          }
          if (i > 0) joined += ',';
          if (item.IsScalar()) joined += item.Scalar();
        }
        if (ok) add(key, std::move(joined), at(file, v.Mark()));
        break;
      }
      default: add(key, "", at(file, k.Mark()));  // null: no text of its own, so the key's position
    }
  }

  void map(const std::string& prefix, const YAML::Node& m) {
    for (auto it = m.begin(); it != m.end(); ++it) {
      const YAML::Node k = it->first;
      if (!k.IsScalar() || k.Scalar().empty()) {
        problems.add(at(file, k.Mark()), connector, prefix, "keys must be non-empty text");
        continue;
      }
      value(prefix.empty() ? k.Scalar() : prefix + "." + k.Scalar(), it->second, k);
    }
  }
};

void load_connector(const YAML::Node& item, const std::string& file, Problems& problems, RawJob& job) {
  RawSection section;
  section.loc = at(file, item.Mark());
  if (!item.IsMap()) {
    problems.add(section.loc, "", "", "each connector must be a mapping (name, connector.class, …)");
    return;
  }
  std::string name = scalar_or_empty(find(item, "name"));
  Flattener{file, name, problems, section.entries}.map("", item);
  if (!section.entries.count("name")) problems.add(section.loc, "", "", "missing required key 'name'");
  job.connectors.push_back(std::move(section));
}

// A JSON object whose values must all be strings (numbers and booleans are taken as written).
void load_string_map(const YAML::Node& map, const std::string& file, const std::string& connector,
                     Problems& problems, RawConfig& out) {
  Flattener flat{file, connector, problems, out};
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string key = it->first.Scalar();
    const YAML::Node v = it->second;
    if (v.IsMap() || v.IsSequence()) {
      problems.add(at(file, v.Mark()), connector, key, "expected a string value");
      continue;
    }
    flat.value(key, v, it->first);
  }
}

}  // namespace

RawJob load_yaml_text(std::string_view text, const std::string& file_name, Problems& problems) {
  auto root = parse(text, file_name, "YAML", problems);
  if (!root) {
    RawJob job;
    job.files = {file_name};
    job.worker.loc = Location{file_name};
    job.plannable = false;
    return job;
  }
  return load_yaml_node(*root, file_name, Location{file_name}, problems);
}

RawJob load_yaml_node(const YAML::Node& root, const std::string& file_name, const Location& whole, Problems& problems) {
  RawJob job;
  job.files = {file_name};
  job.worker.loc = whole;
  if (!root.IsMap()) {
    problems.add(at(file_name, root.Mark()), "", "",
                 "expected a mapping with 'worker' and 'connectors' at the top level");
    job.plannable = false;
    return job;
  }
  const std::vector<std::string> top_keys{"worker", "connectors"};
  std::set<std::string> seen;
  bool connectors_suggested = false;  // a misspelt `connectors` already explains its absence
  for (auto it = root.begin(); it != root.end(); ++it) {
    const YAML::Node k = it->first;
    const YAML::Node v = it->second;
    std::string key = k.IsScalar() ? k.Scalar() : std::string();
    Location key_loc = at(file_name, k.Mark());
    if (key != "worker" && key != "connectors") {
      std::string hint = did_you_mean(key, top_keys);
      if (hint.find("'connectors'") != std::string::npos) connectors_suggested = true;
      if (hint.find("'worker'") != std::string::npos) job.worker_unusable = true;
      problems.add(key_loc, "", "",
                   fmt::format("unknown top-level key '{}'{}; expected 'worker' and 'connectors'", key, hint));
      continue;
    }
    if (!seen.insert(key).second) {
      problems.add(key_loc, "", "", fmt::format("duplicate top-level key '{}'", key));
      continue;
    }
    if (key == "worker") {
      job.worker.loc = key_loc;
      if (v.IsMap()) Flattener{file_name, "", problems, job.worker.entries}.map("", v);
      else if (!v.IsNull()) {
        problems.add(at(file_name, v.Mark()), "", "", "'worker' must be a mapping of worker settings");
        job.worker_unusable = true;
      }
      continue;
    }
    if (!v.IsSequence() || v.size() == 0) {
      problems.add(v.IsNull() ? key_loc : at(file_name, v.Mark()), "", "",
                   v.IsSequence() ? "'connectors' must not be empty" : "'connectors' must be a list of connector mappings");
      continue;
    }
    if (v.size() > kMaxConnectors) {
      problems.add(at(file_name, v.Mark()), "", "",
                   fmt::format("{} connectors in one job; connectrun runs at most {} in one process (split the job "
                               "into several, one process each)",
                               v.size(), kMaxConnectors));
      continue;
    }
    for (auto item = v.begin(); item != v.end(); ++item) load_connector(*item, file_name, problems, job);
  }
  if (!seen.count("connectors") && !connectors_suggested)
    problems.add(whole, "", "", "missing required top-level key 'connectors'");
  return job;
}

namespace {
RawSection connector_from_json(const YAML::Node* root, const std::string& file_name, Problems& problems) {
  RawSection section;
  section.loc = Location{file_name};
  if (!root->IsMap()) {
    problems.add(at(file_name, root->Mark()), "", "", "expected a JSON object of connector settings");
    return section;
  }
  auto config = find(*root, "config");
  auto name = find(*root, "name");
  std::string name_text = scalar_or_empty(name);
  if (config && config->IsMap()) {
    // {"name": …, "config": {…}, "initial_state": …}, as the REST API's create request.
    const std::vector<std::string> allowed{"name", "config", "initial_state"};
    for (auto it = root->begin(); it != root->end(); ++it) {
      const std::string key = it->first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        problems.add(at(file_name, it->first.Mark()), name_text, "",
                     fmt::format("unknown key '{}'{}; expected 'name', 'config' and 'initial_state'", key,
                                 did_you_mean(key, allowed)));
    }
    load_string_map(*config, file_name, name_text, problems, section.entries);
    auto inner = section.entries.find("name");
    if (name && name->IsScalar()) {
      if (inner == section.entries.end())
        section.entries["name"] = RawEntry{name_text, at(file_name, name->Mark())};
      else if (inner->second.value != name_text)
        problems.add(inner->second.loc, name_text, "name",
                     fmt::format("connector name in 'config' ('{}') differs from the top-level 'name' ('{}') at {}",
                                 inner->second.value, name_text, at(file_name, name->Mark()).str()));
    }
  } else {
    load_string_map(*root, file_name, name_text, problems, section.entries);
  }
  if (!section.entries.count("name")) problems.add(section.loc, "", "", "missing required key 'name'");
  return section;
}
}  // namespace

RawSection load_connector_json_text(std::string_view text, const std::string& file_name, Problems& problems) {
  auto root = parse(text, file_name, "JSON", problems);
  if (!root) return RawSection{{}, Location{file_name}};
  return connector_from_json(&*root, file_name, problems);
}

std::vector<RawSection> load_connector_json_list_text(std::string_view text, const std::string& file_name,
                                                      Problems& problems) {
  std::vector<RawSection> out;
  auto root = parse(text, file_name, "JSON", problems);
  if (!root) return out;
  if (!root->IsSequence()) {
    problems.add(at(file_name, root->Mark()), "", "",
                 "expected a JSON array of connectors ([{\"name\": …, \"config\": {…}}, …])");
    return out;
  }
  for (auto it = root->begin(); it != root->end(); ++it) {
    YAML::Node item = *it;
    out.push_back(connector_from_json(&item, file_name, problems));
  }
  return out;
}

}  // namespace connectrun::config
