#include "ops/rest_job_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "config/yaml_text.h"
#include "json/json_writer.h"

namespace connectrun::rest {

namespace {
bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string name_of(const config::RawSection& s) {
  auto it = s.entries.find("name");
  return it == s.entries.end() ? std::string() : it->second.value;
}

config::RawSection section_of(const ConfigPairs& config, const std::string& file) {
  config::RawSection s;
  s.loc = config::Location{file};
  for (auto& [k, v] : config) s.entries[k] = config::RawEntry{v, config::Location{file}, {}, {}};
  return s;
}

// java.util.Properties' escapes, so that the file reads back as written.
std::string properties_escape(std::string_view s, bool key) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    switch (ch) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\f': out += "\\f"; break;
      case '=': case ':': case '#': case '!': out += '\\'; out += ch; break;
      case ' ':
        if (key || i == 0) out += '\\';
        out += ' ';
        break;
      default: out += ch;
    }
  }
  return out;
}

// A connector's config as a JSON object, a key per line, closed at two spaces' indent.
void append_config_object(std::string& text, const ConfigPairs& pairs) {
  text += "{";
  bool first = true;
  for (auto& [k, v] : pairs) {
    text += first ? "\n    " : ",\n    ";
    first = false;
    append_json_string(text, k);
    text += ": ";
    append_json_string(text, v);
  }
  text += "\n  }";
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `text` to `path` atomically: a temporary file in the same directory,
// flushed to disk, renamed over `path` (whose mode it takes). The previous
// content is kept as PATH.bak.
void write_atomically(const std::string& path, const std::string& text) {
  struct stat st {};
  mode_t mode = 0644;
  if (::stat(path.c_str(), &st) == 0) {
    mode = st.st_mode & 07777;
    std::string old = read_all(path);
    std::ofstream bak(path + ".bak", std::ios::binary | std::ios::trunc);
    bak << old;
  }
  std::string tmp = path + ".rest-tmp";
  auto fail = [&](const char* what) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot write {} ({}): {}", path, what, std::strerror(err)));
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) fail("create a temporary file beside it");
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      fail("write");
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
    ::close(fd);
    fail("sync");
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename");
}
}  // namespace

JobFiles::JobFiles(std::vector<std::string> files, const PluginRegistry& registry)
    : files_(std::move(files)), registry_(registry) {}

bool JobFiles::yaml_job() const {
  return files_.size() == 1 && !ends_with(files_[0], ".properties") && !ends_with(files_[0], ".json");
}

config::RawJob JobFiles::load(config::Problems& problems) const {
  config::RawJob job = config::load_job(files_, problems);
  std::erase_if(job.connectors, [&](auto& s) { return deleted_.count(name_of(s)) > 0; });
  for (auto& s : in_memory_) job.connectors.push_back(s);
  return job;
}

std::string JobFiles::storage_file(const config::RawJob& job) {
  auto it = job.worker.entries.find("config.storage.file");
  return it == job.worker.entries.end() ? std::string() : it->second.value;
}

void JobFiles::write(const std::string& file, const std::string& name, const ConfigPairs* config) const {
  std::string text;
  config::Problems ignored;
  if (file == storage_file(config::load_job(files_, ignored))) {
    // The config.storage.file: every connector it holds, this one replaced, added or removed.
    std::vector<config::RawSection> kept;
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) {
      config::Problems problems;
      kept = config::load_connector_json_list_text(read_all(file), file, problems);
      if (!problems.empty())
        throw std::runtime_error(fmt::format("cannot update {}: {}", file, problems.list().front().str()));
    }
    auto write_one = [&](const std::string& n, const ConfigPairs& pairs) {
      text += text.empty() ? "[\n  {\"name\": " : ",\n  {\"name\": ";
      append_json_string(text, n);
      text += ", \"config\": ";
      append_config_object(text, pairs);
      text += "}";
    };
    bool found = false;
    for (auto& section : kept) {
      std::string n = name_of(section);
      if (n == name) {
        found = true;
        if (config) write_one(name, *config);
        continue;
      }
      ConfigPairs pairs;
      for (auto& [k, e] : section.entries) pairs.emplace_back(k, e.value);
      write_one(n, pairs);
    }
    if (!found && config) write_one(name, *config);
    text = text.empty() ? "[]\n" : text + "\n]\n";
  } else if (yaml_job() && file == files_[0]) {
    YAML::Node root = YAML::LoadFile(file);
    YAML::Node next(YAML::NodeType::Sequence);
    bool found = false;
    for (auto item : root["connectors"]) {
      bool same = item.IsMap() && item["name"] && item["name"].IsScalar() && item["name"].Scalar() == name;
      if (!same) {
        next.push_back(item);
        continue;
      }
      found = true;
      if (!config) continue;
      YAML::Node c(YAML::NodeType::Map);
      for (auto& [k, v] : *config) c[k] = v;
      next.push_back(c);
    }
    if (!found && config) {
      YAML::Node c(YAML::NodeType::Map);
      for (auto& [k, v] : *config) c[k] = v;
      next.push_back(c);
    }
    root["connectors"] = next;
    try {
      text = config::yaml_text(root) + "\n";
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format("cannot write {}: {}", file, e.what()));
    }
  } else if (ends_with(file, ".json")) {
    // Kafka's connector JSON file: {"name": …, "config": {…}}.
    text = "{\n  \"name\": ";
    append_json_string(text, name);
    text += ",\n  \"config\": ";
    append_config_object(text, *config);
    text += "\n}\n";
  } else {
    text = fmt::format("# Written by connectrun (REST: PUT /connectors/{}/config).\n", name);
    for (auto& [k, v] : *config) text += properties_escape(k, true) + "=" + properties_escape(v, false) + "\n";
  }
  write_atomically(file, text);
}

