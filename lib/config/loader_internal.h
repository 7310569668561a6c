// Helpers shared by the loader's translation units (not public API).
#pragma once

#include <optional>
#include <string>

namespace connectrun::config::detail {

// Reads a whole file into `out`. Returns the OS error text (strerror) on failure.
std::optional<std::string> read_text_file(const std::string& path, std::string& out);

}  // namespace connectrun::config::detail
