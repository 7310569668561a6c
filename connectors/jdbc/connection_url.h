// connection.url as kafka-connect-jdbc takes it, split into what the three
// client libraries need.
#pragma once

#include <map>
#include <string>

namespace connectrun::jdbc {

enum class DbKind { Postgres, MySql, Sqlite };

struct ConnectionUrl {
  DbKind kind = DbKind::Sqlite;
  std::string host;  // empty: the library's default
  int port = 0;      // 0: the default (5432, 3306)
  std::string database;
  std::string path;  // SQLite: the file (":memory:" allowed)
  std::string libpq_uri;  // a postgresql:// URI given as it is, handed to libpq unchanged
  std::map<std::string, std::string> params;  // ?a=b&c=d (user, password, sslmode, …)
  std::string where() const;  // "host:port" (or the SQLite file), for messages
};

// Throws std::invalid_argument with a message naming what is wrong.
ConnectionUrl parse_connection_url(const std::string& url);

}  // namespace connectrun::jdbc
