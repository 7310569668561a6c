#include "runtime/job_config.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "converters/converters.h"
#include "runtime/listener.h"
#include "plugin/plugin_docs.h"
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

// Kafka's ClientUtils.parseAndValidateAddresses: every entry host:port. An
// empty value would leave librdkafka waiting for brokers it was never given.
static config::Validator bootstrap_servers_validator() {
  return config::Validator{
      [](const config::ConfigValue& v) -> std::optional<std::string> {
        auto* list = std::get_if<std::vector<std::string>>(&v);
        if (!list) return std::nullopt;
        if (list->empty())
          return std::string("no broker given: list host:port[,host:port…], or remove the key to use the in-process bus");
        for (auto& url : *list) {
          auto colon = url.rfind(':');
          bool ok = colon != std::string::npos && colon > 0 && colon + 1 < url.size() && colon + 6 >= url.size();
          int port = 0;
          for (size_t i = colon + 1; ok && i < url.size(); ++i) {
            ok = url[i] >= '0' && url[i] <= '9';
            port = port * 10 + (url[i] - '0');
          }
          if (!ok || port < 1 || port > 65535)
            return fmt::format("invalid url '{}': expected host:port with a port from 1 to 65535", url);
        }
        return std::nullopt;
      },
      "host:port,…"};
}

const ConfigSpec& worker_spec() {
  static const ConfigSpec spec = [] {
    ConfigSpec s;
    s.define({.name = "bootstrap.servers", .type = KeyType::List, .default_value = config::ConfigValue{},
              .doc = "Kafka brokers (host:port,…). When absent, connectors are joined by the in-process bus.",
              .validator = bootstrap_servers_validator()});
    s.define({.name = "key.converter", .type = KeyType::Class, .default_value = std::nullopt,
              .doc = "Converter for record keys, for every connector that sets none (StringConverter, JsonConverter, "
                     "ByteArrayConverter or a Java class name)."});
    s.define({.name = "value.converter", .type = KeyType::Class, .default_value = std::nullopt,
              .doc = "Converter for record values, for every connector that sets none."});
    s.define({.name = "header.converter", .type = KeyType::Class,
              .default_value = config::ConfigValue{std::string("SimpleHeaderConverter")},
              .doc = "Converter for header values."});
    s.define({.name = "offset.storage.file.filename", .type = KeyType::String, .default_value = std::nullopt,
              .doc = "File where source offsets are stored (readable JSON, replaced atomically, locked while in use).",
              .validator = v::non_empty_string()});
    s.define({.name = "offset.flush.interval.ms", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{60000}},
              .doc = "How often delivered source offsets are written to the offsets file.", .validator = v::at_least(1)});
    s.define({.name = "offset.flush.timeout.ms", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{5000}},
              .doc = "How long shutdown waits for records in flight to be delivered before storing offsets.",
              .validator = v::at_least(0)});
    s.define({.name = "task.shutdown.graceful.timeout.ms", .type = KeyType::Long,
              .default_value = config::ConfigValue{int64_t{5000}},
              .doc = "How long shutdown waits for all tasks to stop.", .validator = v::at_least(0)});
    s.define({.name = "plugin.path", .type = KeyType::List, .default_value = config::ConfigValue{},
              .doc = "Accepted for compatibility and ignored: every plugin is built in."});
    s.define({.name = "config.providers", .type = KeyType::List, .default_value = config::ConfigValue{std::vector<std::string>{}},
              .doc = "Accepted for compatibility: ${env:NAME} and ${file:path:key} placeholders always work."});
    s.define({.name = "topic.creation.enable", .type = KeyType::Boolean, .default_value = config::ConfigValue{true},
              .doc = "Whether source connectors may create their topics (Kafka bus)."});
    s.define({.name = "listeners", .type = KeyType::List, .default_value = config::ConfigValue{},
              .doc = "The REST interface's listener, http://HOST:PORT (one; port 0 picks a free port, logged as 'REST "
                     "listening on ...'). Unset (the default): no REST interface. See docs/http-api.md."});
    s.define({.name = "listeners.allow.remote", .type = KeyType::Boolean, .default_value = config::ConfigValue{false},
              .doc = "Allow a `listeners` host other than a loopback address (127.0.0.1, ::1, localhost). The REST "
                     "interface has no authentication: anyone who reaches it can pause and restart connectors."});
    return s;
  }();
  return spec;
}

