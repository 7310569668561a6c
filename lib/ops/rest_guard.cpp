#include "ops/rest_guard.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace connectrun::rest {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return out;
}

// One spelling per host, so that "[0::1]" and "[::1]", "LOCALHOST" and
// "localhost" compare equal: IPv6 addresses in brackets, as a Host header has them.
std::string canonical_host(std::string_view host) {
  bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  std::string bare(bracketed ? host.substr(1, host.size() - 2) : host);
  in6_addr v6{};
  if (inet_pton(AF_INET6, bare.c_str(), &v6) == 1) {
    char text[INET6_ADDRSTRLEN];
    return std::string("[") + inet_ntop(AF_INET6, &v6, text, sizeof(text)) + "]";
  }
  return lower(bare);
}

std::string address_text(const sockaddr* sa) {
  char text[INET6_ADDRSTRLEN] = "";
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof(text));
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text, sizeof(text));
  return text;
}

bool is_wildcard(const std::string& host) {
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return v4.s_addr == INADDR_ANY;
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_UNSPECIFIED(&v6);
}

// "host", "host:port", "[v6]", "[v6]:port" → host and port (80 when absent:
// http's default); nullopt when malformed.
std::optional<std::pair<std::string, int>> split_authority(std::string_view authority) {
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(0, close + 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    if (!rest.empty()) port = rest.substr(1);
    else port = "80";
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  } else {
    port = "80";
  }
  if (host.empty() || port.empty() || port.size() > 5) return std::nullopt;
  if (!std::all_of(port.begin(), port.end(), [](unsigned char ch) { return std::isdigit(ch); })) return std::nullopt;
  return std::make_pair(canonical_host(host), std::stoi(std::string(port)));
}

bool changes_state(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "DELETE" || method == "PATCH";
}
}  // namespace

RequestGuard::RequestGuard(const Listener& listener, int port)
    : port_(port),
      own_origin_(fmt::format("http://{}:{}", listener.host.find(':') != std::string::npos ? "[" + listener.host + "]"
                                                                                          : listener.host,
                              port)) {
  own_hosts_.insert(canonical_host(listener.host));
  // A browser page can only make its own name resolve to this machine (DNS
  // rebinding); the loopback names and the addresses the listener is bound to
  // cannot be an attacker's, so they are always accepted.
  if (listener.loopback || is_wildcard(listener.host))
    for (const char* name : {"localhost", "127.0.0.1", "[::1]"}) own_hosts_.insert(name);
  if (is_wildcard(listener.host)) {
    ifaddrs* all = nullptr;
    if (getifaddrs(&all) == 0) {
      for (ifaddrs* a = all; a; a = a->ifa_next)
        if (a->ifa_addr && (a->ifa_addr->sa_family == AF_INET || a->ifa_addr->sa_family == AF_INET6))
          own_hosts_.insert(canonical_host(address_text(a->ifa_addr)));
      freeifaddrs(all);
    }
  } else {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(listener.host.c_str(), nullptr, &hints, &found) == 0) {
      for (addrinfo* a = found; a; a = a->ai_next) own_hosts_.insert(canonical_host(address_text(a->ai_addr)));
      freeaddrinfo(found);
    }
  }
  for (auto& name : listener.allowed_hosts) allowed_names_.insert(canonical_host(name));
}

bool RequestGuard::own_authority(std::string_view authority) const {
  auto parsed = split_authority(authority);
  if (!parsed) return false;
  auto& [host, port] = *parsed;
  return allowed_names_.count(host) > 0 || (port == port_ && own_hosts_.count(host) > 0);
}

std::optional<Refusal> RequestGuard::check(std::string_view method, const HeaderValues& headers) const {
  auto hosts = headers("Host");
  if (hosts.size() != 1)
    return Refusal{400, hosts.empty() ? "the request has no Host header (HTTP/1.1 requires one)"
                                      : "the request has more than one Host header"};
  if (!own_authority(hosts.front()))
    return Refusal{421, fmt::format("Host '{}' is not this listener's address ({}); add the name clients use to the "
                                    "worker's rest.allowed.hosts",
                                    hosts.front(), own_origin_)};
  if (changes_state(method))
    for (auto& origin : headers("Origin"))
      if (origin.rfind("http://", 0) != 0 || !own_authority(std::string_view(origin).substr(7)))
        return Refusal{403, fmt::format("a request from the web page at Origin '{}' may not change connectors: only "
                                        "{} (or a name in rest.allowed.hosts) may send {}",
                                        origin, own_origin_, method)};
  if (!headers("Transfer-Encoding").empty())
    return Refusal{411, "send the request body with a Content-Length (Transfer-Encoding is not accepted)"};
  auto lengths = headers("Content-Length");
  for (auto& l : lengths) {
    if (l.empty() || !std::all_of(l.begin(), l.end(), [](unsigned char ch) { return std::isdigit(ch); }))
      return Refusal{400, fmt::format("Content-Length '{}' is not a number of bytes", l)};
    if (l != lengths.front()) return Refusal{400, "the request has Content-Length headers that disagree"};
  }
  if (lengths.empty()) return std::nullopt;
  const std::string& length = lengths.front();
  auto digits = length.substr(std::min(length.find_first_not_of('0'), length.size()));
  if (digits.size() > 7 || (!digits.empty() && std::stoull(digits) > kMaxRequestBody))
    return Refusal{413, fmt::format("the request body of {} bytes is larger than the {} bytes accepted (no endpoint "
                                    "takes a body)",
                                    length, kMaxRequestBody)};
  if (digits.empty()) return std::nullopt;  // no body, so no content type to check
  auto types = headers("Content-Type");
  std::string type = types.empty() ? "" : lower(types.front().substr(0, types.front().find(';')));
  type.erase(type.find_last_not_of(" \t") + 1);
  if (type != "application/json")
    return Refusal{415, fmt::format("a request body must be Content-Type: application/json (got '{}')",
                                    types.empty() ? "" : types.front())};
  return std::nullopt;
}

}  // namespace connectrun::rest
