// A YAML document as text, in lib/ rather than in its callers: yaml-cpp is
// linked statically into the connectrun binary, which exports what it
// contains, so code in a module (the REST server writing job files) finds the
// emitter here instead of needing a copy of its own.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

namespace connectrun::config {

// `node` in yaml-cpp's block style; throws std::runtime_error with yaml-cpp's
// message when it cannot be written.
std::string yaml_text(const YAML::Node& node);

}  // namespace connectrun::config
