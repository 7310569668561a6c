#include "engine/target_states.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "json/json_reader.h"
#include "json/json_writer.h"
#include "offsets/private_file.h"

namespace connectrun {

TargetStates::TargetStates(const std::string& offsets_path) : path_(offsets_path.empty() ? "" : offsets_path + ".states.json") {}

std::map<std::string, std::string> TargetStates::load() const {
  std::map<std::string, std::string> out;
  if (path_.empty()) return out;
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return out;
    throw std::runtime_error(fmt::format("cannot read the connectors' states file {}: {}", path_, std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  auto bad = [&](const std::string& why) {
    return std::runtime_error(fmt::format(
        "{} is not a connectors' states file ({}): it should be {{\"connectors\":{{\"NAME\":\"STOPPED\" or "
        "\"PAUSED\"}}}}. Fix it, or remove it to run every connector",
        path_, why));
  };
  Value root;
  try {
    root = parse_schemaless_json(text.str());
  } catch (const std::exception& e) {
    throw bad(e.what());
  }
  const Value* connectors = root.find("connectors");
  if (!root.is<MapEntries>() || !connectors || !connectors->is<MapEntries>()) throw bad("no \"connectors\" object");
  for (auto& [k, v] : connectors->as<MapEntries>()) {
    if (!k.is<std::string>() || !v.is<std::string>() || (v.as<std::string>() != "STOPPED" && v.as<std::string>() != "PAUSED"))
      throw bad(fmt::format("the entry {}: {} is neither STOPPED nor PAUSED", to_schemaless_json(k), to_schemaless_json(v)));
    out.emplace(k.as<std::string>(), v.as<std::string>());
  }
  return out;
}

std::optional<std::string> TargetStates::save(const std::map<std::string, std::string>& states) const {
  if (path_.empty()) return std::nullopt;
  try {
    Folder folder(path_);
    const std::string name = file_name_of(path_);
    if (states.empty()) {
      if (::unlinkat(folder.fd(), name.c_str(), 0) != 0 && errno != ENOENT)
        return fmt::format("cannot remove {}: {}", path_, std::strerror(errno));
      return std::nullopt;
    }
    MapEntries m;
    for (auto& [k, v] : states) m.emplace_back(Value(k), Value(v));
    MapEntries root;
    root.emplace_back(Value("connectors"), Value(std::move(m)));
    return write_file_atomically(folder, name, to_schemaless_json(Value(std::move(root))) + "\n");
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
}

}  // namespace connectrun