const ConfigSpec& connector_common_spec() {
  static const ConfigSpec spec = [] {
    ConfigSpec s;
    s.define({.name = "name", .type = KeyType::String, .default_value = std::nullopt,
              .doc = "Unique name of the connector; also its offsets key and consumer group suffix.",
              .validator = v::non_empty_string()});
    s.define({.name = "connector.class", .type = KeyType::Class, .default_value = std::nullopt,
              .doc = "The connector plugin: our name (FileStreamSource) or its Java class name."});
    s.define({.name = "tasks.max", .type = KeyType::Int, .default_value = config::ConfigValue{int64_t{1}},
              .doc = "Maximum number of tasks. The file connectors always use one.", .validator = v::at_least(1)});
    for (const char* role : {"key.converter", "value.converter", "header.converter"})
      s.define({.name = role, .type = KeyType::Class, .default_value = config::ConfigValue{},
                .doc = fmt::format("Overrides the worker's {} for this connector; its {}.* keys then come from this "
                                   "connector only.", role, role)});
    s.define({.name = "transforms", .type = KeyType::List, .default_value = config::ConfigValue{std::vector<std::string>{}},
              .doc = "Aliases of the transforms to apply, in order."});
    s.define({.name = "predicates", .type = KeyType::List, .default_value = config::ConfigValue{std::vector<std::string>{}},
              .doc = "Aliases of the predicates transforms may use."});
    s.define({.name = "errors.retry.timeout", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{0}},
              .doc = "How long a failed operation is retried, in ms (-1 = forever, 0 = no retries).",
              .validator = v::at_least(-1)});
    s.define({.name = "errors.retry.delay.max.ms", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{60000}},
              .doc = "Upper bound of the delay between retries.", .validator = v::at_least(1)});
    s.define({.name = "errors.tolerance", .type = KeyType::String, .default_value = config::ConfigValue{std::string("none")},
              .doc = "none: the first bad record fails the connector. all: bad records are skipped, logged and counted.",
              .validator = v::one_of({"none", "all"})});
    s.define({.name = "errors.log.enable", .type = KeyType::Boolean, .default_value = config::ConfigValue{false},
              .doc = "Log every error and skipped record."});
    s.define({.name = "errors.log.include.messages", .type = KeyType::Boolean, .default_value = config::ConfigValue{false},
              .doc = "Include the record's topic, partition and offset (and key and value) in error logs."});
    s.define({.name = "config.action.reload", .type = KeyType::String, .default_value = config::ConfigValue{std::string("restart")},
              .doc = "Accepted for compatibility.", .validator = v::one_of({"none", "restart"})});
    return s;
  }();
  return spec;
}

const ConfigSpec& sink_common_spec() {
  static const ConfigSpec spec = [] {
    ConfigSpec s;
    s.define({.name = "topics", .type = KeyType::List, .default_value = config::ConfigValue{std::vector<std::string>{}},
              .doc = "Topics to consume. Exactly one of topics and topics.regex."});
    s.define({.name = "topics.regex", .type = KeyType::String, .default_value = config::ConfigValue{std::string()},
              .doc = "Regular expression: every topic whose whole name matches is consumed."});
    s.define({.name = "errors.deadletterqueue.topic.name", .type = KeyType::String,
              .default_value = config::ConfigValue{std::string()},
              .doc = "Topic for records that fail conversion or transforms (with errors.tolerance=all): their original "
                     "key, value and headers are written there. On the in-process bus it is an in-process topic."});
    s.define({.name = "errors.deadletterqueue.topic.replication.factor", .type = KeyType::Int,
              .default_value = config::ConfigValue{int64_t{3}}, .doc = "Replication factor of the dead letter topic."});
    s.define({.name = "errors.deadletterqueue.context.headers.enable", .type = KeyType::Boolean,
              .default_value = config::ConfigValue{false}, .doc = "Add __connect.errors.* headers to dead letters."});
    return s;
  }();
  return spec;
}

