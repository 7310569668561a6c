#include "plugin/topic_name.h"

#include <cctype>

#include <fmt/format.h>

namespace connectrun {

std::optional<std::string> topic_name_problem(std::string_view topic) {
  if (topic.empty()) return "topic name is empty";
  if (topic == "." || topic == "..") return "topic name cannot be \".\" or \"..\"";
  if (topic.size() > 249) return fmt::format("topic name is {} characters long; Kafka allows at most 249", topic.size());
  for (char c : topic)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      return fmt::format("topic name '{}' contains '{}'; Kafka allows only ASCII letters, digits, '.', '_' and '-'",
                         topic, c);
  return std::nullopt;
}

}  // namespace connectrun
