#include "plan/job_config.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <strings.h>

#include <fmt/format.h>

#include "converters/converters.h"
#include "ops/listener.h"
#include "plan/worker_compat.h"
#include "transforms/chain.h"
#include "transforms/regex.h"

namespace connectrun {

using config::ConfigSpec;
using config::KeyDef;
using config::KeyType;
using config::Location;
using config::Problems;
using config::RawConfig;
namespace v = config::validators;

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Files `k` under the client whose prefix it has (`prefix_of`: the worker's
// producer./consumer./admin. or a connector's *.override.), without the
// prefix. False when it has none.
bool take_client_key(ClientKeys& keys, const std::string& k, const config::RawEntry& e,
                     std::string (*prefix_of)(ClientRole)) {
  for (ClientRole role : {ClientRole::Producer, ClientRole::Consumer, ClientRole::Admin}) {
    std::string prefix = prefix_of(role);
    if (!starts_with(k, prefix)) continue;
    keys.of(role).emplace(k.substr(prefix.size()), e);
    return true;
  }
  return false;
}

// Resolves a converter class and parses its prefixed keys.
// Where a job's warnings about Kafka keys with no effect go (JobPlan::config_warnings too).
struct CompatWarnings {
  std::vector<std::string>& warnings;
  std::vector<std::string>& config_warnings;
  bool kafka_files = false;  // Kafka's .properties files: unknown keys warn instead of failing
  void add(const Location& loc, const std::string& connector, const std::string& text) {
    std::string w = connector.empty() ? fmt::format("{}: {}", loc.str(), text)
                                      : fmt::format("{}: connector '{}': {}", loc.str(), connector, text);
    warnings.push_back(w);
    config_warnings.push_back(std::move(w));
  }
};

// Whether any converter declares `key` (schemas.enable is JsonConverter's, say).
bool some_converter_has(const PluginRegistry& registry, const std::string& key) {
  registry.load_all();  // every converter, of modules too (a module that cannot load has none to offer)
  for (auto& p : registry.all())
    if ((p.kind == PluginKind::Converter || p.kind == PluginKind::HeaderConverter) && p.spec.find(key)) return true;
  return false;
}

ConverterPlan plan_converter(const PluginRegistry& registry, const std::string& role, const std::string& cls,
                             const Location& cls_loc, const RawConfig& raw, const std::string& connector,
                             Problems& problems, std::set<std::string>& used, CompatWarnings* compat) {
  ConverterPlan plan;
  plan.role = role;
  bool header = role == "header.converter";
  // (Two calls, not a conditional initializer_list: its backing array would not outlive the expression.)
  plan.info = header ? registry.find(cls, {PluginKind::HeaderConverter, PluginKind::Converter})
                     : registry.find(cls, {PluginKind::Converter});
  std::string prefix = role + ".";
  RawConfig sub = config::with_prefix(raw, prefix);
  for (auto& [k, e] : sub) used.insert(prefix + k);
  if (!plan.info) {
    if (std::string why = registry.unavailable(cls); !why.empty()) {
      problems.add(cls_loc, connector, role, why);
      return plan;
    }
    problems.add(cls_loc, connector, role,
                 fmt::format("unknown converter '{}'{}", cls,
                             config::did_you_mean(cls, header ? registry.names({PluginKind::HeaderConverter, PluginKind::Converter})
                                                              : registry.names({PluginKind::Converter}))));
    return plan;
  }
  plan.cfg = config::parse(plan.info->spec, sub, connector, problems, cls_loc);
  for (auto& [k, e] : sub) {
    if (plan.info->spec.find(k)) continue;
    // Kafka's converters ignore keys they do not define (key.converter.schemas.enable
    // beside a StringConverter): a key of another converter, or any in Kafka's own files, warns.
    if (compat && (compat->kafka_files || some_converter_has(registry, k))) {
      compat->add(e.loc, connector, fmt::format("key '{}{}' has no effect: {} does not use it (Kafka's {} ignores it "
                                                "too){}", prefix, k, plan.info->name, plan.info->name,
                                                config::did_you_mean(k, plan.info->spec.names())));
      continue;
    }
    problems.add(e.loc, connector, prefix + k,
                 fmt::format("unknown key for {}{}", plan.info->name, config::did_you_mean(k, plan.info->spec.names())));
  }
  try {
    if (header) make_header_converter(plan);
    else make_converter(plan);
  } catch (const config::ConfigError& e) {
    problems.add(e.key().empty() ? cls_loc : plan.cfg.location_of(e.key()), connector,
                 e.key().empty() ? role : prefix + e.key(), e.what());
  }
  return plan;
}

// KIP-618's connector keys, checked as Kafka's DistributedHerder validates them.
void check_exactly_once_keys(ConnectorPlan& plan, const config::ConfigValues& worker, const std::string& cn,
                             Problems& problems) {
  const bool enabled = exactly_once_sources(worker);
  if (strcasecmp(plan.common.get_string("exactly.once.support").c_str(), "required") == 0) {
    const auto loc = plan.common.location_of("exactly.once.support");
    if (!enabled)
      problems.add(loc, cn, "exactly.once.support",
                   "required, but this worker does not have exactly-once source support enabled: set "
                   "exactly.once.source.support: enabled in the worker section, or exactly.once.support: requested");
    else if (!plan.plugin->exactly_once || !plan.plugin->exactly_once(plan.plugin_cfg))
      problems.add(loc, cn, "exactly.once.support",
                   fmt::format("required, but {} does not support exactly-once delivery with this configuration: its "
                               "offsets do not let it read its input again exactly from a committed offset "
                               "(docs/scaling.md lists the connectors that do); set exactly.once.support: requested "
                               "to run it transactionally anyway",
                               plan.plugin->name));
  }
  const std::string boundary = plan.common.get_string("transaction.boundary");
  if (strcasecmp(boundary.c_str(), "connector") == 0)
    problems.add(plan.common.location_of("transaction.boundary"), cn, "transaction.boundary",
                 fmt::format("connector-defined transaction boundaries are not supported: {} does not define "
                             "transaction boundaries (no connectrun connector does); use poll or interval",
                             plan.plugin->name));
  // Kafka's default for the interval: the worker's offset commit interval.
  if (strcasecmp(boundary.c_str(), "interval") == 0 && plan.common.is_null("transaction.boundary.interval.ms"))
    plan.common.set("transaction.boundary.interval.ms", worker.get_long("offset.flush.interval.ms"));
  else if (!plan.common.is_null("transaction.boundary.interval.ms") && strcasecmp(boundary.c_str(), "interval") != 0)
    problems.add(plan.common.location_of("transaction.boundary.interval.ms"), cn, "transaction.boundary.interval.ms",
                 "only applies with transaction.boundary: interval; set that, or remove this key");
}

ConnectorPlan plan_connector(const config::RawSection& section, const config::ConfigValues& worker,
                             const RawConfig& worker_raw, const PluginRegistry& registry, Problems& problems,
                             std::vector<std::string>& warnings, CompatWarnings& compat) {
  ConnectorPlan plan;
  plan.registry = &registry;
  plan.loc = section.loc;
  plan.raw = section.entries;
  const RawConfig& raw = section.entries;
  auto name_it = raw.find("name");
  plan.name = name_it == raw.end() ? std::string("<unnamed>") : name_it->second.value;
  std::set<std::string> used;
  const std::string& cn = plan.name;

  plan.common = config::parse(connector_common_spec(), raw, cn, problems, section.loc);
  for (auto& k : connector_common_spec().names()) used.insert(k);
  std::string cls = plan.common.get_string("connector.class");
  if (!cls.empty()) {
    plan.plugin = registry.find(cls, {PluginKind::Source, PluginKind::Sink});
    if (!plan.plugin)
      problems.add(plan.common.location_of("connector.class"), cn, "connector.class",
                   unknown_connector_class_message(cls, registry));
  }
  // Without its plugin, the connector's own keys cannot be told from unknown ones: one problem says it all.
  const bool unknown_class = !cls.empty() && !plan.plugin;
  std::vector<std::string> known = connector_common_spec().names();
  if (plan.plugin) {
    plan.is_source = plan.plugin->kind == PluginKind::Source;
    const ConfigSpec& kind_spec = plan.is_source ? source_common_spec() : sink_common_spec();
    auto kind_values = config::parse(kind_spec, raw, cn, problems, section.loc);
    for (auto& [k, val] : kind_values.values()) plan.common.set(k, val);
    for (auto& k : kind_spec.names()) used.insert(k), known.push_back(k);
    RawConfig merged_raw = plan.common.raw();
    for (auto& [k, e] : kind_values.raw()) merged_raw.emplace(k, e);
    plan.common.set_raw(merged_raw);

    plan.plugin_cfg = config::parse(plan.plugin->spec, raw, cn, problems, section.loc);
    for (auto& k : plan.plugin->spec.names()) used.insert(k), known.push_back(k);

    if (!plan.is_source) {
      auto topics = plan.common.get_list("topics");
      auto regex = plan.common.get_string("topics.regex");
      if (topics.empty() == regex.empty())
        problems.add(section.loc, cn, "topics",
                     topics.empty() ? "a sink connector needs one of 'topics' or 'topics.regex'"
                                    : "set only one of 'topics' and 'topics.regex', not both");
      for (auto& t : topics)
        if (auto p = topic_name_problem(t)) problems.add(plan.common.location_of("topics"), cn, "topics", *p);
      // Java's regex syntax (PCRE2), matched against whole topic names on both buses.
      bool regex_ok = regex.empty();
      if (!regex.empty()) {
        if (auto p = transforms::JavaRegex::check(regex))
          problems.add(plan.common.location_of("topics.regex"), cn, "topics.regex",
                       fmt::format("invalid regular expression '{}': {}", regex, *p));
        else
          regex_ok = true;
      }
      plan.subscription = Subscription{topics, regex};
      plan.dlq_topic = plan.common.get_string("errors.deadletterqueue.topic.name");
      if (!plan.dlq_topic.empty()) {
        auto loc = plan.common.location_of("errors.deadletterqueue.topic.name");
        bool input = std::find(topics.begin(), topics.end(), plan.dlq_topic) != topics.end() ||
                     (!regex.empty() && regex_ok && transforms::JavaRegex(regex, "topics.regex").full_match(plan.dlq_topic));
        if (auto p = topic_name_problem(plan.dlq_topic))
          problems.add(loc, cn, "errors.deadletterqueue.topic.name", *p);
        else if (input)
          problems.add(loc, cn, "errors.deadletterqueue.topic.name",
                       fmt::format("the dead letter topic '{}' is one of this sink's input topics: every bad record "
                                   "would come back; choose another topic", plan.dlq_topic));
      }
    } else {
      bool p = !plan.common.is_null("topic.creation.default.partitions");
      bool r = !plan.common.is_null("topic.creation.default.replication.factor");
      if (p != r)
        problems.add(section.loc, cn, p ? "topic.creation.default.replication.factor" : "topic.creation.default.partitions",
                     "topic creation needs both topic.creation.default.partitions and "
                     "topic.creation.default.replication.factor (KIP-158)");
      if (p && r) {
        plan.topic_partitions = static_cast<int>(plan.common.get_long("topic.creation.default.partitions"));
        plan.topic_replication = static_cast<int>(plan.common.get_long("topic.creation.default.replication.factor"));
      }
      check_exactly_once_keys(plan, worker, cn, problems);
      if (!plan.common.get_list("topic.creation.groups").empty())
        problems.add(plan.common.location_of("topic.creation.groups"), cn, "topic.creation.groups",
                     "only the default topic creation group is supported; use the topic.creation.default.* keys");
    }
    // Cross-key rules the plugin knows (topic names, stdin, …).
    try {
      if (plan.is_source) plan.plugin->make_source()->configure(plan.plugin_cfg);
      else plan.plugin->make_sink()->configure(plan.plugin_cfg);
    } catch (const config::ConfigError& e) {
      problems.add(e.key().empty() ? section.loc : plan.plugin_cfg.location_of(e.key()), cn, e.key(), e.what());
    }
  }

  // Converters: the connector's own only when it sets the class (Kafka's Plugins.newConverter rule).
  for (const std::string role : {"key.converter", "value.converter", "header.converter"}) {
    ConverterPlan* target = role == "key.converter" ? &plan.key_converter
                            : role == "value.converter" ? &plan.value_converter
                                                        : &plan.header_converter;
    if (plan.common.was_set(role)) {
      *target = plan_converter(registry, role, plan.common.get_string(role), plan.common.location_of(role), raw, cn,
                               problems, used, &compat);
    } else {
      Problems ignore;  // worker converters are checked once, for the worker
      std::set<std::string> unused;
      auto wit = worker_raw.find(role);
      *target = plan_converter(registry, role, worker.get_string(role), wit == worker_raw.end() ? Location{} : wit->second.loc,
                               worker_raw, cn, ignore, unused, nullptr);
      for (auto& [k, e] : config::with_prefix(raw, role + ".")) {
        used.insert(role + "." + k);
        warnings.push_back(fmt::format("{}: connector '{}': key '{}.{}' has no effect because the connector does not "
                                       "set '{}' (Kafka Connect ignores it too)",
                                       e.loc.str(), cn, role, k, role));
      }
    }
  }

  // The chain validates transforms.* and predicates.*; each task builds its own instance later.
  TransformChain::build(registry, raw, cn, problems, used);

  for (auto& [k, e] : raw) {
    if (used.count(k)) continue;
    if (take_client_key(plan.client, k, e, override_prefix)) continue;
    if (unknown_class) continue;
    if (starts_with(k, "topic.creation.")) {
      problems.add(e.loc, cn, k, "only the default topic creation group is supported (topic.creation.default.partitions "
                                 "and topic.creation.default.replication.factor)");
      continue;
    }
    problems.add(e.loc, cn, k,
                 fmt::format("unknown key{}{}", plan.plugin ? fmt::format(" for {}", plan.plugin->name) : "",
                             config::did_you_mean(k, known)));
  }
  for (ClientRole role : {ClientRole::Producer, ClientRole::Consumer, ClientRole::Admin}) {
    auto& keys = plan.client.of(role);
    if (keys.empty()) continue;
    if (worker.is_null("bootstrap.servers"))
      for (auto& [k, e] : keys)
        warnings.push_back(fmt::format("{}: connector '{}': key '{}{}' has no effect on the in-process bus (no "
                                       "bootstrap.servers)", e.loc.str(), cn, override_prefix(role), k));
    validate_client_keys(keys, override_prefix(role), role, cn, problems);
  }

  return plan;
}

// One name per file, whatever path reaches it: device and inode when it
// exists (hard and symbolic links), else the path with its existing part resolved.
std::string file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return fmt::format("inode {}:{}", st.st_dev, st.st_ino);
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : canonical.string();
}

// A connector writing a file that another connector of the job reads: what it
// writes is read again, and with the source feeding the sink the file grows
// without end. One pass over the connectors (a map by file), never pairs.
void check_shared_files(const std::vector<ConnectorPlan>& connectors, Problems& problems) {
  struct Use {
    const ConnectorPlan* connector;
    const config::KeyDef* key;
    std::string path;
  };
  std::unordered_map<std::string, Use> readers;
  std::vector<std::pair<Use, std::string>> writers;  // with the file's identity
  for (auto& c : connectors) {
    if (!c.plugin) continue;
    for (auto& def : c.plugin->spec.keys()) {
      auto use = def.file_use;
      if (use == config::FileUse::None || !c.plugin_cfg.has(def.name)) continue;
      std::string path = c.plugin_cfg.get_string(def.name);
      if (path.empty()) continue;  // stdin or stdout
      std::string id = file_identity(path);
      if (use == config::FileUse::Reads) readers.try_emplace(id, Use{&c, &def, path});
      else writers.emplace_back(Use{&c, &def, path}, id);
    }
  }
  for (auto& [w, id] : writers) {
    auto r = readers.find(id);
    if (r == readers.end()) continue;
    const Use& reader = r->second;
    std::string same = reader.path == w.path ? std::string("the same path") : fmt::format("reached as '{}'", reader.path);
    problems.add(w.connector->plugin_cfg.location_of(w.key->name), w.connector->name, w.key->name,
                 fmt::format("connector '{}' ({}) writes '{}', the file that connector '{}' ({}) reads ({}): every "
                             "line written would be read again and written again, growing the file without end; "
                             "give the two connectors different files",
                             w.connector->name, w.connector->plugin->name, w.path, reader.connector->name,
                             reader.connector->plugin->name, same));
  }
}

}  // namespace

