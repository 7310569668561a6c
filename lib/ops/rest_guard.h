// What the REST listener checks in a request's head before any handler runs:
// the Host (DNS rebinding), the Origin of state-changing requests (cross-site
// requests from a browser), and how a body is framed and typed. See
// docs/http-api.md, "Requests refused".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ops/listener.h"

namespace connectrun::rest {

// The largest request body accepted (none of the endpoints needs one).
inline constexpr uint64_t kMaxRequestBody = 1024 * 1024;

struct Refusal {
  int status;
  std::string message;
};

class RequestGuard {
 public:
  RequestGuard() = default;
  // `listener` as configured (with rest.allowed.hosts), `port` as bound.
  RequestGuard(const Listener& listener, int port);
  // Every value of a header (case-insensitive name), in the order received.
  using HeaderValues = std::function<std::vector<std::string>(std::string_view name)>;
  // Why the request must be refused, or nullopt when it may be served.
  std::optional<Refusal> check(std::string_view method, const HeaderValues& headers) const;

 private:
  // Whether `authority` ("host", "host:port", "[v6]:port") names this listener.
  bool own_authority(std::string_view authority) const;
  std::set<std::string> own_hosts_;      // lower case, IPv6 in brackets; with the bound port only
  std::set<std::string> allowed_names_;  // rest.allowed.hosts; with any port
  int port_ = 0;
  std::string own_origin_;  // http://HOST:PORT as given in `listeners`, for messages
};

}  // namespace connectrun::rest
