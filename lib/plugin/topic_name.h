// Kafka's topic name rules, for connectors that name topics and for the planner.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace connectrun {

// Kafka's topic name rules (Topic.validate): legal characters, length, not
// "." or "..". nullopt when the name is legal, else what is wrong with it.
std::optional<std::string> topic_name_problem(std::string_view topic);

}  // namespace connectrun
