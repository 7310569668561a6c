// What the JDBC source and sink share: the connection keys, opening a
// connection with connection.attempts / connection.backoff.ms, and the
// refusal of kafka-connect-jdbc keys connectrun does not implement.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/jdbc/db.h"
#include "connectors/jdbc/db_timezone.h"
#include "plugin/registry.h"

namespace connectrun::jdbc {

void define_connection_keys(config::ConfigSpec& spec);
// A kafka-connect-jdbc key that connectrun does not implement: declared with
// the Java default, refused by refuse_unsupported() when set to anything else.
struct UnsupportedKey {
  std::string name;
  config::KeyType type;
  config::ConfigValue java_default;
  std::string why;
};
void define_unsupported(config::ConfigSpec& spec, const std::vector<UnsupportedKey>& keys);
void refuse_unsupported(const config::ConfigValues& cfg, const std::vector<UnsupportedKey>& keys);

struct ConnectionConfig {
  ConnectOptions options;
  int attempts = 3;
  int64_t backoff_ms = 10000;
  bool quote = true;  // quote.sql.identifiers
  DbTimeZone tz;      // db.timezone
};
// Reads and checks connection.* , db.timezone and quote.sql.identifiers. Throws config::ConfigError.
ConnectionConfig read_connection_config(const config::ConfigValues& cfg);

// Opens a connection: connection.attempts tries connection.backoff.ms apart
// (stopping early when the task is asked to stop), within the connector's
// errors.retry.timeout; a wrong password fails at once.
std::unique_ptr<Connection> open_connection(const ConnectionConfig& c, const TaskContext& ctx);

}  // namespace connectrun::jdbc
