// Connectors created, changed or deleted over REST are written back to the
// job files `connectrun run` was given, so they survive a restart: a YAML
// job's connectors list (rewritten with yaml-cpp's emitter), a .properties or
// .json connector file of a Kafka-style job. Each write is atomic (a
// temporary file renamed over the old one, which is kept as FILE.bak). A new
// connector goes to the worker's config.storage.file when it is set; else a
// YAML job's file takes it, and a .properties job's has no file to go to (the
// command line names them): it runs and is forgotten at exit, as in Kafka's
// standalone mode. See docs/http-api.md.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/loader.h"
#include "ops/rest_entities.h"
#include "plan/job_config.h"

namespace connectrun::rest {

using ConfigPairs = std::vector<std::pair<std::string, std::string>>;

struct Change {
  int status = 200;               // 200/201 done; else an error status with `message`
  std::string message;
  std::optional<JobPlan> plan;    // the job as it now is, to apply (Herder::apply)
  bool created = false;
  std::string written;            // the file written ("" when none)
};

class JobFiles {
 public:
  JobFiles(std::vector<std::string> files, const PluginRegistry& registry);
  // Why the running job cannot take a planned change (Herder::refusal), asked
  // before any file is written: a refused change leaves the files as they were.
  using Refusal = std::function<std::optional<std::string>(const JobPlan&)>;
  // PUT /connectors/NAME/config (allow_replace) and POST /connectors. `config` holds "name".
  Change put(const std::string& name, const ConfigPairs& config, bool allow_replace, const Refusal& refusal = {});
  // DELETE /connectors/NAME. 404 when no file (nor this process) holds it.
  Change remove(const std::string& name, const Refusal& refusal = {});
  // PUT /connector-plugins/PLUGIN/config/validate: plans `config` (with the
  // job files' worker section) and reports every problem found.
  Validation validate(const ConfigPairs& config);

 private:
  bool yaml_job() const;
  // The worker's config.storage.file as the job files now say ("" when unset).
  static std::string storage_file(const config::RawJob& job);
  // The job as the files now say, with this process's own changes to a
  // .properties job (connectors added in memory, files "deleted") applied.
  config::RawJob load(config::Problems& problems) const;
  // Writes `section`'s connector (or removes it when nullptr) to `file`.
  void write(const std::string& file, const std::string& name, const ConfigPairs* config) const;

  std::vector<std::string> files_;
  const PluginRegistry& registry_;
  std::mutex mu_;  // one change at a time
  std::vector<config::RawSection> in_memory_;  // .properties job: connectors created over REST
  std::map<std::string, std::string> deleted_;  // .properties job: connectors deleted (name → their file, which remains)
};

}  // namespace connectrun::rest
