// Reads a job's configuration into flat textual sections, before any plugin
// spec is applied: one YAML job file, or Kafka Connect's own worker.properties
// plus connector files (.properties or JSON). Every problem is collected into
// `Problems`; nothing here throws for bad input.
//
// Location convention:
//  - YAML and JSON entries: 1-based line and column of the VALUE (for a list,
//    where the list starts). A null value (`file:`) has no text of its own, so
//    it takes the position of its key.
//  - .properties entries: file and 1-based line where the logical line starts,
//    column 0.
//  - Sections: the YAML `worker:` key (Location{file} when absent); a YAML
//    connector's mapping (its first key, just after the `- ` of the list item);
//    a whole .properties or JSON file is Location{file} (line 0).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/spec.h"

namespace YAML { class Node; }

namespace connectrun::config {

// Bounds on what one job may hold. Validation is linear in the number of
// connectors, but each costs memory (about 8 KB planned) and, when running, a
// thread: a job far beyond these is a mistake (a generated file gone wrong),
// refused at once with a clear problem rather than after minutes and gigabytes.
inline constexpr size_t kMaxConnectors = 10000;
inline constexpr size_t kMaxJobFileBytes = size_t{16} << 20;

struct RawSection {
  RawConfig entries;
  Location loc;  // where the section starts
};

struct RawJob {
  RawSection worker;
  std::vector<RawSection> connectors;
  std::vector<std::string> files;  // the configuration files read, in order (not ${file:} targets)
  // Kafka Connect's own files (worker.properties and connector files): unknown
  // worker keys warn there, as Kafka does; in connectrun's YAML they are errors.
  bool kafka_files = false;
  // Nothing to plan (a file unreadable, not YAML, not a mapping): its problems say all.
  bool plannable = true;
  // The `worker:` section is misspelt or not a mapping: its keys are unknown,
  // so the worker's missing keys would only be noise after that problem.
  bool worker_unusable = false;
};

// One argument ending in .yaml/.yml (or whose content is a YAML mapping with
// `worker`/`connectors`) is a YAML job; otherwise the first path is the worker
// .properties file and the rest are connector files (.properties, or JSON when
// named *.json or starting with '{').
RawJob load_job(const std::vector<std::string>& paths, Problems& problems);

// java.util.Properties text → entries (later duplicates win, as in Java).
RawConfig load_properties_text(std::string_view text, const std::string& file_name, Problems& problems);

// A YAML job document (`worker:` mapping, `connectors:` list of mappings).
RawJob load_yaml_text(std::string_view text, const std::string& file_name, Problems& problems);

// The same, from a node already parsed: a job inside another YAML file (a
// test file's inline `job:`), whose marks are that file's. `whole` locates
// problems about the job as a whole (a missing `connectors`).
RawJob load_yaml_node(const YAML::Node& root, const std::string& file_name, const Location& whole, Problems& problems);

// A JSON connector file: a string map {"name": …, "connector.class": …} or
// {"name": …, "config": {…}, "initial_state": …}; in the latter `name` is put
// into the config.
RawSection load_connector_json_text(std::string_view text, const std::string& file_name, Problems& problems);

// The worker's config.storage.file: a JSON array of connectors in the form
// above, where connectors created over REST are kept.
std::vector<RawSection> load_connector_json_list_text(std::string_view text, const std::string& file_name,
                                                      Problems& problems);

// Replaces ${env:NAME} and ${file:path:key} (Kafka's EnvVarConfigProvider and
// FileConfigProvider syntax) in every value. Unresolvable placeholders stay as
// written and are reported at the value's location; resolved values never
// appear in problems.
void resolve_placeholders(RawJob& job, Problems& problems);

// After validation: hides every resolved placeholder value in the problems
// (and warnings) found about the job, naming the placeholder instead (redact()).
// A problem located at an entry is redacted with that entry; any other problem
// of the same section with each of the section's entries, warnings with all.
void hide_resolved_values(const RawJob& job, Problems& problems, std::vector<std::string>& warnings);

}  // namespace connectrun::config