Change JobFiles::put(const std::string& name, const ConfigPairs& config, bool allow_replace, const Refusal& refusal) {
  std::lock_guard lock(mu_);
  config::Problems problems;
  config::RawJob job = load(problems);
  if (!problems.empty())
    return {500, fmt::format("the job files cannot be read as they are now: {}", problems.list().front().str())};
  auto existing = std::find_if(job.connectors.begin(), job.connectors.end(), [&](auto& s) { return name_of(s) == name; });
  const bool exists = existing != job.connectors.end();
  if (exists && !allow_replace) return {409, fmt::format("Connector {} already exists", name)};
  // Where it goes: its own file; a new one to a YAML job's file; a
  // .properties job's new connector nowhere (in memory) unless its file was deleted over REST.
  const std::string storage = storage_file(job);
  std::string file = exists ? existing->loc.file : !storage.empty() ? storage : yaml_job() ? files_[0] : "";
  if (!exists && deleted_.count(name)) file = deleted_.at(name);
  auto in_memory = std::find_if(in_memory_.begin(), in_memory_.end(), [&](auto& s) { return name_of(s) == name; });
  if (in_memory != in_memory_.end()) file.clear();
  auto section = section_of(config, file);
  if (exists) *existing = section;
  else job.connectors.push_back(section);

  config::resolve_placeholders(job, problems);
  JobPlan plan;
  if (problems.empty()) plan = plan_job(job, registry_, problems);
  config::hide_resolved_values(job, problems, plan.warnings);
  if (!problems.empty()) {
    Validation v;
    v.problems = problems.list();
    return {400, invalid_config_message(v)};
  }
  if (refusal)
    if (auto why = refusal(plan)) return {409, *why};
  Change out;
  out.status = exists ? 200 : 201;
  out.created = !exists;
  if (!file.empty()) {
    write(file, name, &config);
    deleted_.erase(name);
    out.written = file;
  } else if (in_memory != in_memory_.end()) {
    *in_memory = section;
  } else {
    in_memory_.push_back(section);
  }
  out.plan = std::move(plan);
  return out;
}

Change JobFiles::remove(const std::string& name, const Refusal& refusal) {
  std::lock_guard lock(mu_);
  config::Problems problems;
  config::RawJob job = load(problems);
  if (!problems.empty())
    return {500, fmt::format("the job files cannot be read as they are now: {}", problems.list().front().str())};
  auto existing = std::find_if(job.connectors.begin(), job.connectors.end(), [&](auto& s) { return name_of(s) == name; });
  if (existing == job.connectors.end()) return {404, fmt::format("Connector {} not found", name)};
  std::string file = existing->loc.file;
  job.connectors.erase(existing);
  config::resolve_placeholders(job, problems);
  JobPlan plan;
  if (problems.empty()) plan = plan_job(job, registry_, problems);
  if (!problems.empty())  // e.g. the last connector of a YAML job, whose list may not be empty
    return {409, fmt::format("Connector {} cannot be deleted: the job would not be valid without it: {}", name,
                             problems.list().front().message)};
  if (refusal)
    if (auto why = refusal(plan)) return {409, *why};
  Change out;
  auto in_memory = std::find_if(in_memory_.begin(), in_memory_.end(), [&](auto& s) { return name_of(s) == name; });
  if (in_memory != in_memory_.end()) {
    in_memory_.erase(in_memory);
  } else if (yaml_job() || file == storage_file(job)) {
    write(file, name, nullptr);
    out.written = file;
  } else {
    deleted_.emplace(name, file);  // the command line names the file: it stays, and runs again at the next start
  }
  out.status = 204;
  out.plan = std::move(plan);
  return out;
}

Validation JobFiles::validate(const ConfigPairs& config) {
  Validation v;
  v.given = config;
  for (auto& [k, value] : config)
    if (k == "connector.class") v.class_name = value;
  v.plugin = registry_.find(v.class_name, {PluginKind::Source, PluginKind::Sink});
  config::Problems problems;
  config::RawJob job = load(problems);
  job.connectors.clear();
  job.connectors.push_back(section_of(config, "request"));
  problems = {};
  config::resolve_placeholders(job, problems);
  JobPlan plan;
  if (problems.empty()) plan = plan_job(job, registry_, problems);
  config::hide_resolved_values(job, problems, plan.warnings);
  v.problems = problems.list();
  return v;
}

}  // namespace connectrun::rest
