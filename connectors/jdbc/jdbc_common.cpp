#include "connectors/jdbc/jdbc_common.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/jdbc/connection_url.h"

namespace connectrun::jdbc {

using config::KeyType;

void define_connection_keys(config::ConfigSpec& spec) {
  spec.define({.name = "connection.url", .type = KeyType::String, .default_value = std::nullopt,
               .doc = "The database: jdbc:postgresql://HOST:PORT/DB?…, postgresql://… (a libpq URI), "
                      "jdbc:mysql://HOST:PORT/DB, jdbc:mariadb://HOST:PORT/DB or jdbc:sqlite:PATH."});
  spec.define({.name = "connection.user", .type = KeyType::String, .default_value = config::ConfigValue{},
               .doc = "The database user."});
  spec.define({.name = "connection.password", .type = KeyType::Password, .default_value = config::ConfigValue{},
               .doc = "The user's password (a secret: use ${file:…} or ${env:…})."});
  spec.define({.name = "connection.attempts", .type = KeyType::Int, .default_value = config::ConfigValue{int64_t{3}},
               .doc = "How many times to try to connect before failing.", .validator = config::validators::at_least(1)});
  spec.define({.name = "connection.backoff.ms", .type = KeyType::Long,
               .default_value = config::ConfigValue{int64_t{10000}},
               .doc = "Milliseconds between two connection attempts.", .validator = config::validators::at_least(0)});
  spec.define({.name = "db.timezone", .type = KeyType::String, .default_value = config::ConfigValue{std::string("UTC")},
               .doc = "The time zone (IANA name) of TIMESTAMP values without one: read and written as wall-clock times "
                      "of this zone. DATE and TIME values are not moved."});
  spec.define({.name = "quote.sql.identifiers", .type = KeyType::String,
               .default_value = config::ConfigValue{std::string("always")},
               .doc = "Whether table and column names are quoted in the SQL the connector writes.",
               .validator = config::validators::one_of({"always", "never"})});
  spec.define({.name = "dialect.name", .type = KeyType::String, .default_value = config::ConfigValue{std::string()},
               .doc = "kafka-connect-jdbc's dialect override. connectrun takes the dialect from connection.url; "
                      "a value naming another database is refused.",
               .validator = config::validators::one_of({"", "PostgreSqlDatabaseDialect", "MySqlDatabaseDialect",
                                                        "SqliteDatabaseDialect", "GenericDatabaseDialect"})});
}

void define_unsupported(config::ConfigSpec& spec, const std::vector<UnsupportedKey>& keys) {
  for (auto& k : keys)
    spec.define({.name = k.name, .type = k.type, .default_value = k.java_default,
                 .doc = "Not supported by connectrun (" + k.why + "); only the default is accepted."});
}

void refuse_unsupported(const config::ConfigValues& cfg, const std::vector<UnsupportedKey>& keys) {
  for (auto& k : keys) {
    if (!cfg.was_set(k.name) || cfg.get(k.name) == k.java_default) continue;
    throw config::ConfigError(k.name, fmt::format("{} is not supported by connectrun: {}; remove the key (its "
                                                  "default is {})", k.name, k.why,
                                                  config::config_value_to_string(k.java_default)));
  }
}

ConnectionConfig read_connection_config(const config::ConfigValues& cfg) {
  ConnectionConfig c;
  c.options.url = cfg.get_string("connection.url");
  c.options.user = cfg.get_string("connection.user");
  c.options.password = cfg.get_string("connection.password");
  c.attempts = cfg.get_int("connection.attempts");
  c.backoff_ms = cfg.get_long("connection.backoff.ms");
  c.quote = cfg.get_string("quote.sql.identifiers") != "never";
  try {
    auto url = parse_connection_url(c.options.url);
    auto dialect = cfg.get_string("dialect.name");
    bool fits = dialect.empty() || dialect == "GenericDatabaseDialect" ||
                (dialect == "PostgreSqlDatabaseDialect" && url.kind == DbKind::Postgres) ||
                (dialect == "MySqlDatabaseDialect" && url.kind == DbKind::MySql) ||
                (dialect == "SqliteDatabaseDialect" && url.kind == DbKind::Sqlite);
    if (!fits)
      throw config::ConfigError("dialect.name", "dialect.name " + dialect + " does not match connection.url; "
                                "remove it: connectrun takes the dialect from the URL");
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError("connection.url", e.what());
  }
  try {
    c.tz = DbTimeZone(cfg.get_string("db.timezone"));
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError("db.timezone", e.what());
  }
  c.options.timezone = c.tz.is_utc() ? "UTC" : c.tz.id();
  return c;
}

std::unique_ptr<Connection> open_connection(const ConnectionConfig& c, const TaskContext& ctx) {
  auto where = [&] {
    try { return parse_connection_url(c.options.url).where(); } catch (const std::exception&) { return c.options.url; }
  }();
  return ctx.retry("connect to " + where, [&]() -> std::unique_ptr<Connection> {
    for (int attempt = 1;; ++attempt) {
      try {
        return connect(c.options);
      } catch (const ConnectError& e) {
        if (!e.retriable()) throw;
        if (attempt >= c.attempts)
          throw ConnectError(fmt::format("{} (gave up after {} attempt{}, connection.attempts)", e.what(), attempt,
                                         attempt == 1 ? "" : "s"), true);
        if (ctx.log) ctx.log->warn("{}; trying again in {} ms ({} of {} attempts)", e.what(), c.backoff_ms, attempt,
                                   c.attempts);
        auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(c.backoff_ms);
        while (std::chrono::steady_clock::now() < until) {
          if (ctx.stop_requested()) throw RetryStopped("stopped while waiting to connect to " + where);
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
    }
  });
}

}  // namespace connectrun::jdbc
