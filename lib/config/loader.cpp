// Chooses between a YAML job and Kafka Connect's own files, and checks what
// spans files (connector names).
#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "config/loader.h"
#include "config/loader_internal.h"

namespace connectrun::config {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_yaml_name(std::string_view path) { return ends_with(path, ".yaml") || ends_with(path, ".yml"); }

// A file not named *.yaml is still a YAML job when it is a mapping whose
// `worker` is a mapping or whose `connectors` is a list: a .properties file
// never parses that way.
bool looks_like_yaml_job(const std::string& text) {
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) return false;
    for (auto it = root.begin(); it != root.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      if (it->first.Scalar() == "worker" && it->second.IsMap()) return true;
      if (it->first.Scalar() == "connectors" && it->second.IsSequence()) return true;
    }
  } catch (const YAML::Exception&) {
  }
  return false;
}

bool looks_like_json(std::string_view path, std::string_view text) {
  if (ends_with(path, ".json")) return true;
  size_t i = text.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && text[i] == '{';
}

void check_connector_names(const RawJob& job, Problems& problems) {
  std::map<std::string, Location> first;
  for (const auto& c : job.connectors) {
    auto it = c.entries.find("name");
    if (it == c.entries.end()) continue;
    auto [prev, inserted] = first.try_emplace(it->second.value, it->second.loc);
    if (!inserted)
      problems.add(it->second.loc, it->second.value, "name",
                   fmt::format("duplicate connector name '{}' (also used at {})", it->second.value, prev->second.str()));
  }
}

// The worker's config.storage.file, when it exists: the connectors created
// over REST, run with those of the job files. Absent: none yet.
void load_config_storage(RawJob& job, Problems& problems) {
  auto it = job.worker.entries.find("config.storage.file");
  if (it == job.worker.entries.end() || it->second.value.empty()) return;
  const std::string& path = it->second.value;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return;
  std::string text;
  if (auto err = detail::read_text_file(path, text)) {
    problems.add(it->second.loc, "", "config.storage.file", fmt::format("cannot read {}: {}", path, *err));
    return;
  }
  for (auto& section : load_connector_json_list_text(text, path, problems)) job.connectors.push_back(std::move(section));
}

}  // namespace

RawJob load_job(const std::vector<std::string>& paths, Problems& problems) {
  RawJob job;
  if (paths.empty()) {
    problems.add(Location{}, "", "", "no configuration file given");
    return job;
  }
  std::vector<std::string> texts(paths.size());
  std::vector<bool> readable(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    auto err = detail::read_text_file(paths[i], texts[i]);
    readable[i] = !err;
    if (err) problems.add(Location{paths[i]}, "", "", fmt::format("cannot read: {}", *err));
    if (readable[i] && texts[i].size() > kMaxJobFileBytes) {
      problems.add(Location{paths[i]}, "", "",
                   fmt::format("the file is {:.1f} MiB; connectrun reads configuration files of at most {} MiB "
                               "(split the job into several, one process each)",
                               static_cast<double>(texts[i].size()) / (1 << 20), kMaxJobFileBytes >> 20));
      readable[i] = false;
      texts[i].clear();
    }
  }

  if (paths.size() > 1) {
    bool has_yaml = false;
    for (const auto& p : paths) {
      if (!is_yaml_name(p)) continue;
      problems.add(Location{p}, "", "", "a YAML job file must be the only file given");
      has_yaml = true;
    }
    // Reading YAML as properties would only add misleading problems.
    if (has_yaml) {
      job.files = paths;
      job.plannable = false;
      return job;
    }
  }
  bool yaml = paths.size() == 1 && (is_yaml_name(paths[0]) || looks_like_yaml_job(texts[0]));
  if (yaml) {
    if (!readable[0]) {
      job.files = {paths[0]};
      job.worker.loc = Location{paths[0]};
      job.plannable = false;
      return job;
    }
    job = load_yaml_text(texts[0], paths[0], problems);
  } else {
    job.files = paths;
    job.kafka_files = true;
    job.worker.loc = Location{paths[0]};
    if (readable[0]) job.worker.entries = load_properties_text(texts[0], paths[0], problems);
    else job.worker_unusable = true;
    for (size_t i = 1; i < paths.size(); ++i) {
      if (!readable[i]) continue;
      if (looks_like_json(paths[i], texts[i])) {
        job.connectors.push_back(load_connector_json_text(texts[i], paths[i], problems));
        continue;
      }
      RawSection section{load_properties_text(texts[i], paths[i], problems), Location{paths[i]}};
      if (!section.entries.count("name")) problems.add(section.loc, "", "", "missing required key 'name'");
      job.connectors.push_back(std::move(section));
    }
  }
  load_config_storage(job, problems);
  check_connector_names(job, problems);
  return job;
}

}  // namespace connectrun::config