const ConfigSpec& source_common_spec() {
  static const ConfigSpec spec = [] {
    ConfigSpec s;
    s.define({.name = "topic.creation.groups", .type = KeyType::List,
              .default_value = config::ConfigValue{std::vector<std::string>{}},
              .doc = "Topic creation groups (KIP-158). Only the default group is supported: set "
                     "topic.creation.default.partitions and topic.creation.default.replication.factor."});
    s.define({.name = "topic.creation.default.partitions", .type = KeyType::Int, .default_value = config::ConfigValue{},
              .doc = "Kafka bus: partitions of topics this source creates when they do not exist (-1 = broker default). "
                     "Without it (and the replication factor) topics are left to the broker's auto-creation.",
              .validator = v::at_least(-1)});
    s.define({.name = "topic.creation.default.replication.factor", .type = KeyType::Int, .default_value = config::ConfigValue{},
              .doc = "Kafka bus: replication factor of topics this source creates (-1 = broker default).",
              .validator = v::at_least(-1)});
    return s;
  }();
  return spec;
}

std::optional<std::string> topic_name_problem(std::string_view topic) {
  if (topic.empty()) return "topic name is empty";
  if (topic == "." || topic == "..") return "topic name cannot be \".\" or \"..\"";
  if (topic.size() > 249) return fmt::format("topic name is {} characters long; Kafka allows at most 249", topic.size());
  for (char c : topic)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      return fmt::format("topic name '{}' contains '{}'; Kafka allows only ASCII letters, digits, '.', '_' and '-'",
                         topic, c);
  return std::nullopt;
}

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Resolves a converter class and parses its prefixed keys.
ConverterPlan plan_converter(const PluginRegistry& registry, const std::string& role, const std::string& cls,
                             const Location& cls_loc, const RawConfig& raw, const std::string& connector,
                             Problems& problems, std::set<std::string>& used) {
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
    problems.add(cls_loc, connector, role,
                 fmt::format("unknown converter '{}'{}", cls,
                             config::did_you_mean(cls, header ? registry.names({PluginKind::HeaderConverter, PluginKind::Converter})
                                                              : registry.names({PluginKind::Converter}))));
    return plan;
  }
  plan.cfg = config::parse(plan.info->spec, sub, connector, problems, cls_loc);
  for (auto& [k, e] : sub)
    if (!plan.info->spec.find(k))
      problems.add(e.loc, connector, prefix + k,
                   fmt::format("unknown key for {}{}", plan.info->name, config::did_you_mean(k, plan.info->spec.names())));
  try {
    if (header) make_header_converter(plan);
    else make_converter(plan);
  } catch (const config::ConfigError& e) {
    problems.add(e.key().empty() ? cls_loc : plan.cfg.location_of(e.key()), connector,
                 e.key().empty() ? role : prefix + e.key(), e.what());
  }
  return plan;
}

