// Single message transforms and predicates (Kafka's Transformation and Predicate).
#pragma once

#include <optional>

#include "config/spec.h"
#include "data/value.h"

namespace connectrun {

class Transformation {
 public:
  virtual ~Transformation() = default;
  // Throws config::ConfigError for configuration the spec alone cannot reject.
  virtual void configure(const config::ConfigValues& cfg) = 0;
  // Returns the new record, or nullopt to drop it. Throws DataException (or
  // another std::exception) for a record it cannot handle.
  virtual std::optional<Record> apply(Record&& record) = 0;
};

class Predicate {
 public:
  virtual ~Predicate() = default;
  virtual void configure(const config::ConfigValues& cfg) = 0;
  virtual bool test(const Record& record) = 0;
};

}  // namespace connectrun
