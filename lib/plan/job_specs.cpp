// The keys of the worker section and of every connector, declared once: they
// drive parsing, defaults, validation, `connectrun plugins` and docs/plugins.md.
#include <fmt/format.h>

#include "plugin/plugin_docs.h"
#include "plan/job_config.h"
#include "ops/listener.h"

namespace connectrun {

using config::ConfigSpec;
using config::KeyType;
namespace v = config::validators;

// Kafka's ClientUtils.parseAndValidateAddresses: every entry host:port. An
// empty value would leave the Kafka clients waiting for brokers it was never given.
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
              .doc = "File where source offsets are stored (readable JSON, replaced atomically, locked while in use). "
                     "With offset.storage.topic they are in that topic instead, and the file is not written (the "
                     "stopped and paused connectors are still kept beside it, in <file>.states.json).",
              .validator = v::non_empty_string()});
    s.define({.name = "offset.storage.topic", .type = KeyType::String, .default_value = config::ConfigValue{},
              .doc = "Kafka topic where source offsets are stored instead of offset.storage.file.filename, in Kafka "
                     "Connect distributed mode's format (a JVM Connect cluster using the same topic reads them, and "
                     "the other way round). Created when missing (cleanup.policy=compact); read in full at start. "
                     "Needs bootstrap.servers. See docs/scaling.md.",
              .validator = v::non_empty_string()});
    s.define({.name = "offset.storage.partitions", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{25}},
              .doc = "Partitions of the offsets topic when connectrun creates it (offset.storage.topic).",
              .validator = v::between(1, INT32_MAX)});
    s.define({.name = "offset.storage.replication.factor", .type = KeyType::Long,
              .default_value = config::ConfigValue{int64_t{3}},
              .doc = "Replication factor of the offsets topic when connectrun creates it (offset.storage.topic); "
                     "-1: the brokers' default.replication.factor. A cluster of fewer brokers needs 1 or -1.",
              .validator = config::Validator{[](const config::ConfigValue& v) -> std::optional<std::string> {
                                               if (auto* n = std::get_if<int64_t>(&v); n && (*n == 0 || *n < -1 || *n > INT16_MAX))
                                                 return std::string("must be -1 (the brokers' default) or from 1 to 32767");
                                               return std::nullopt;
                                             },
                                             "-1, or 1 to 32767"}});
    s.define({.name = "config.storage.file", .type = KeyType::String, .default_value = config::ConfigValue{},
              .doc = "File where connectors created over the REST API are kept (a JSON array of {\"name\", "
                     "\"config\"} objects, written atomically), so they survive a restart; its connectors run with "
                     "the job files' at start. Unset: a new connector goes to a YAML job's file, and a .properties "
                     "job's runs until exit, as in Kafka's standalone mode. Not in Kafka's standalone worker (its "
                     "distributed mode keeps them in config.storage.topic). Placeholders are not resolved here.",
              .validator = v::non_empty_string()});
    s.define({.name = "offset.flush.interval.ms", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{60000}},
              .doc = "How often delivered source offsets are written to the offsets file.", .validator = v::at_least(1)});
    s.define({.name = "progress.interval.ms", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{10000}},
              .doc = "How often each connector logs a progress line (records, bytes, records/s over the interval, "
                     "and the percent of its input read when the source knows it, as FileStreamSource does) while "
                     "stderr is not a terminal or logs are JSON, so a cron or journal log shows a long run is alive. "
                     "0: no progress lines. Not in Kafka.",
              .validator = v::at_least(0)});
    s.define({.name = "offset.flush.timeout.ms", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{5000}},
              .doc = "How long shutdown waits for records in flight to be delivered before storing offsets.",
              .validator = v::at_least(0)});
    s.define({.name = "task.shutdown.graceful.timeout.ms", .type = KeyType::Long,
              .default_value = config::ConfigValue{int64_t{5000}},
              .doc = "How long shutdown waits for all tasks to stop.", .validator = v::at_least(0)});
    s.define({.name = "plugin.path", .type = KeyType::List, .default_value = config::ConfigValue{},
              .doc = "Has no effect (a warning says so): every plugin is built in and no JAR is loaded."});
    s.define({.name = "config.providers", .type = KeyType::List, .default_value = config::ConfigValue{std::vector<std::string>{}},
              .doc = "Has no effect (a warning says so): ${env:NAME} and ${file:path:key} placeholders always work; "
                     "config.providers.NAME.class may name only Kafka's FileConfigProvider (file) and "
                     "EnvVarConfigProvider (env)."});
    s.define({.name = "topic.creation.enable", .type = KeyType::Boolean, .default_value = config::ConfigValue{true},
              .doc = "Whether source connectors may create their topics (Kafka bus)."});
    s.define({.name = "listeners", .type = KeyType::List, .default_value = config::ConfigValue{},
              .doc = "The REST interface's listener, http://HOST:PORT (scheme in any case; no HOST: 127.0.0.1; port 0 "
                     "picks a free port, logged as 'REST listening on ...'). Of several (Kafka's list), the first "
                     "http one is served and a warning names the others. Unset (the default): no REST interface. "
                     "See docs/http-api.md."});
    s.define({.name = "listeners.allow.remote", .type = KeyType::Boolean, .default_value = config::ConfigValue{false},
              .doc = "Allow a `listeners` host other than a loopback address (127.0.0.1, ::1, localhost). The REST "
                     "interface has no authentication without rest.auth: anyone who reaches it can change connectors."});
    s.define({.name = "rest.auth", .type = KeyType::String, .default_value = config::ConfigValue{},
              .doc = "A password file (`user: password` lines, the format of Kafka's JAAS PropertyFileLoginModule): "
                     "every REST request but GET /health must then give HTTP basic authentication of one of its "
                     "users (401 otherwise); read when the listener starts. Unset: no authentication. See "
                     "docs/http-api.md."});
    s.define({.name = "rest.allowed.hosts", .type = KeyType::List,
              .default_value = config::ConfigValue{std::vector<std::string>{}},
              .doc = "Host names (without port) a REST request's Host and Origin headers may give besides the "
                     "listener's own address, e.g. the name a reverse proxy forwards. Other names are refused "
                     "(421), which keeps web pages from reaching the interface by DNS rebinding. See docs/http-api.md.",
              .validator = config::Validator{[](const config::ConfigValue& v) -> std::optional<std::string> {
                                               if (auto* list = std::get_if<std::vector<std::string>>(&v))
                                                 for (auto& entry : *list)
                                                   if (auto problem = allowed_host_problem(entry)) return problem;
                                               return std::nullopt;
                                             },
                                             "host names"}});
    // A cluster of processes (docs/scaling.md): Kafka Connect distributed mode's keys where they mean the same.
    s.define({.name = "group.id", .type = KeyType::String, .default_value = config::ConfigValue{},
              .doc = "Joins the processes that run this job with the same group.id (and Kafka cluster) into one "
                     "cluster sharing its source tasks through this Kafka consumer group; sink tasks run in every "
                     "process (they share their connect-<name> groups). Needs bootstrap.servers and "
                     "offset.storage.topic. Unset: one process runs every task. See docs/scaling.md.",
              .validator = v::non_empty_string()});
    s.define({.name = "task.assignment.topic", .type = KeyType::String, .default_value = config::ConfigValue{},
              .doc = "With group.id: the topic whose partitions stand for the job's source tasks (one each, in the "
                     "order of the job's connectors, then task number); the group's assignment of its partitions is "
                     "which process runs which task. It holds no records. Created when missing (replication "
                     "offset.storage.replication.factor). Unset: <group.id>-tasks. Not in Kafka Connect.",
              .validator = v::non_empty_string()});
    s.define({.name = "session.timeout.ms", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{10000}},
              .doc = "With group.id: how long a process may go without a heartbeat before the group gives its "
                     "source tasks to the others (the group consumer's session.timeout.ms).",
              .validator = v::between(1, INT32_MAX)});
    s.define({.name = "heartbeat.interval.ms", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{3000}},
              .doc = "With group.id: how often a process heartbeats to the group (below session.timeout.ms, "
                     "usually a third of it).",
              .validator = v::between(1, INT32_MAX)});
    s.define({.name = "rebalance.timeout.ms", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{60000}},
              .doc = "With group.id: how long a rebalance waits for a process to stop the tasks it gives up and "
                     "store their offsets (the group consumer's max.poll.interval.ms).",
              .validator = v::between(1, INT32_MAX)});
    // Exactly-once sources (KIP-618; docs/scaling.md): Kafka Connect distributed mode's key.
    s.define({.name = "exactly.once.source.support", .type = KeyType::String,
              .default_value = config::ConfigValue{std::string("disabled")},
              .doc = "enabled: each source task writes its records and its offsets (to offset.storage.topic) in one "
                     "Kafka transaction, with its own transactional producer (transactional.id "
                     "<group.id>-<connector>-<task>), which fences an older owner of the task. Needs "
                     "bootstrap.servers, offset.storage.topic and group.id. preparing: as disabled (Kafka's rolling "
                     "upgrade step). disabled: at-least-once.",
              .validator = v::one_of({"disabled", "preparing", "enabled"})});
    s.define({.name = "worker.id", .type = KeyType::String, .default_value = config::ConfigValue{},
              .doc = "This process's name in task statuses (GET /connectors/NAME/status) and the group (client.id). "
                     "Unset: the REST listener's host:port, or hostname:pid without one.",
              .validator = v::non_empty_string()});
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
              .doc = "Maximum number of tasks. A sink connector runs this many, sharing its topics' partitions; a "
                     "source as many as its connector splits its work into. The file connectors use one.",
              .validator = v::at_least(1)});
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
    // KIP-618's connector keys (Kafka's SourceConnectorConfig); what they do: docs/scaling.md.
    s.define({.name = "exactly.once.support", .type = KeyType::String,
              .default_value = config::ConfigValue{std::string("requested")},
              .doc = "required: validate refuses the connector unless the worker has exactly.once.source.support="
                     "enabled and the connector supports exactly-once (its offsets let it read again exactly from a "
                     "committed one). requested: no such check; with the worker enabled the task is transactional "
                     "either way.",
              .validator = v::one_of({"requested", "required"})});
    s.define({.name = "transaction.boundary", .type = KeyType::String,
              .default_value = config::ConfigValue{std::string("poll")},
              .doc = "With exactly.once.source.support=enabled: poll commits a transaction for every batch the task "
                     "polls; interval commits every transaction.boundary.interval.ms. connector (boundaries the "
                     "connector defines) is refused: no connectrun connector defines them.",
              .validator = v::one_of({"poll", "interval", "connector"})});
    s.define({.name = "transaction.boundary.interval.ms", .type = KeyType::Long, .default_value = config::ConfigValue{},
              .doc = "With transaction.boundary=interval: how long a transaction stays open before it is committed. "
                     "Unset: the worker's offset.flush.interval.ms.",
              .validator = v::at_least(0)});
    return s;
  }();
  return spec;
}

std::string job_keys_markdown() {
  return "\n## Worker keys (`worker:` / worker.properties)\n\n" + spec_markdown_table(worker_spec()) +
         "\nAlso: `key.converter.*`, `value.converter.*`, `header.converter.*` (the converter's own keys).\n"
         "\n## Keys of every connector\n\n" + spec_markdown_table(connector_common_spec()) +
         "\n### Sink connectors also take\n\n" + spec_markdown_table(sink_common_spec()) +
         "\n### Source connectors also take\n\n" + spec_markdown_table(source_common_spec());
}

}  // namespace connectrun
