// An optional hook of the connector API: a source task that knows the shape of
// its offsets says whether one is usable (Kafka's SourceConnector.alterOffsets
// check, KIP-875). A SourceTask that also derives from OffsetCheck is asked;
// any other accepts every offset, so connectors without it keep working.
#pragma once

#include <optional>
#include <string>

#include "data/value.h"
#include "plugin/connector.h"

namespace connectrun {

class OffsetCheck {
 public:
  virtual ~OffsetCheck() = default;
  // After configure(): whether `offset` (a schemaless map) is one this task can
  // resume from for `partition`. nullopt when usable, else what is wrong and
  // what is expected ("\"position\" must be a whole number of bytes (0 or
  // more), got \"abc\""). `offsets set` and `offsets import` ask it before
  // storing anything; a task also refuses at start a stored offset that fails it.
  virtual std::optional<std::string> check_offset(const Value& partition, const Value& offset) const = 0;
};

// The task's answer, or nullopt (usable) when it has no such check.
inline std::optional<std::string> check_source_offset(const SourceTask& task, const Value& partition,
                                                      const Value& offset) {
  auto* check = dynamic_cast<const OffsetCheck*>(&task);
  return check ? check->check_offset(partition, offset) : std::nullopt;
}

}  // namespace connectrun