ConnectorPlan plan_connector(const config::RawSection& section, const config::ConfigValues& worker,
                             const RawConfig& worker_raw, const PluginRegistry& registry, Problems& problems,
                             std::vector<std::string>& warnings) {
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
                   fmt::format("unknown connector '{}'{}", cls,
                               config::did_you_mean(cls, registry.names({PluginKind::Source, PluginKind::Sink}))));
  }
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
                               problems, used);
    } else {
      Problems ignore;  // worker converters are checked once, for the worker
      std::set<std::string> unused;
      auto wit = worker_raw.find(role);
      *target = plan_converter(registry, role, worker.get_string(role), wit == worker_raw.end() ? Location{} : wit->second.loc,
                               worker_raw, cn, ignore, unused);
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
    bool client_key = false;
    for (ClientRole role : {ClientRole::Producer, ClientRole::Consumer, ClientRole::Admin}) {
      std::string prefix = override_prefix(role);
      if (!starts_with(k, prefix)) continue;
      plan.client.of(role).emplace(k.substr(prefix.size()), e);
      client_key = true;
    }
    if (client_key) continue;
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

}  // namespace

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
  const RawConfig& wraw = job.worker.entries;
  plan.worker = config::parse(worker_spec(), wraw, "", problems, job.worker.loc);
  std::set<std::string> used;
  for (auto& k : worker_spec().names()) used.insert(k);
  // The worker's converters, checked once.
  for (const std::string role : {"key.converter", "value.converter", "header.converter"}) {
    std::string cls = plan.worker.get_string(role);
    if (cls.empty()) continue;
    plan_converter(registry, role, cls, plan.worker.location_of(role), wraw, "", problems, used);
  }
  if (auto problem = listeners_problem(plan.worker)) problems.add(plan.worker.location_of("listeners"), "", "listeners", *problem);
  for (auto& [k, e] : wraw) {
    if (used.count(k) || starts_with(k, "config.providers.")) continue;
    if (is_worker_client_key(k)) {
      plan.client.common.emplace(k, e);
      continue;
    }
    bool client_key = false;
    for (ClientRole role : {ClientRole::Producer, ClientRole::Consumer, ClientRole::Admin}) {
      std::string prefix = worker_prefix(role);
      if (!starts_with(k, prefix)) continue;
      plan.client.of(role).emplace(k.substr(prefix.size()), e);
      client_key = true;
    }
    if (client_key) continue;
    problems.add(e.loc, "", k, fmt::format("unknown worker key{}", config::did_you_mean(k, worker_spec().names())));
  }
  if (auto it = wraw.find("bootstrap.servers"); it != wraw.end()) plan.client.common.emplace(it->first, it->second);
  validate_client_keys(plan.client.common, "", ClientRole::Admin, "", problems);
  for (ClientRole role : {ClientRole::Producer, ClientRole::Consumer, ClientRole::Admin})
    validate_client_keys(plan.client.of(role), worker_prefix(role), role, "", problems);
  for (auto& section : job.connectors)
    plan.connectors.push_back(plan_connector(section, plan.worker, wraw, registry, problems, plan.warnings));

  // Topics that no sink in this job reads: on the in-process bus their records go nowhere.
  for (auto& c : plan.connectors) {
    if (!c.plugin || !c.is_source || !c.plugin_cfg.has("topic")) continue;
    std::string topic = c.plugin_cfg.get_string("topic");
    bool read = std::any_of(plan.connectors.begin(), plan.connectors.end(), [&](const ConnectorPlan& s) {
      if (!s.plugin || s.is_source) return false;
      auto& t = s.subscription.topics;
      if (std::find(t.begin(), t.end(), topic) != t.end()) return true;
      const std::string& re = s.subscription.topics_regex;
      return !re.empty() && !transforms::JavaRegex::check(re) && transforms::JavaRegex(re, "topics.regex").full_match(topic);
    });
    if (!read && plan.worker.is_null("bootstrap.servers"))
      plan.warnings.push_back(fmt::format("{}: connector '{}': no sink connector in this job reads topic '{}'; on the "
                                          "in-process bus its records are discarded once produced",
                                          c.loc.str(), c.name, topic));
  }
  return plan;
}

