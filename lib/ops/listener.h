// The REST listener (`listeners: http://127.0.0.1:8083`, Kafka Connect's key).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/spec.h"

namespace connectrun {

struct Listener {
  std::string host;  // as given, without brackets ("127.0.0.1", "::1", "localhost", "0.0.0.0")
  int port = 0;      // 0: an ephemeral port, logged once bound
  bool loopback = false;
  // Kafka's `http://:PORT` (no host: Kafka binds every interface): connectrun binds 127.0.0.1 and says so.
  bool host_defaulted = false;
  // rest.allowed.hosts: further names a request's Host (and Origin) may give.
  std::vector<std::string> allowed_hosts;
};

// Parses "http://HOST:PORT" (the scheme in any case, as Kafka; an empty HOST is
// 127.0.0.1); returns the listener or what is wrong with it.
std::variant<Listener, std::string> parse_listener(const std::string& text);

// The worker's `listeners` as a Listener: nullopt when unset (no REST interface).
// Throws std::invalid_argument with the problem (validation reports it first).
std::optional<Listener> worker_listener(const config::ConfigValues& worker);
// What is wrong with one rest.allowed.hosts entry (a host name or address, no
// scheme or port), if anything.
std::optional<std::string> allowed_host_problem(const std::string& entry);
// What is wrong with the worker's `listeners` / `listeners.allow.remote`, if anything.
std::optional<std::string> listeners_problem(const config::ConfigValues& worker);
// What connectrun serves differently from Kafka for a valid `listeners`: of
// several listeners only the first http one is served; `http://:PORT` binds
// 127.0.0.1. One text each (warnings; errors under --strict-config).
std::vector<std::string> listeners_warnings(const config::ConfigValues& worker);

}  // namespace connectrun
