#include "ops/listener.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace connectrun {

namespace {
bool is_loopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}
}  // namespace

std::variant<Listener, std::string> parse_listener(const std::string& text) {
  const std::string scheme = "http://";
  // Kafka reads the scheme in any case (HTTP://localhost:8083).
  std::string lower = text.substr(0, std::min(text.size(), size_t{8}));
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.rfind(scheme, 0) != 0) {
    if (lower.rfind("https://", 0) == 0)
      return fmt::format("'{}': https listeners are not supported; use http://HOST:PORT (behind a TLS proxy if needed)",
                         text);
    return fmt::format("'{}' is not a listener; expected http://HOST:PORT (e.g. http://127.0.0.1:8083)", text);
  }
  std::string rest = text.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  Listener l;
  std::string port;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
      return fmt::format("'{}': expected http://[IPV6]:PORT", text);
    l.host = rest.substr(1, close - 1);
    port = rest.substr(close + 2);
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string::npos) return fmt::format("'{}': the port is missing; expected http://HOST:PORT", text);
    l.host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (l.host.empty()) {  // Kafka's http://:8083
    l.host = "127.0.0.1";
    l.host_defaulted = true;
  }
  if (l.host.find_first_of("/?#@ ") != std::string::npos) return fmt::format("'{}': invalid host '{}'", text, l.host);
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), l.port);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || l.port < 0 || l.port > 65535)
    return fmt::format("'{}': the port must be a number from 0 to 65535", text);
  l.loopback = is_loopback(l.host);
  return l;
}

std::optional<std::string> allowed_host_problem(const std::string& entry) {
  if (entry.empty()) return std::string("an empty host name; give names such as connect.example.com");
  if (entry.find_first_of("/?#@ \t") != std::string::npos)
    return fmt::format("'{}' is not a host name; give the name alone (connect.example.com), without scheme or path",
                       entry);
  std::string bare = entry.size() > 2 && entry.front() == '[' && entry.back() == ']' ? entry.substr(1, entry.size() - 2)
                                                                                    : entry;
  in6_addr v6{};
  if (bare.find(':') != std::string::npos && inet_pton(AF_INET6, bare.c_str(), &v6) != 1)
    return fmt::format("'{}': give the host name without a port (a name is accepted with any port)", entry);
  return std::nullopt;
}

namespace {
// Kafka's `listeners`: a list of http(s) listeners. connectrun serves the first http one.
struct ListenersCheck {
  std::optional<std::string> problem;
  std::vector<std::string> warnings;
  std::optional<Listener> listener;
};

ListenersCheck check_listeners(const config::ConfigValues& worker) {
  ListenersCheck out;
  if (worker.is_null("listeners")) return out;
  auto list = worker.get_list("listeners");
  if (list.empty()) return out;
  std::vector<std::string> unserved;
  for (auto& text : list) {
    auto parsed = parse_listener(text);
    if (auto* err = std::get_if<std::string>(&parsed)) {
      bool https = text.size() >= 8 && (text[4] == 's' || text[4] == 'S') && text.find("://") == 5;
      if (list.size() == 1 || !https) {
        out.problem = *err;
        return out;
      }
      unserved.push_back(fmt::format("'{}' (https is not supported)", text));
      continue;
    }
    if (out.listener) {
      unserved.push_back(fmt::format("'{}' (connectrun serves one REST listener)", text));
      continue;
    }
    out.listener = std::get<Listener>(parsed);
    if (out.listener->host_defaulted)
      out.warnings.push_back(fmt::format(
          "listeners: '{}' has no host, for which Kafka binds every interface; connectrun binds 127.0.0.1 (write "
          "http://0.0.0.0:{} and set listeners.allow.remote=true to be reachable from other machines)",
          text, out.listener->port));
  }
  if (!out.listener) {
    out.problem = fmt::format("none of the {} listeners is one connectrun can serve: {}; give one http://HOST:PORT",
                              list.size(), fmt::join(unserved, ", "));
    return out;
  }
  if (!unserved.empty())
    out.warnings.push_back(fmt::format("listeners: {} listeners given; connectrun serves only http://{}:{} and not {}",
                                       list.size(), out.listener->host, out.listener->port, fmt::join(unserved, ", ")));
  auto& l = *out.listener;
  if (!l.loopback && !worker.get_bool("listeners.allow.remote"))
    out.problem = fmt::format("'{}:{}' is reachable from other machines and the REST interface has no authentication "
                              "(anyone reaching it can pause and restart connectors); use http://127.0.0.1:{} or set "
                              "listeners.allow.remote: true",
                              l.host, l.port, l.port);
  return out;
}
}  // namespace

std::optional<std::string> listeners_problem(const config::ConfigValues& worker) { return check_listeners(worker).problem; }

std::vector<std::string> listeners_warnings(const config::ConfigValues& worker) {
  auto c = check_listeners(worker);
  return c.problem ? std::vector<std::string>{} : c.warnings;
}

std::optional<Listener> worker_listener(const config::ConfigValues& worker) {
  auto c = check_listeners(worker);
  if (c.problem) throw std::invalid_argument(*c.problem);
  if (!c.listener) return std::nullopt;
  auto l = *c.listener;
  if (worker.has("rest.allowed.hosts") && !worker.is_null("rest.allowed.hosts"))
    l.allowed_hosts = worker.get_list("rest.allowed.hosts");
  return l;
}

}  // namespace connectrun
