#include "plan/worker_compat.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config/spec.h"

namespace connectrun {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

struct NoEffect {
  std::string_view key;  // exact, or a prefix when it ends with '.'
  std::string_view why;
};

constexpr std::string_view kInternal =
    "Kafka's internal converters only shaped its own offsets and config storage (removed in Kafka 3.0); connectrun "
    "keeps offsets as JSON in offset.storage.file.filename";
constexpr std::string_view kAdvertised =
    "it tells the other workers of a distributed Kafka Connect cluster where to reach this one; connectrun runs "
    "standalone";
constexpr std::string_view kRestOld = "Kafka's deprecated REST keys; connectrun's REST interface is set by `listeners`";
constexpr std::string_view kPlugins = "connectrun's plugins are built in: it runs native connectors only and loads no JARs";
constexpr std::string_view kMetrics =
    "connectrun has no JMX or metrics reporters; its metrics are served in Prometheus format at /metrics on the REST "
    "listener";
constexpr std::string_view kDistributed = "a distributed-mode key; connectrun runs standalone";

constexpr NoEffect kNoEffect[] = {
    {"internal.key.converter", kInternal},
    {"internal.value.converter", kInternal},
    {"internal.key.converter.", kInternal},
    {"internal.value.converter.", kInternal},
    {"rest.host.name", kRestOld},
    {"rest.port", kRestOld},
    {"rest.advertised.host.name", kAdvertised},
    {"rest.advertised.port", kAdvertised},
    {"rest.advertised.listener", kAdvertised},
    {"plugin.path", kPlugins},
    {"plugin.discovery", kPlugins},
    {"metric.reporters", kMetrics},
    {"metrics.num.samples", kMetrics},
    {"metrics.sample.window.ms", kMetrics},
    {"metrics.recording.level", kMetrics},
    {"auto.include.jmx.reporter", kMetrics},
    {"metrics.context.", kMetrics},
    {"access.control.allow.origin", "connectrun's REST interface answers no cross-origin (CORS) requests"},
    {"access.control.allow.methods", "connectrun's REST interface answers no cross-origin (CORS) requests"},
    {"response.http.headers.config", "connectrun's REST interface sets its own response headers"},
    {"admin.listeners", "connectrun's REST interface has no separate admin listener (the /admin endpoints are on `listeners`)"},
    {"connector.client.config.override.policy",
     "connectrun allows every producer.override.*, consumer.override.* and admin.override.* key (Kafka's policy All)"},
    {"topic.tracking.enable", "connectrun does not track the topics each connector uses"},
    {"topic.tracking.allow.reset", "connectrun does not track the topics each connector uses"},
    {"config.storage.topic", kDistributed},
    {"status.storage.topic", kDistributed},
    {"config.storage.replication.factor", kDistributed},
    {"status.storage.replication.factor", kDistributed},
    {"status.storage.partitions", kDistributed},
    {"scheduled.rebalance.max.delay.ms", kDistributed},
    {"worker.sync.timeout.ms", kDistributed},
    {"worker.unsync.backoff.ms", kDistributed},
    {"connect.protocol", kDistributed},
    {"inter.worker.", kDistributed},
};

// The providers connectrun builds in, under the names its placeholders use.
constexpr std::pair<std::string_view, std::string_view> kProviders[] = {
    {"file", "org.apache.kafka.common.config.provider.FileConfigProvider"},
    {"env", "org.apache.kafka.common.config.provider.EnvVarConfigProvider"},
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// "com.acme.kafka.connect.FooSourceConnector" → "foosource": what a plugin's names are compared with.
std::string simple_name(std::string_view cls) {
  auto dot = cls.rfind('.');
  std::string s = lower(dot == std::string_view::npos ? cls : cls.substr(dot + 1));
  if (s.size() > 9 && s.substr(s.size() - 9) == "connector") s.resize(s.size() - 9);
  return s;
}

}  // namespace

std::optional<std::string> worker_key_without_effect(std::string_view key, std::string_view value) {
  (void)value;
  for (auto& n : kNoEffect) {
    bool prefix = n.key.back() == '.';
    if (prefix ? starts_with(key, n.key) : key == n.key) return std::string(n.why);
  }
  return std::nullopt;
}

std::vector<std::pair<std::string_view, std::string_view>> worker_keys_without_effect() {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  for (auto& n : kNoEffect) out.emplace_back(n.key, n.why);
  return out;
}

std::optional<std::string> config_provider_problem(std::string_view key, std::string_view value) {
  // config.providers.NAME.class / config.providers.NAME.param.*
  std::string_view rest = key.substr(std::string_view("config.providers.").size());
  auto dot = rest.find('.');
  std::string_view name = rest.substr(0, dot);
  std::string_view what = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  std::vector<std::string> known;
  for (auto& [n, cls] : kProviders) {
    known.push_back(fmt::format("{} ({})", n, cls));
    if (name != n) continue;
    if (what == "class" && value != cls)
      return fmt::format("connectrun's '{}' provider is {}; {} cannot be loaded (connectrun loads no Java classes)", n,
                         cls, value);
    return std::nullopt;
  }
  if (what != "class") return std::nullopt;  // its .param.* keys: the .class key says what is wrong
  return fmt::format("config provider '{}' ({}) cannot be loaded: connectrun loads no Java classes and builds in only "
                     "{}, whose ${{file:…}} and ${{env:…}} placeholders always work",
                     name, value, fmt::join(known, " and "));
}

std::string unknown_connector_class_message(const std::string& cls, const PluginRegistry& registry) {
  if (std::string why = registry.unavailable(cls); !why.empty()) return why;  // its module did not load
  registry.load_all();  // suggestions from every connector (one whose module cannot load offers none)
  struct Candidate {
    size_t distance;
    std::string name;
  };
  std::vector<Candidate> candidates;
  const std::string wanted = simple_name(cls);
  for (auto& p : registry.all()) {
    if (p.kind != PluginKind::Source && p.kind != PluginKind::Sink) continue;
    size_t best = edit_distance(wanted, simple_name(p.name));
    for (auto& a : p.aliases) best = std::min(best, edit_distance(wanted, simple_name(a)));
    candidates.push_back(Candidate{best, p.name});
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.distance < b.distance; });
  std::vector<std::string> names;
  for (auto& c : candidates) names.push_back(c.name);
  std::vector<std::string> all = registry.names({PluginKind::Source, PluginKind::Sink});
  return fmt::format("unknown connector '{}'{}: connectrun runs its own native connectors only and loads no JARs "
                     "(plugin.path has no effect), so a Java or Confluent Hub connector cannot run here. Its "
                     "connectors, closest first: {} (see `connectrun plugins` for their Java class names)",
                     cls, config::did_you_mean(cls, all), fmt::join(names, ", "));
}

}  // namespace connectrun
