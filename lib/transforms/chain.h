// A connector's transform chain: Kafka's TransformationChain with its
// predicates, built and validated from the connector's flat configuration.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/spec.h"
#include "data/value.h"
#include "plugin/registry.h"

namespace connectrun {

// A transform failed on a record: stage alias, the plugin name and the cause.
class TransformError : public std::runtime_error {
 public:
  TransformError(std::string alias, std::string plugin, const std::string& cause);
  const std::string& alias() const { return alias_; }
  const std::string& plugin() const { return plugin_; }
  const std::string& cause() const { return cause_; }

 private:
  std::string alias_;
  std::string plugin_;
  std::string cause_;
};

class TransformChain {
 public:
  // From a connector's flat config: `transforms`, `transforms.<a>.type`, `.predicate`, `.negate`, the
  // transform's own keys, `predicates`, `predicates.<p>.type` and the predicate's keys. Reports every problem
  // into `problems` (with location and key) and inserts every key it consumed into `used`.
  static TransformChain build(const PluginRegistry& registry, const config::RawConfig& connector_config,
                              std::string_view connector, config::Problems& problems, std::set<std::string>& used);
  bool empty() const { return stages_.empty(); }
  size_t size() const { return stages_.size(); }
  // Runs the chain as Kafka's TransformationChain does, on `record` in place: a stage runs iff it
  // has no predicate or negate XOR test(record); false = dropped (stops the chain). Throws
  // TransformError wrapping the cause (the record may then be partly transformed).
  bool apply_in_place(Record& record);
  // The same in Kafka's shape: the record, or nullopt when dropped.
  std::optional<Record> apply(Record&& record) {
    if (!apply_in_place(record)) return std::nullopt;
    return std::move(record);
  }

 private:
  struct PredicateSlot {
    std::string alias;
    std::string plugin;
    std::unique_ptr<Predicate> predicate;
  };
  struct Stage {
    std::string alias;
    std::string plugin;
    std::unique_ptr<Transformation> transform;
    std::shared_ptr<PredicateSlot> predicate;  // shared: Kafka makes one instance per predicate alias
    bool negate = false;
  };
  std::vector<Stage> stages_;
};

}  // namespace connectrun
