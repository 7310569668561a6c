#include "config/yaml_text.h"

#include <stdexcept>

namespace connectrun::config {

std::string yaml_text(const YAML::Node& node) {
  YAML::Emitter out;
  out << node;
  if (!out.good()) throw std::runtime_error(out.GetLastError());
  return out.c_str();
}

}  // namespace connectrun::config