namespace {
void emit_value(YAML::Emitter& out, const config::KeyDef* def, const config::ConfigValue& value) {
  if (def && def->is_secret() && !std::holds_alternative<std::monostate>(value)) {
    out << "[hidden]";
    return;
  }
  if (std::holds_alternative<std::monostate>(value)) out << YAML::Null;
  else if (auto* b = std::get_if<bool>(&value)) out << *b;
  else if (auto* i = std::get_if<int64_t>(&value)) out << *i;
  else if (auto* l = std::get_if<std::vector<std::string>>(&value)) out << YAML::Flow << *l;
  else out << config::config_value_to_string(value);
}

void emit_values(YAML::Emitter& out, const ConfigSpec& spec, const config::ConfigValues& values,
                 const std::string& prefix = "", const std::set<std::string>& skip = {}) {
  for (auto& def : spec.keys()) {
    if (!values.has(def.name) || skip.count(def.name)) continue;
    out << YAML::Key << prefix + def.name << YAML::Value;
    emit_value(out, &def, values.get(def.name));
  }
}

// Kafka client keys as given; secrets (passwords, JAAS, private keys) hidden.
void emit_client_keys(YAML::Emitter& out, const config::RawConfig& keys, const std::string& prefix,
                      const std::set<std::string>& skip = {}) {
  for (auto& [k, e] : keys) {
    if (skip.count(k)) continue;
    out << YAML::Key << prefix + k << YAML::Value;
    if (is_secret_client_key(k)) out << "[hidden]";
    else out << e.value;
  }
}

void emit_converter(YAML::Emitter& out, const ConverterPlan& c) {
  if (!c.info) return;
  out << YAML::Key << c.role << YAML::Value << c.info->name;
  emit_values(out, c.info->spec, c.cfg, c.role + ".");
}
}  // namespace

std::string describe_effective(const JobPlan& plan) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "worker" << YAML::Value << YAML::BeginMap;
  emit_values(out, worker_spec(), plan.worker);
  emit_client_keys(out, plan.client.common, "", {"bootstrap.servers"});
  for (ClientRole role : {ClientRole::Producer, ClientRole::Consumer, ClientRole::Admin})
    emit_client_keys(out, plan.client.of(role), worker_prefix(role));
  out << YAML::EndMap << YAML::Key << "connectors" << YAML::Value << YAML::BeginSeq;
  for (auto& c : plan.connectors) {
    out << YAML::BeginMap;
    // connector.class and the converters are shown resolved, below.
    emit_values(out, connector_common_spec(), c.common, "",
                {"connector.class", "key.converter", "value.converter", "header.converter"});
    if (c.plugin) {
      out << YAML::Key << "connector.class" << YAML::Value << c.plugin->name;
      emit_values(out, c.is_source ? source_common_spec() : sink_common_spec(), c.common);
      emit_values(out, c.plugin->spec, c.plugin_cfg);
    }
    for (ClientRole role : {ClientRole::Producer, ClientRole::Consumer, ClientRole::Admin})
      emit_client_keys(out, c.client.of(role), override_prefix(role));
    emit_converter(out, c.key_converter);
    emit_converter(out, c.value_converter);
    emit_converter(out, c.header_converter);
    for (auto& [k, e] : c.raw)
      if (starts_with(k, "transforms.") || starts_with(k, "predicates.")) out << YAML::Key << k << YAML::Value << e.value;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace connectrun

namespace connectrun {
std::string job_keys_markdown() {
  return "\n## Worker keys (`worker:` / worker.properties)\n\n" + spec_markdown_table(worker_spec()) +
         "\nAlso: `key.converter.*`, `value.converter.*`, `header.converter.*` (the converter's own keys).\n"
         "\n## Keys of every connector\n\n" + spec_markdown_table(connector_common_spec()) +
         "\n### Sink connectors also take\n\n" + spec_markdown_table(sink_common_spec()) +
         "\n### Source connectors also take\n\n" + spec_markdown_table(source_common_spec());
}
}  // namespace connectrun
