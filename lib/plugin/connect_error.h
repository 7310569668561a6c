// ConnectError: how a connector (and the engine) reports a failure.
#pragma once

#include <stdexcept>
#include <string>

namespace connectrun {

// A connector failure. `retriable` errors are retried by the engine within
// errors.retry.timeout; others fail the connector.
class ConnectError : public std::runtime_error {
 public:
  explicit ConnectError(const std::string& msg, bool retriable = false)
      : std::runtime_error(msg), retriable_(retriable) {}
  bool retriable() const { return retriable_; }

 private:
  bool retriable_;
};

}  // namespace connectrun
