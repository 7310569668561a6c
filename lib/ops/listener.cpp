#include "ops/listener.h"

#include <arpa/inet.h>

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

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
  if (text.rfind(scheme, 0) != 0) {
    if (text.rfind("https://", 0) == 0) return std::string("https listeners are not supported; use http://HOST:PORT");
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
  if (l.host.empty())
    return fmt::format("'{}': the host is missing; write http://127.0.0.1:PORT (or http://0.0.0.0:PORT for every "
                       "interface, with listeners.allow.remote: true)", text);
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

std::optional<std::string> listeners_problem(const config::ConfigValues& worker) {
  if (worker.is_null("listeners")) return std::nullopt;
  auto list = worker.get_list("listeners");
  if (list.empty()) return std::nullopt;
  if (list.size() > 1)
    return fmt::format("{} listeners given; connectrun serves one: give a single http://HOST:PORT", list.size());
  auto parsed = parse_listener(list.front());
  if (auto* err = std::get_if<std::string>(&parsed)) return *err;
  auto& l = std::get<Listener>(parsed);
  if (!l.loopback && !worker.get_bool("listeners.allow.remote"))
    return fmt::format("'{}' is reachable from other machines and the REST interface has no authentication (anyone "
                       "reaching it can pause and restart connectors); use http://127.0.0.1:{} or set "
                       "listeners.allow.remote: true",
                       list.front(), l.port);
  return std::nullopt;
}

std::optional<Listener> worker_listener(const config::ConfigValues& worker) {
  if (auto problem = listeners_problem(worker)) throw std::invalid_argument(*problem);
  auto list = worker.is_null("listeners") ? std::vector<std::string>{} : worker.get_list("listeners");
  if (list.empty()) return std::nullopt;
  auto l = std::get<Listener>(parse_listener(list.front()));
  if (worker.has("rest.allowed.hosts") && !worker.is_null("rest.allowed.hosts"))
    l.allowed_hosts = worker.get_list("rest.allowed.hosts");
  return l;
}

}  // namespace connectrun
