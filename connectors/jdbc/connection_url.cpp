#include "connectors/jdbc/connection_url.h"

#include <cctype>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

namespace connectrun::jdbc {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// host[:port]/db?params after the scheme.
void parse_server(ConnectionUrl& u, std::string_view rest, const std::string& url, int default_port) {
  auto q = rest.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view() : rest.substr(q + 1);
  rest = rest.substr(0, q);
  auto slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  if (slash != std::string_view::npos) u.database = percent_decode(rest.substr(slash + 1));
  // Only the first host of a list (failover lists are not supported).
  if (auto comma = hostport.find(','); comma != std::string_view::npos)
    throw std::invalid_argument(fmt::format("connection.url '{}': several hosts are not supported by connectrun", url));
  if (auto at = hostport.rfind('@'); at != std::string_view::npos) hostport = hostport.substr(at + 1);
  auto colon = hostport.rfind(':');
  if (!hostport.empty() && hostport.front() == '[') colon = hostport.find("]:") == std::string_view::npos
                                                                ? std::string_view::npos
                                                                : hostport.find("]:") + 1;
  u.host = std::string(hostport.substr(0, colon));
  if (!u.host.empty() && u.host.front() == '[') u.host = u.host.substr(1, u.host.size() - 2);
  u.port = default_port;
  if (colon != std::string_view::npos) {
    auto p = std::string(hostport.substr(colon + 1));
    try {
      size_t used = 0;
      u.port = std::stoi(p, &used);
      if (used != p.size() || u.port <= 0 || u.port > 65535) throw std::invalid_argument(p);
    } catch (const std::exception&) {
      throw std::invalid_argument(fmt::format("connection.url '{}': the port '{}' is not a number from 1 to 65535", url, p));
    }
  }
  if (u.host.empty()) u.host = "localhost";
  while (!query.empty()) {
    auto amp = query.find_first_of("&;");
    auto kv = query.substr(0, amp);
    auto eq = kv.find('=');
    if (!kv.empty()) u.params[percent_decode(kv.substr(0, eq))] = eq == std::string_view::npos ? "" : percent_decode(kv.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
}

}  // namespace

std::string ConnectionUrl::where() const {
  if (kind == DbKind::Sqlite) return path;
  if (!libpq_uri.empty() && host.empty()) return "the server of " + libpq_uri;
  return fmt::format("{}:{}", host, port);
}

ConnectionUrl parse_connection_url(const std::string& url) {
  ConnectionUrl u;
  std::string_view s = url;
  if (starts_with(s, "jdbc:sqlite:")) {
    u.kind = DbKind::Sqlite;
    u.path = std::string(s.substr(12));
    if (auto q = u.path.find('?'); q != std::string::npos) u.path.resize(q);
    if (starts_with(u.path, "file:")) u.path = u.path.substr(5);
    if (u.path.empty()) u.path = ":memory:";
    return u;
  }
  if (starts_with(s, "jdbc:postgresql://")) {
    u.kind = DbKind::Postgres;
    parse_server(u, s.substr(18), url, 5432);
    return u;
  }
  if (starts_with(s, "postgresql://") || starts_with(s, "postgres://")) {
    u.kind = DbKind::Postgres;
    u.libpq_uri = url;
    auto rest = s.substr(s.find("//") + 2);
    parse_server(u, rest, url, 5432);  // for messages only: libpq reads the URI itself
    return u;
  }
  for (std::string_view scheme : {"jdbc:mysql://", "jdbc:mariadb://"}) {
    if (starts_with(s, scheme)) {
      u.kind = DbKind::MySql;
      parse_server(u, s.substr(scheme.size()), url, 3306);
      return u;
    }
  }
  throw std::invalid_argument(fmt::format(
      "connection.url '{}' names no database connectrun supports: use jdbc:postgresql://HOST:PORT/DB, "
      "postgresql://…, jdbc:mysql://HOST:PORT/DB, jdbc:mariadb://HOST:PORT/DB or jdbc:sqlite:PATH", url));
}

}  // namespace connectrun::jdbc