bool exactly_once_sources(const config::ConfigValues& worker) {
  return strcasecmp(worker.get_string("exactly.once.source.support").c_str(), "enabled") == 0;
}

std::unique_ptr<Converter> make_converter(const ConverterPlan& plan) {
  auto c = plan.info->make_converter();
  c->configure(plan.cfg, plan.role == "key.converter");
  return c;
}

std::unique_ptr<HeaderConverter> make_header_converter(const ConverterPlan& plan) {
  std::unique_ptr<HeaderConverter> h;
  if (plan.info->make_header_converter) h = plan.info->make_header_converter();
  else h = header_converter_from(plan.info->make_converter());
  h->configure(plan.cfg);
  return h;
}

JobPlan plan_job(const config::RawJob& job, const PluginRegistry& registry, Problems& problems) {
  JobPlan plan;
  plan.registry = &registry;
  CompatWarnings compat{plan.warnings, plan.config_warnings, job.kafka_files};
  const RawConfig& wraw = job.worker.entries;
  // A misspelt `worker:` already said why its keys are missing.
  Problems worker_noise;
  plan.worker = config::parse(worker_spec(), wraw, "", job.worker_unusable ? worker_noise : problems, job.worker.loc);
  std::set<std::string> used;
  for (auto& k : worker_spec().names()) used.insert(k);
  // The worker's converters, checked once.
  for (const std::string role : {"key.converter", "value.converter", "header.converter"}) {
    std::string cls = plan.worker.get_string(role);
    if (cls.empty()) continue;
    plan_converter(registry, role, cls, plan.worker.location_of(role), wraw, "", problems, used, &compat);
  }
  if (!plan.worker.is_null("offset.storage.topic") && plan.worker.is_null("bootstrap.servers"))
    problems.add(plan.worker.location_of("offset.storage.topic"), "", "offset.storage.topic",
                 "keeps source offsets in a Kafka topic, which needs a Kafka cluster: set bootstrap.servers, or remove "
                 "offset.storage.topic to keep them in offset.storage.file.filename (the in-process bus has no topics "
                 "that outlive the process)");
  if (!plan.worker.is_null("group.id")) {
    // A cluster shares its tasks through Kafka and resumes them from offsets every process reads.
    if (plan.worker.is_null("bootstrap.servers"))
      problems.add(plan.worker.location_of("group.id"), "", "group.id",
                   "a cluster of processes is coordinated by a Kafka consumer group: set bootstrap.servers (and "
                   "offset.storage.topic), or remove group.id to run every task in this process");
    else if (plan.worker.is_null("offset.storage.topic"))
      problems.add(plan.worker.location_of("group.id"), "", "group.id",
                   "a cluster of processes resumes a task taken over from another process from the offsets it "
                   "stored: set offset.storage.topic (e.g. connect-offsets), as every process of the cluster must");
    if (plan.worker.get_long("heartbeat.interval.ms") >= plan.worker.get_long("session.timeout.ms"))
      problems.add(plan.worker.location_of("heartbeat.interval.ms"), "", "heartbeat.interval.ms",
                   fmt::format("must be below session.timeout.ms ({} ms), usually a third of it",
                               plan.worker.get_long("session.timeout.ms")));
    if (plan.worker.get_long("rebalance.timeout.ms") < plan.worker.get_long("session.timeout.ms"))
      problems.add(plan.worker.location_of("rebalance.timeout.ms"), "", "rebalance.timeout.ms",
                   fmt::format("must be at least session.timeout.ms ({} ms)", plan.worker.get_long("session.timeout.ms")));
  }
  if (exactly_once_sources(plan.worker)) {
    // Records and offsets commit in one Kafka transaction, so the offsets must be in Kafka; the
    // transactional ids are <group.id>-<connector>-<task>, as Kafka Connect's.
    const char* missing = plan.worker.is_null("bootstrap.servers")      ? "bootstrap.servers"
                          : plan.worker.is_null("offset.storage.topic") ? "offset.storage.topic"
                          : plan.worker.is_null("group.id")             ? "group.id"
                                                                         : nullptr;
    if (missing)
      problems.add(plan.worker.location_of("exactly.once.source.support"), "", "exactly.once.source.support",
                   fmt::format("enabled writes each source task's records and offsets in one Kafka transaction, which "
                               "needs bootstrap.servers, offset.storage.topic and group.id (the transactional ids are "
                               "<group.id>-<connector>-<task>; one process with a group.id is a cluster of one): set "
                               "{}, or set exactly.once.source.support: disabled",
                               missing));
  }
  if (auto problem = listeners_problem(plan.worker)) problems.add(plan.worker.location_of("listeners"), "", "listeners", *problem);
  for (auto& w : listeners_warnings(plan.worker)) compat.add(plan.worker.location_of("listeners"), "", w);
  for (const char* k : {"plugin.path", "config.providers"})
    if (auto it = wraw.find(k); it != wraw.end())
      compat.add(it->second.loc, "", fmt::format("worker key '{}' has no effect: {}", k,
                                                 std::string(k) == "plugin.path"
                                                     ? *worker_key_without_effect(k, it->second.value)
                                                     : "connectrun's file and env config providers are built in"));
  for (auto& [k, e] : wraw) {
    if (used.count(k)) continue;
    if (starts_with(k, "config.providers.")) {
      if (auto problem = config_provider_problem(k, e.value)) problems.add(e.loc, "", k, *problem);
      else compat.add(e.loc, "", fmt::format("worker key '{}' has no effect: connectrun's file and env config providers "
                                             "are built in", k));
      continue;
    }
    if (is_worker_client_key(k)) {
      plan.client.common.emplace(k, e);
      continue;
    }
    if (take_client_key(plan.client, k, e, worker_prefix)) continue;
    if (k == "rest.extension.classes") {
      // Ignoring it could leave a REST interface its owner believes guarded unguarded.
      problems.add(e.loc, "", k, "Kafka REST extensions are Java classes, which connectrun cannot load; remove the key "
                                 "(see docs/http-api.md for how connectrun's REST interface is guarded)");
      continue;
    }
    if (auto why = worker_key_without_effect(k, e.value)) {
      compat.add(e.loc, "", fmt::format("worker key '{}' has no effect: {}", k, *why));
      continue;
    }
    std::string unknown = fmt::format("unknown worker key '{}'{}", k, config::did_you_mean(k, worker_spec().names()));
    if (job.kafka_files) compat.add(e.loc, "", unknown + "; ignored (Kafka Connect also only warns about unknown keys)");
    else problems.add(e.loc, "", k, fmt::format("unknown worker key{}", config::did_you_mean(k, worker_spec().names())));
  }
  if (auto it = wraw.find("bootstrap.servers"); it != wraw.end()) plan.client.common.emplace(it->first, it->second);
  validate_client_keys(plan.client.common, "", ClientRole::Admin, "", problems);
  for (ClientRole role : {ClientRole::Producer, ClientRole::Consumer, ClientRole::Admin})
    validate_client_keys(plan.client.of(role), worker_prefix(role), role, "", problems);
  plan.connectors.reserve(job.connectors.size());  // no copies of plans as the vector grows
  for (auto& section : job.connectors)
    plan.connectors.push_back(plan_connector(section, plan.worker, wraw, registry, problems, plan.warnings, compat));
  check_shared_files(plan.connectors, problems);

  // Topics that no sink in this job reads: on the in-process bus their records go nowhere.
  // The sinks' topics and patterns are gathered once: a job of many connectors stays linear.
  if (plan.worker.is_null("bootstrap.servers")) {
    std::unordered_set<std::string> read_topics;
    std::vector<transforms::JavaRegex> read_patterns;
    for (auto& s : plan.connectors) {
      if (!s.plugin || s.is_source) continue;
      read_topics.insert(s.subscription.topics.begin(), s.subscription.topics.end());
      const std::string& re = s.subscription.topics_regex;
      if (!re.empty() && !transforms::JavaRegex::check(re)) read_patterns.emplace_back(re, "topics.regex");
    }
    for (auto& c : plan.connectors) {
      if (!c.plugin || !c.is_source || !c.plugin_cfg.has("topic")) continue;
      std::string topic = c.plugin_cfg.get_string("topic");
      bool read = read_topics.count(topic) > 0 || std::any_of(read_patterns.begin(), read_patterns.end(),
                                                              [&](auto& re) { return re.full_match(topic); });
      if (!read)
        plan.warnings.push_back(fmt::format("{}: connector '{}': no sink connector in this job reads topic '{}'; on "
                                            "the in-process bus its records are discarded once produced",
                                            c.loc.str(), c.name, topic));
    }
  }
  // Every message above may quote a value; none may show what a placeholder resolved to.
  config::hide_resolved_values(job, problems, plan.warnings);
  return plan;
}

}  // namespace connectrun
