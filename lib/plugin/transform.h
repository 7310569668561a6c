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
  // Transforms `record` in place; false drops it. Throws DataException (or
  // another std::exception) for a record it cannot handle. In place rather
  // than Kafka's `R apply(R)`, so a chain moves no records between stages.
  virtual bool apply_in_place(Record& record) = 0;
  // Kafka's shape: the new record, or nullopt when it is dropped.
  std::optional<Record> apply(Record&& record) {
    if (!apply_in_place(record)) return std::nullopt;
    return std::move(record);
  }
};

class Predicate {
 public:
  virtual ~Predicate() = default;
  virtual void configure(const config::ConfigValues& cfg) = 0;
  virtual bool test(const Record& record) = 0;
};

}  // namespace connectrun
