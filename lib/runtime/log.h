// Logging: spdlog to stderr, one named logger per connector so every line says
// whose it is.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace connectrun {

// Sets the level ("trace".."off") and the stderr pattern for every logger made after.
void init_logging(std::string_view level);
// A logger that prefixes its lines with [name].
std::shared_ptr<spdlog::logger> make_logger(const std::string& name);

}  // namespace connectrun
