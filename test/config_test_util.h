// Helpers for configuration tests: temporary files and problem lookup.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "config/spec.h"

namespace connectrun::test {

// A temporary directory (mkdtemp) removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "connectrun-cfg-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string write(const std::string& name, const std::string& text) const {
    std::string p = (path_ / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The first problem whose message contains `text`, or nullptr.
inline const config::Problem* find_problem(const config::Problems& problems, const std::string& text) {
  for (const auto& p : problems.list())
    if (p.message.find(text) != std::string::npos) return &p;
  return nullptr;
}

inline std::string all_problems(const config::Problems& problems) {
  std::string out;
  for (const auto& p : problems.list()) out += p.str() + "\n";
  return out;
}

}  // namespace connectrun::test
